package strategies

import (
	"context"
	"sync"
)

// offload models an async file wrapper that runs every write in an executor
// (aiofiles: `await f.write(record)` is loop.run_in_executor(None, f.write,
// record)), claim 2's slow case. The caller goroutine hands each
// Params.Record-byte record to a pool of Params.Concurrency writer
// goroutines over a channel and waits for that write's result before it
// hands over the next one, so one write per file is outstanding at a time,
// as with `await`. Every record therefore costs a hand-off to a parked
// goroutine and a wake-up of the caller on top of its write(2); that cost,
// not parallelism, is what the strategy measures. Files are written one
// after another. Create, preallocation, sync and close run on the caller.
type offload struct{}

func (offload) Name() string { return "offload" }
func (offload) Describe() string {
	return "each {record} write handed to {concurrency} executor goroutines and awaited, like aiofiles' run_in_executor"
}
func (offload) Knobs() []string { return []string{"record", "concurrency", "prealloc"} }

func (offload) Write(ctx context.Context, b *Batch) error {
	ex := startExecutor(max(b.Params.Concurrency, 1))
	defer ex.stop()
	w := newWorker(b)
	dst := &offloaded{ex: ex}
	fw := &fileWriter{
		knobs: offload{}.Knobs(),
		body: func(ctx context.Context, b *Batch, i int, f *file, w *worker) error {
			dst.f = f
			return writePieces(ctx, dst, b, i, w, b.Params.Record)
		},
	}
	for i := 0; i < b.Files; i++ {
		if err := writeFile(ctx, b, i, fw, w); err != nil {
			return err
		}
	}
	return nil
}

// executor is a fixed pool of goroutines running writes handed to them one
// at a time, like a ThreadPoolExecutor's worker threads.
type executor struct {
	jobs    chan writeJob
	results chan writeResult
	wg      sync.WaitGroup
}

type writeJob struct {
	f *file
	p []byte
}

type writeResult struct {
	n   int
	err error
}

func startExecutor(n int) *executor {
	ex := &executor{jobs: make(chan writeJob), results: make(chan writeResult)}
	ex.wg.Add(n)
	for range n {
		go func() {
			defer ex.wg.Done()
			for j := range ex.jobs {
				n, err := j.f.Write(j.p)
				ex.results <- writeResult{n, err}
			}
		}()
	}
	return ex
}

// stop ends every executor goroutine; no job may be outstanding.
func (ex *executor) stop() {
	close(ex.jobs)
	ex.wg.Wait()
}

// offloaded is the io.Writer the caller writes records to: each Write is
// one job handed to the executor and awaited.
type offloaded struct {
	ex *executor
	f  *file
}

func (o *offloaded) Write(p []byte) (int, error) {
	o.ex.jobs <- writeJob{o.f, p}
	r := <-o.ex.results
	return r.n, r.err
}

func init() { Register(offload{}) }
