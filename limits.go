package writebench

import (
	"runtime"
	"runtime/debug"
	"slices"

	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies"
)

// ThreadEstimator is implemented by a strategy that knows how many OS
// threads and processes it runs at once better than cellThreads' reading
// of its knobs (an external program and its own threads). PeakThreads
// returns them for a batch of files files written with p, beyond the
// runner's own.
type ThreadEstimator interface {
	PeakThreads(files int, p strategies.Params) int
}

// runtimeThreads is the OS threads the Go runtime may run beside the
// workers blocked in system calls: one per P running Go code
// (GOMAXPROCS), sysmon, the template thread, and two spare (a thread
// parked in a locked goroutine, the signal thread of a cgo build).
func runtimeThreads() int { return runtime.GOMAXPROCS(0) + 4 }

// cellWorkers is the goroutines of a cell that may each hold an OS thread
// in a blocking system call at once: the concurrency (at most one per
// file) for strategies with a concurrency knob, one per file for unbounded,
// else one; and what the strategy says it runs itself (ThreadEstimator).
func cellWorkers(s strategies.Strategy, files int, p strategies.Params) int {
	if te, ok := s.(ThreadEstimator); ok {
		return te.PeakThreads(files, p)
	}
	switch {
	case s.Name() == "unbounded":
		return max(files, 1)
	case slices.Contains(strategies.Knobs(s, p.PerFile), "concurrency") && p.Concurrency > 1:
		return min(p.Concurrency, max(files, 1))
	}
	return 1
}

// culprit is the flag to lower first when cell c needs too much: its
// concurrency when it has several workers, its files when it runs one per
// file, its chunk when that is what it buffers, else its sizes.
func culprit(c *cell) string {
	knobs := strategies.Knobs(c.strategy, c.params.PerFile)
	switch {
	case c.strategy.Name() == "unbounded" && c.res.Files > 1:
		return "files"
	case c.params.Concurrency > 1 && c.res.Files > 1 && slices.Contains(knobs, "concurrency"):
		return "concurrency"
	case int64(c.params.Chunk) >= c.res.FileSize || c.params.Chunk >= c.params.Record:
		return "chunk"
	}
	return "sizes"
}

// processLimits is what the kernel lets this process have (limits_linux.go).
type processLimits struct {
	// threadRoom is how many more threads and processes this user may
	// start (RLIMIT_NPROC less the user's tasks in other processes) and
	// threadsNow this process's threads; checkThreads false when the
	// limit does not apply (unlimited, root, CAP_SYS_RESOURCE) or cannot
	// be read.
	checkThreads bool
	threadLimit  uint64
	otherTasks   uint64
	threadsNow   int
	uid          int
	// addrRoom is RLIMIT_AS less the address space in use now (VmSize);
	// checkAddr false when unlimited or unreadable.
	checkAddr   bool
	addrLimit   uint64
	addrNow     uint64
	threadStack uint64 // address space reserved per new OS thread
	// goMaxThreads is the Go runtime's thread limit (0: not checked).
	goMaxThreads int
}

// arenaSlack is address space the Go heap reserves beyond what it uses:
// it grows in 64 MiB arenas.
const arenaSlack = 64 << 20

// checkLimits refuses a sweep any of whose cells would need more OS
// threads than RLIMIT_NPROC lets this user start, or more address space
// than RLIMIT_AS leaves: the Go runtime cannot survive either (a thread it
// cannot create aborts the process, an allocation it cannot map is fatal),
// so they are checked before anything is written. The error names the
// cell, the limit and the flag to lower.
func checkLimits(cells []cell, noVerify bool) error {
	l := readLimits()
	l.goMaxThreads = goMaxThreads()
	return checkLimitsWith(cells, noVerify, l)
}

// goMaxThreads is the Go runtime's own limit of OS threads
// (debug.SetMaxThreads; 10000 unless changed): past it the program dies.
func goMaxThreads() int {
	n := debug.SetMaxThreads(1 << 30)
	debug.SetMaxThreads(n)
	return n
}

