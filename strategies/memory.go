package strategies

import "slices"

// MemoryEstimator is implemented by a strategy that knows its peak memory
// better than PeakMemory's reading of its knobs (an external program, a
// ring of its own buffers). PeakMemory returns the heap bytes it holds at
// once while writing a batch of files × size with p, beyond the runner's
// own.
type MemoryEstimator interface {
	PeakMemory(files int, size int64, p Params) uint64
}

// mmapWindow is the most of a file the mmap writer maps at once, so address
// space and resident pages stay bounded for multi-GiB files; the pages it
// touches count in the process's resident size.
const mmapWindow = 64 << 20

// PeakMemory returns the memory, in bytes, strategy s holds at once while
// writing a batch of files × size with p (defaults applied): heap, which it
// allocates (its MemoryEstimator's figure when it has one), and mapped, the
// file pages it maps. Without a MemoryEstimator it counts, per worker
// (concurrency, at most one per file), a content buffer of max(chunk,
// record) bytes (batch × record for batching writers) capped at the file
// size, times the queue depth, plus a bufio buffer, and an mmap window.
func PeakMemory(s Strategy, files int, size int64, p Params) (heap, mapped uint64) {
	if me, ok := s.(MemoryEstimator); ok {
		return me.PeakMemory(files, size, p), 0
	}
	knobs := Knobs(s, p.PerFile)
	has := func(k string) bool { return slices.Contains(knobs, k) }
	workers := uint64(1)
	if has("concurrency") && p.Concurrency > 1 {
		workers = uint64(min(p.Concurrency, max(files, 1)))
	}
	piece := int64(max(p.Chunk, p.Record))
	if has("batch") && p.Batch > 1 {
		piece = max(piece, int64(p.Batch)*int64(p.Record))
	}
	piece = min(piece, max(size, 1))
	per := ContentBufferBytes(piece)
	if has("queue_depth") && p.QueueDepth > 1 {
		per *= uint64(p.QueueDepth)
	}
	if has("buffer") || p.PerFile == "bufio" || s.Name() == "bufio" {
		per += uint64(p.Buffer)
	}
	heap = workers * per
	if s.Name() == "mmap" || p.PerFile == "mmap" {
		mapped = workers * uint64(min(size, mmapWindow))
	}
	return heap, mapped
}

// ContentBufferBytes is the size of a Buffer serving n bytes: whole 4 KiB
// blocks plus one, and a 16-byte tag per block.
func ContentBufferBytes(n int64) uint64 {
	const block = 4096
	blocks := uint64((max(n, 1)+block-1)/block + 1)
	return blocks*block + blocks*16
}
