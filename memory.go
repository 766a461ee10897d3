package writebench

import (
	"slices"

	"github.com/writebench/writebench/internal/sysinfo"
	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies"
)

// MemoryEstimator is implemented by a strategy that knows its peak memory
// better than EstimateMemory's reading of its knobs (an external program,
// a ring of its own buffers). PeakMemory returns the bytes it holds at
// once while writing a batch of files × size with p, beyond the runner's
// own.
type MemoryEstimator interface {
	PeakMemory(files int, size int64, p strategies.Params) uint64
}

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
	// mmapWindowBytes is how much of a file the mmap writer maps at once;
	// the pages it touches count in the process's resident size.
	mmapWindowBytes = 64 << 20
	// verifyChunkBytes: the verifier reads a file this much at a time into
	// a buffer and compares it with a content buffer of the same size.
	verifyChunkBytes = 1 << 20
	contentBlock     = 4096
)

// EstimateMemory returns the peak memory, in bytes, of one repetition of a
// cell: strategy s writing files files of size bytes each with p (defaults
// applied), plus verification unless noVerify. It counts what the
// strategies allocate per worker (a content buffer of max(chunk, record)
// bytes capped at the file size, a bufio buffer, an mmap window), the
// number of workers (concurrency, at most one per file), the verifier's
// two buffers, the runner's per-file latency arrays, the garbage collector's
// headroom, and a fixed base. A strategy implementing MemoryEstimator
// supplies its own part.
func EstimateMemory(s strategies.Strategy, files int, size int64, p strategies.Params, noVerify bool) uint64 {
	knobs := strategies.Knobs(s, p.PerFile)
	has := func(k string) bool { return slices.Contains(knobs, k) }
	var heap, mapped uint64
	if me, ok := s.(MemoryEstimator); ok {
		heap = me.PeakMemory(files, size, p)
	} else {
		workers := uint64(1)
		if has("concurrency") && p.Concurrency > 1 {
			workers = uint64(min(p.Concurrency, max(files, 1)))
		}
		piece := int64(max(p.Chunk, p.Record))
		if has("batch") && p.Batch > 1 {
			piece = max(piece, int64(p.Batch)*int64(p.Record))
		}
		piece = min(piece, max(size, 1))
		per := contentBuffer(piece)
		if has("queue_depth") && p.QueueDepth > 1 {
			per *= uint64(p.QueueDepth)
		}
		if has("buffer") || p.PerFile == "bufio" || s.Name() == "bufio" {
			per += uint64(p.Buffer)
		}
		heap = workers * per
		if s.Name() == "mmap" || p.PerFile == "mmap" {
			mapped = workers * uint64(min(size, mmapWindowBytes))
		}
	}
	if !noVerify {
		v := min(size, verifyChunkBytes)
		heap += uint64(max(v, 1)) + contentBuffer(v) + uint64(files)/8
	}
	heap += 16 * uint64(files) // latency and sync-time arrays
	return memBase + memGCFactor*heap + mapped
}

// contentBuffer is the size of a strategies.Buffer serving n bytes: whole
// 4 KiB blocks plus one, and a 16-byte tag per block.
func contentBuffer(n int64) uint64 {
	blocks := uint64((max(n, 1)+contentBlock-1)/contentBlock + 1)
	return blocks*contentBlock + blocks*16
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
