package writebench

import "runtime/debug"

// version is set at link time with -ldflags "-X github.com/writebench/writebench.version=v1.2.3".
var version = ""

// Version returns writebench's version: the link-time version, else the
// module version or VCS revision recorded in the build, else "devel".
func Version() string {
	if version != "" {
		return version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if v := bi.Main.Version; v != "" && v != "(devel)" {
			return v
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "devel-" + s.Value[:12]
			}
		}
	}
	return "devel"
}
