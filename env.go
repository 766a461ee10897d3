package writebench

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
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
		HostCores:         hostCores(runtime.NumCPU()),
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

// MemoryWarning is the warning for a scratch directory under dir on a
// file system that keeps files in memory (fstype tmpfs or ramfs).
func MemoryWarning(dir, fstype string) string {
	return fmt.Sprintf("warning: %s is on %s: its files live in memory, so this measures memory, not a disk (give --dir a directory on the disk to measure)",
		resultset.Printable(dir), fstype)
}

// hostCores returns the host's online CPUs when they are more than the
// usable ones (runtime.NumCPU counts the CPUs of this process's affinity
// mask: one for an MPI rank bound to a core), else 0.
func hostCores(usable int) int {
	data, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return 0
	}
	if n := countCPUList(strings.TrimSpace(string(data))); n > usable {
		return n
	}
	return 0
}

// countCPUList counts the CPUs of a kernel CPU list such as "0-3,8,10-11"
// (0 if it cannot be read).
func countCPUList(list string) int {
	n := 0
	for _, part := range strings.Split(list, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return 0
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return 0
			}
		}
		n += b - a + 1
	}
	return n
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