func checkLimitsWith(cells []cell, noVerify bool, l processLimits) error {
	for i := range cells {
		c := &cells[i]
		threads := cellWorkers(c.strategy, c.res.Files, c.params) + runtimeThreads()
		if l.goMaxThreads > 0 && threads > l.goMaxThreads {
			return cfgErr(culprit(c), "cell %s may run %d threads at once (%d workers blocked in system calls + %d for the Go runtime), "+
				"past the Go runtime's limit of %d threads: lower --%s",
				resultset.Printable(c.res.Key()), threads, threads-runtimeThreads(), runtimeThreads(), l.goMaxThreads, flagName(culprit(c)))
		}
		if l.checkThreads && uint64(threads)+l.otherTasks > l.threadLimit {
			return cfgErr(culprit(c), "cell %s may run %d threads at once (%d workers blocked in system calls + %d for the Go runtime), "+
				"but RLIMIT_NPROC (ulimit -u) lets uid %d have %d processes and threads, %d of them in use by other processes: "+
				"lower --%s or raise ulimit -u",
				resultset.Printable(c.res.Key()), threads, threads-runtimeThreads(), runtimeThreads(),
				l.uid, l.threadLimit, l.otherTasks, flagName(culprit(c)))
		}
		if !l.checkAddr {
			continue
		}
		mem := EstimateMemory(c.strategy, c.res.Files, c.res.FileSize, c.params, noVerify)
		need := mem - min(mem, memBase) + arenaSlack + uint64(max(threads-l.threadsNow, 0))*l.threadStack
		if l.addrNow+need > l.addrLimit {
			return cfgErr(culprit(c), "cell %s would need about %s more address space (memory estimate %s, %d thread stacks), "+
				"but RLIMIT_AS (ulimit -v) is %s and %s is in use: use smaller --chunk/--record/--sizes or a lower --concurrency, or raise ulimit -v",
				resultset.Printable(c.res.Key()), resultset.FormatIEC(need), resultset.FormatIEC(mem), threads,
				resultset.FormatIEC(l.addrLimit), resultset.FormatIEC(l.addrNow))
		}
	}
	return nil
}

// flagName is the command-line flag of a ConfigError field.
func flagName(field string) string {
	if a := resultset.AxisByName(field); a != nil {
		return a.Flag
	}
	return field
}

// CheckCell checks that one batch, files files of size bytes written by s
// with p (defaults applied) and not verified, fits this process's memory
// (MemoryLimit) and its RLIMIT_NPROC and RLIMIT_AS, as Run checks every
// cell of a sweep before it starts; `writebench worker` checks each
// request with it. The error is a *ConfigError naming the field to lower.
func CheckCell(s strategies.Strategy, files int, size int64, p strategies.Params) error {
	rc := newCell(s.Name())
	rc.Files, rc.FileSize = files, size
	knobs := strategies.Knobs(s, p.PerFile)
	for _, a := range resultset.Axes {
		if !a.Knob || !slices.Contains(knobs, a.Name) {
			continue
		}
		switch a.Name {
		case "record":
			rc.Record = p.Record
		case "buffer":
			rc.Buffer = p.Buffer
		case "chunk":
			rc.Chunk = p.Chunk
		case "concurrency":
			rc.Concurrency = p.Concurrency
		case "per_file":
			rc.PerFile = p.PerFile
		case "batch":
			rc.Batch = p.Batch
		case "queue_depth":
			rc.QueueDepth = p.QueueDepth
		}
	}
	cells := []cell{{res: rc, strategy: s, params: p}}
	if limit, source, ok := MemoryLimit(); ok {
		if err := checkMemoryLimit(cells, true, limit, source, ""); err != nil {
			return err
		}
	}
	return checkLimits(cells, true)
}

// cgoBuild reports whether the binary was built with cgo, whose OS threads
// are pthreads with a stack of RLIMIT_STACK's size each.
func cgoBuild() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return true // assume the larger stacks
	}
	for _, s := range bi.Settings {
		if s.Key == "CGO_ENABLED" {
			return s.Value == "1"
		}
	}
	return true
}
