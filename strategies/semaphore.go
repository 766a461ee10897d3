package strategies

import (
	"context"

	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"
)

// semaphore models "a task per file, at most N at once" (asyncio's
// Semaphore(10)): a new goroutine for every file, started only once one of
// Params.Concurrency slots is free, so open descriptors stay bounded and
// "too many open files" cannot happen. Each file is written the
// Params.PerFile way (chunked by default).
type semaphoreStrategy struct{}

func (semaphoreStrategy) Name() string { return "semaphore" }
func (semaphoreStrategy) Describe() string {
	return "a goroutine per file, at most {concurrency} in flight (the Semaphore(10) pattern), {per_file} way"
}
func (semaphoreStrategy) Knobs() []string { return []string{"concurrency", "per_file"} }

func (semaphoreStrategy) Write(ctx context.Context, b *Batch) error {
	fw, err := perFileWriter(b.Params.PerFile)
	if err != nil {
		return err
	}
	n := b.Params.Concurrency
	sem := semaphore.NewWeighted(int64(n))
	// Buffers are per slot, not per goroutine: a free list as deep as the
	// semaphore always has one ready for a goroutine that holds a slot.
	free := make(chan *worker, n)
	for range min(n, max(b.Files, 1)) {
		free <- newWorker(b)
	}
	g, gctx := errgroup.WithContext(ctx)
	for i := 0; i < b.Files; i++ {
		if err := sem.Acquire(gctx, 1); err != nil {
			break // cancelled, or a file failed
		}
		g.Go(func() error {
			w := <-free
			defer func() { free <- w; sem.Release(1) }()
			return writeFile(gctx, b, i, fw, w)
		})
	}
	err = g.Wait()
	if err == nil {
		err = ctx.Err()
	}
	return err
}

func (semaphoreStrategy) RefusesFlags(perFile string, m SyncMode) string {
	return fileWriters[perFile].refusesFlags(m)
}

func init() { Register(semaphoreStrategy{}) }
