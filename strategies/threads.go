package strategies

import "slices"

// ThreadEstimator is implemented by a strategy that knows better than
// PeakThreads' reading of its knobs how many OS threads and processes it
// runs at once (an external program and its own threads, a goroutine per
// file). PeakThreads returns them for a batch of files files written with
// p, beyond the runner's own.
type ThreadEstimator interface {
	PeakThreads(files int, p Params) int
}

// PeakThreads returns the OS threads (and processes) strategy s may hold at
// once while writing a batch of files files with p: the Go runtime runs a
// thread for every goroutine blocked in a system call, so it counts the
// workers that can block together, the concurrency (at most one per file)
// for strategies with a concurrency knob, else one; or the strategy's
// ThreadEstimator figure.
func PeakThreads(s Strategy, files int, p Params) int {
	if te, ok := s.(ThreadEstimator); ok {
		return te.PeakThreads(files, p)
	}
	if slices.Contains(Knobs(s, p.PerFile), "concurrency") && p.Concurrency > 1 {
		return min(p.Concurrency, max(files, 1))
	}
	return 1
}

// PeakThreads: unbounded starts a goroutine per file, all at once.
func (unbounded) PeakThreads(files int, _ Params) int { return max(files, 1) }
