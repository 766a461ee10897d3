package writebench

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	"github.com/writebench/writebench/resultset"
)

// collectEnv describes the machine, the target directory and the run.
func collectEnv(cfg Config, start time.Time) resultset.Env {
	dir, _ := filepath.Abs(cfg.Dir)
	if r, err := filepath.EvalSymlinks(dir); err == nil {
		dir = r
	}
	e := resultset.Env{
		WritebenchVersion: Version(),
		GoVersion:         runtime.Version(),
		GOOS:              runtime.GOOS,
		GOARCH:            runtime.GOARCH,
		Kernel:            kernelVersion(),
		CPU:               cpuModel(),
		Cores:             runtime.NumCPU(),
		GOMAXPROCS:        runtime.GOMAXPROCS(0),
		Dir:               dir,
		PageCache:         "kept between repetitions (files are removed, not flushed)",
		DropCaches:        cfg.DropCaches,
		Verify:            !cfg.NoVerify,
		Warmup:            max(cfg.Warmup, 0),
		Repeat:            cfg.Repeat,
		Seed:              cfg.Seed,
		Command:           cfg.Command,
		Start:             start.UTC(),
		SyncTimed:         true,
		Preset:            cfg.Preset,
		MinSampleSeconds:  max(cfg.MinSample, 0).Seconds(),
		Vs:                resultset.DefaultVs(),
	}
	if vs, err := resultset.ParseVs(cfg.Vs); err == nil {
		e.Vs = vs
	}
	if cfg.Budget > 0 {
		e.BudgetSeconds = cfg.Budget.Seconds()
		e.MinRounds = cfg.MinRounds
		e.Precision = cfg.Precision
		e.Tie = cfg.Tie
	}
	if cfg.DropCaches {
		e.PageCache = "dropped before every repetition (sync; echo 3 > /proc/sys/vm/drop_caches)"
	}
	e.Hostname, _ = os.Hostname()
	if free, _, err := freeSpace(dir); err == nil {
		e.FreeBytes = free
	}
	e.FSType, e.Device, e.MountOptions = mountOf(dir)
	return e
}

func cpuModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

func kernelVersion() string {
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		return strings.TrimSpace(string(b))
	}
	return runtime.GOOS
}

// mountOf finds the mount holding dir in /proc/self/mountinfo: the longest
// mount point that is a prefix of dir.
func mountOf(dir string) (fstype, device, options string) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return "unknown", "", ""
	}
	best := -1
	for _, line := range strings.Split(string(data), "\n") {
		// id parent major:minor root mountpoint options [optional...] - fstype source superoptions
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			continue
		}
		f := strings.Fields(pre)
		g := strings.Fields(post)
		if len(f) < 6 || len(g) < 2 {
			continue
		}
		mp := unescapeMount(f[4])
		if (dir == mp || strings.HasPrefix(dir, strings.TrimSuffix(mp, "/")+"/")) && len(mp) >= best {
			best = len(mp)
			fstype, device, options = g[0], g[1], f[5]
			if len(g) > 2 {
				options += "; superblock: " + g[2]
			}
		}
	}
	if best < 0 {
		return "unknown", "", ""
	}
	return fstype, device, options
}

func unescapeMount(s string) string {
	return strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`).Replace(s)
}
