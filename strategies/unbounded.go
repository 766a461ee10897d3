package strategies

import (
	"context"
	"errors"
	"sync"
	"sync/atomic"
)

// unbounded models "start every write at once" (asyncio.gather over one
// task per file with no semaphore), the pattern claim 5 warns against: one
// goroutine per file, all started at once with no limit, each writing its
// file with the chunked writer (Params.Chunk-byte writes). How many files
// are open at once is up to the Go scheduler: every goroutine blocked in a
// write or sync, or preempted mid-file, lets others open theirs, so with
// slow writes or large files the open descriptors approach the file count
// and, past the process's RLIMIT_NOFILE, create fails with EMFILE. The
// first error stops the rest: goroutines not yet started are not started,
// those started create nothing more, those mid-file stop within cancelEvery
// bytes, and every descriptor opened is closed before Write returns the
// first error. Write buffers are recycled through a sync.Pool, so memory
// grows with the files in flight, not the file count.
type unbounded struct{}

func (unbounded) Name() string { return "unbounded" }
func (unbounded) Describe() string {
	return "a goroutine per file, all started at once with no limit (the pattern that hits EMFILE), chunked"
}
func (unbounded) Knobs() []string { return []string{"chunk", "prealloc"} }

func (unbounded) Write(ctx context.Context, b *Batch) error {
	workers := sync.Pool{New: func() any { return newWorker(b) }}
	bc := &batchCtx{Context: ctx}
	var wg sync.WaitGroup
	for i := 0; i < b.Files; i++ {
		if bc.first.Load() != nil {
			break // a file failed (or ctx was cancelled): start no more
		}
		wg.Go(func() {
			w := workers.Get().(*worker)
			defer workers.Put(w)
			if err := writeFile(bc, b, i, chunkedWriter, w); err != nil {
				bc.fail(err)
			}
		})
	}
	wg.Wait()
	if p := bc.first.Load(); p != nil {
		return *p
	}
	return ctx.Err()
}

// errStopped is what the goroutines of a batch that already failed return;
// it never leaves Write (the first error does).
var errStopped = errors.New("stopped: another file of the batch failed")

// batchCtx is the caller's context plus the batch's first error: once a
// file fails, Err returns errStopped to every goroutine, and Write returns
// the failure that came first. Unlike a derived context, its Err asks the
// caller's own context each time, so cancellation is seen exactly where a
// single-goroutine strategy would see it.
type batchCtx struct {
	context.Context
	first atomic.Pointer[error]
}

func (c *batchCtx) fail(err error) { c.first.CompareAndSwap(nil, &err) }

func (c *batchCtx) Err() error {
	if c.first.Load() != nil {
		return errStopped
	}
	return c.Context.Err()
}

func init() { Register(unbounded{}) }
