package writebench

import (
	"slices"

	"github.com/writebench/writebench/internal/sysinfo"
	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies"
)

// Memory-estimate constants, checked against measured peak RSS (see
// TestMemoryEstimateHonest and docs/safety.md).
const (
	// memBase is the resident size of writebench before any cell: the Go
	// runtime, the pages of the binary it touches, the content pattern and
	// the result set (measured 14 to 33 MiB for a 4 KiB cell on a loaded
	// machine).
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
// than the machine has (MemoryLimit), naming the cell and both figures.
// It runs before anything is written; nothing is checked when the limit
// cannot be read.
func checkMemory(cells []cell, noVerify bool) error {
	limit, source, ok := sysinfo.MemoryLimit()
	if !ok {
		return nil
	}
	return checkMemoryLimit(cells, noVerify, limit, source)
}

func checkMemoryLimit(cells []cell, noVerify bool, limit uint64, source string) error {
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
	field := "sizes"
	switch {
	case worst.params.Concurrency > 1 && worst.res.Files > 1 && slices.Contains(strategies.Knobs(worst.strategy, worst.params.PerFile), "concurrency"):
		field = "concurrency"
	case int64(worst.params.Chunk) >= worst.res.FileSize || worst.params.Chunk >= worst.params.Record:
		field = "chunk"
	}
	return cfgErr(field, "cell %s would need about %s of memory at its peak, but only %s is available (%s): use smaller --chunk/--record/--sizes or a lower --concurrency",
		resultset.Printable(worst.res.Key()), resultset.FormatIEC(need), resultset.FormatIEC(limit), source)
}
