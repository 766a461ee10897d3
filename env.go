package writebench

import (
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/writebench/writebench/internal/sysinfo"
	"github.com/writebench/writebench/internal/textfmt"
	"github.com/writebench/writebench/internal/timeline"
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
		Kernel:            sysinfo.KernelVersion(),
		CPU:               sysinfo.CPUModel(),
		Cores:             runtime.NumCPU(),
		HostCores:         sysinfo.HostCores(runtime.NumCPU()),
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
	e.PageReporting = sysinfo.PageReporting()
	e.Dirty = timeline.DirtyLimits()
	if cfg.Timeline {
		e.TimelineIntervalSeconds = cfg.TimelineInterval.Seconds()
	}
	e.WriteLatency = cfg.WriteLatency
	e.Hostname, _ = os.Hostname()
	if free, _, err := sysinfo.FreeSpace(dir); err == nil {
		e.FreeBytes = free
	}
	e.FSType, e.Device, e.MountOptions = sysinfo.MountOf(dir)
	if len(cfg.Dirs) > 1 {
		for _, d := range cfg.Dirs {
			de := resultset.DirEnv{Dir: d}
			de.FSType, de.Device, de.MountOptions = sysinfo.MountOf(d)
			if free, _, err := sysinfo.FreeSpace(d); err == nil {
				de.FreeBytes = free
			}
			e.Dirs = append(e.Dirs, de)
		}
	}
	return e
}

// MemoryWarning is the warning for a scratch directory under dir on a
// file system that keeps files in memory (fstype tmpfs or ramfs); it names
// the directory field as {dir} (see textfmt.FieldRefs).
func MemoryWarning(dir, fstype string) string {
	return textfmt.FieldMsg("warning: %s is on %s: its files live in memory, so this measures memory, not a disk (give {dir} a directory on the disk to measure)",
		resultset.Printable(dir), fstype)
}
