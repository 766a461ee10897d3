package writebench

import (
	"runtime"
	"runtime/debug"
	"slices"
	"strconv"

	"github.com/writebench/writebench/internal/sysinfo"
	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies"
)

// runtimeThreads is the OS threads the Go runtime may run beside the
// workers blocked in system calls: one per P running Go code
// (GOMAXPROCS), sysmon, the template thread, and two spare (a thread
// parked in a locked goroutine, the signal thread of a cgo build).
func runtimeThreads() int { return runtime.GOMAXPROCS(0) + 4 }

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

// processLimits is what the kernel and the Go runtime let this process
// have.
type processLimits struct {
	sysinfo.Limits
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
	l := processLimits{Limits: sysinfo.ReadLimits(), goMaxThreads: goMaxThreads()}
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
		threads := strategies.PeakThreads(c.strategy, c.res.Files, c.params) + runtimeThreads()
		if l.goMaxThreads > 0 && threads > l.goMaxThreads {
			return cfgErr(culprit(c), "cell %s may run %d threads at once (%d workers blocked in system calls + %d for the Go runtime), "+
				"past the Go runtime's limit of %d threads: lower {"+culprit(c)+"}",
				resultset.Printable(c.res.Key()), threads, threads-runtimeThreads(), runtimeThreads(), l.goMaxThreads)
		}
		if l.CheckThreads && uint64(threads)+l.OtherTasks > l.ThreadLimit {
			return cfgErr(culprit(c), "cell %s may run %d threads at once (%d workers blocked in system calls + %d for the Go runtime), "+
				"but RLIMIT_NPROC (ulimit -u) lets uid %d have %d processes and threads, %d of them in use by other processes: "+
				"lower {"+culprit(c)+"} or raise ulimit -u",
				resultset.Printable(c.res.Key()), threads, threads-runtimeThreads(), runtimeThreads(),
				l.UID, l.ThreadLimit, l.OtherTasks)
		}
		if !l.CheckAddr {
			continue
		}
		mem := EstimateMemory(c.strategy, c.res.Files, c.res.FileSize, c.params, noVerify)
		need := mem - min(mem, memBase) + arenaSlack + uint64(max(threads-l.ThreadsNow, 0))*l.ThreadStack
		if l.AddrNow+need > l.AddrLimit {
			return cfgErr(culprit(c), "cell %s would need about %s more address space (memory estimate %s, %d thread stacks), "+
				"but RLIMIT_AS (ulimit -v) is %s and %s is in use: use smaller {chunk}/{record}/{size} or a lower {concurrency}, or raise ulimit -v",
				resultset.Printable(c.res.Key()), resultset.FormatIEC(need), resultset.FormatIEC(mem), threads,
				resultset.FormatIEC(l.AddrLimit), resultset.FormatIEC(l.AddrNow))
		}
	}
	return nil
}

// CheckCell checks that one batch, files files of size bytes written by s
// with p (defaults applied) and not verified, fits this process's memory
// (MemoryLimit) and its RLIMIT_NPROC and RLIMIT_AS, as Run checks every
// cell of a sweep before it starts; `writebench worker` checks each
// request with it. The error is a *ConfigError naming the field to lower.
func CheckCell(s strategies.Strategy, files int, size int64, p strategies.Params) error {
	rc := newCell(s.Name())
	rc.Files, rc.FileSize = files, size
	// The knobs s uses, by name (the inverse of paramsOf), so the cell's
	// key in a refusal shows them.
	knobs := strategies.Knobs(s, p.PerFile)
	for _, a := range resultset.Axes() {
		v, ok := p.Get(a.Name)
		if !ok || !a.Knob || !slices.Contains(knobs, a.Name) {
			continue
		}
		if a.Kind == resultset.KindName {
			a.Set(rc, 0, v)
		} else if n, err := strconv.ParseInt(v, 10, 64); err == nil {
			a.Set(rc, n, "")
		}
	}
	cells := []cell{{res: rc, strategy: s, params: p}}
	if limit, source, ok := sysinfo.MemoryLimit(); ok {
		if err := checkMemoryLimit(cells, true, limit, source, ""); err != nil {
			return err
		}
	}
	return checkLimits(cells, true)
}
