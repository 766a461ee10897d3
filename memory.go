package writebench

import (
	"github.com/writebench/writebench/internal/sysinfo"
	"github.com/writebench/writebench/internal/textfmt"
	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies"
)

// Memory-estimate constants, checked against measured peak RSS (see
// TestMemoryEstimateHonest and docs/safety.md).
const (
	// memBase is the resident size of writebench before any cell: the Go
	// runtime, the pages of the binary it touches, the content pattern and
	// the result set, with room to spare (measured peaks: docs/figures.md,
	// "Memory bounds").
	memBase = 48 << 20
	// memGCFactor: buffers are allocated afresh for every repetition, and
	// with GOGC=100 the heap may grow to twice the live heap before the
	// collector frees the previous repetition's.
	memGCFactor = 2
	// verifyChunkBytes: the verifier reads a file this much at a time into
	// a buffer and compares it with a content buffer of the same size.
	verifyChunkBytes = 1 << 20
)

// EstimateMemory returns the peak memory, in bytes, of one repetition of a
// cell: strategy s writing files files of size bytes each with p (defaults
// applied), plus verification unless noVerify. It counts what the strategy
// holds (strategies.PeakMemory), the verifier's two buffers, the runner's
// per-file latency arrays, the garbage collector's headroom, and a fixed
// base.
func EstimateMemory(s strategies.Strategy, files int, size int64, p strategies.Params, noVerify bool) uint64 {
	heap, mapped := strategies.PeakMemory(s, files, size, p)
	if !noVerify {
		v := min(size, verifyChunkBytes)
		heap += uint64(max(v, 1)) + strategies.ContentBufferBytes(v) + uint64(files)/8
	}
	heap += 16 * uint64(files) // latency and sync-time arrays
	return memBase + memGCFactor*heap + mapped
}

// checkMemory refuses a sweep any of whose cells would need more memory
// than the machine has (sysinfo.MemoryLimit, or override when positive),
// naming the cell, both figures and where the limit comes from. It runs
// before anything is written. A negative override turns the check off;
// when the limit cannot be read nothing is checked and log is told so.
func checkMemory(cells []cell, noVerify bool, override int64, logf func(format string, args ...any)) error {
	if override < 0 {
		return nil
	}
	if override > 0 {
		return checkMemoryLimit(cells, noVerify, uint64(override), "{memory_limit}", "")
	}
	limit, source, ok := sysinfo.MemoryLimit()
	if !ok {
		logf("note: memory check skipped: %s ({memory_limit} sets the figure)", source)
		return nil
	}
	return checkMemoryLimit(cells, noVerify, limit, textfmt.EscapeBraces(source), memoryAdvice)
}

// memoryAdvice ends the memory check's refusal of a sweep.
const memoryAdvice = ", or set the figure with {memory_limit} SIZE (off: no check)"

func checkMemoryLimit(cells []cell, noVerify bool, limit uint64, source, advice string) error {
	var worst *cell
	var need uint64
	for i := range cells {
		c := &cells[i]
		if n := EstimateMemory(c.strategy, c.res.Files, c.res.FileSize, c.params, noVerify); n > need {
			need, worst = n, c
		}
	}
	if worst == nil || need <= limit {
		return nil
	}
	// source and advice are ConfigError text already (fields as {field}).
	msg := textfmt.FieldMsg("cell %s would need about %s of memory at its peak, but only %s is available (",
		resultset.Printable(worst.res.Key()), resultset.FormatIEC(need), resultset.FormatIEC(limit))
	return &ConfigError{Field: culprit(worst), Msg: msg + source + "): use smaller {chunk}/{record}/{size} or a lower {concurrency}" + advice}
}
