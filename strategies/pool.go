package strategies

import (
	"context"
	"fmt"
	"strings"

	"golang.org/x/sync/errgroup"
)

// pool models a thread pool / producer-consumer: Params.Concurrency worker
// goroutines take file jobs from a channel fed by one producer, each writing
// its file the Params.PerFile way (chunked by default). Workers and their
// buffers live for the whole batch.
type pool struct{}

func (pool) Name() string { return "pool" }
func (pool) Describe() string {
	return "{concurrency} workers fed file jobs through a channel (a thread pool), {per_file} way"
}
func (pool) Knobs() []string { return []string{"concurrency", "per_file"} }

func (pool) Write(ctx context.Context, b *Batch) error {
	fw, err := perFileWriter(b.Params.PerFile)
	if err != nil {
		return err
	}
	g, gctx := errgroup.WithContext(ctx)
	jobs := make(chan int, b.Params.Concurrency)
	workers := min(b.Params.Concurrency, max(b.Files, 1))
	for range workers {
		w := newWorker(b)
		g.Go(func() error {
			for i := range jobs {
				if err := writeFile(gctx, b, i, fw, w); err != nil {
					return err
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		defer close(jobs)
		for i := 0; i < b.Files; i++ {
			select {
			case jobs <- i:
			case <-gctx.Done():
				return gctx.Err()
			}
		}
		return nil
	})
	err = g.Wait()
	if err == nil {
		err = ctx.Err()
	}
	return err
}

func perFileWriter(name string) (*fileWriter, error) {
	fw, ok := fileWriters[name]
	if !ok {
		return nil, fmt.Errorf("unknown {per_file} %q (known: %s)", name, strings.Join(PerFileNames(), ", "))
	}
	return fw, nil
}

func (pool) RefusesFlags(perFile string, m SyncMode) string {
	return fileWriters[perFile].refusesFlags(m)
}

func init() { Register(pool{}) }
