package writebench

import (
	"os"
	"path/filepath"
	"runtime"
	"time"

	"github.com/writebench/writebench/internal/sysinfo"
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
	if free, _, err := sysinfo.FreeSpace(dir); err == nil {
		e.FreeBytes = free
	}
	e.FSType, e.Device, e.MountOptions = sysinfo.MountOf(dir)
	return e
}
