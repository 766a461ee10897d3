package strategies

import "context"

// uring writes each file through io_uring (Linux 5.1+): Params.QueueDepth
// writes of Params.Chunk bytes in flight at explicit offsets, from buffers
// registered once per Write call (IORING_OP_WRITE_FIXED). Files are written
// one after another; the queue depth is the overlap inside a file. For sync
// "close"/"data" an IORING_OP_FSYNC is linked after the file's last write.
// See docs/strategies.md.
type uringStrategy struct{}

func (uringStrategy) Name() string { return "uring" }
func (uringStrategy) Describe() string {
	return "io_uring: {queue_depth} fixed-buffer writes of {chunk} bytes in flight per file, fsync linked after the last"
}
func (uringStrategy) Knobs() []string                           { return []string{"chunk", "queue_depth", "prealloc"} }
func (uringStrategy) Write(ctx context.Context, b *Batch) error { return writeURing(ctx, b) }

// OpenCell gives the runner a session that keeps the ring and its
// registered buffers from one repetition of the cell to the next.
func (uringStrategy) OpenCell(ctx context.Context, p Params) (Session, error) {
	return openURingSession(ctx, p)
}

// PeakThreads: the thread of the cell's session, which holds the ring
// (Linux: a ring set up with IORING_SETUP_SINGLE_ISSUER is entered from one
// thread only, so the session keeps one locked to its goroutine), and the
// kernel's io-wq worker that writes one file's buffered writes (a thread of
// the process).
func (uringStrategy) PeakThreads(int, Params) int { return 2 }

var (
	_ CellOpener      = uringStrategy{}
	_ ThreadEstimator = uringStrategy{}
)

func init() { Register(uringStrategy{}) }
