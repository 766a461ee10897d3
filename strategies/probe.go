package strategies

import (
	"io"
	"math"
	"math/bits"
	"sync/atomic"
	"time"
)

// Probe observes a batch's writes from outside the strategy: the bytes its
// write-family calls have written so far (read by the runner's timeline
// sampler while the strategy runs) and, when Latency is non-nil, the
// duration of every write-family call (one io_uring write: submission to
// completion). The strategies' write helpers update it; a nil *Probe costs
// one comparison per write. Every method is safe for concurrent use.
type Probe struct {
	written atomic.Int64
	// Latency, when non-nil, receives the latency of every write-family
	// call. Nil skips the two clock reads per call.
	Latency *LatencyHist
}

// Written returns the bytes the batch's write-family calls have written
// so far.
func (p *Probe) Written() int64 {
	if p == nil {
		return 0
	}
	return p.written.Load()
}

// Reset sets the written bytes back to 0 and empties the histogram.
func (p *Probe) Reset() {
	p.written.Store(0)
	if p.Latency != nil {
		p.Latency.Reset()
	}
}

// wrote accounts n bytes written by one call.
func (p *Probe) wrote(n int) {
	if p != nil {
		p.written.Add(int64(n))
	}
}

// timing reports whether calls should be timed.
func (p *Probe) timing() bool { return p != nil && p.Latency != nil }

// start returns the time a timed call starts, or the zero time when calls
// are not timed.
func (p *Probe) start() time.Time {
	if p.timing() {
		return time.Now()
	}
	return time.Time{}
}

// done accounts one call of n bytes that started at t (the zero time: not
// timed).
func (p *Probe) done(t time.Time, n int) {
	if p == nil {
		return
	}
	p.written.Add(int64(n))
	if p.Latency != nil && !t.IsZero() {
		p.Latency.Record(time.Since(t))
	}
}

// writer returns w itself when p is nil, else w with every Write
// accounted in p.
func (p *Probe) writer(w io.Writer) io.Writer {
	if p == nil {
		return w
	}
	return &probedWriter{w: w, p: p}
}

type probedWriter struct {
	w io.Writer
	p *Probe
}

func (pw *probedWriter) Write(b []byte) (int, error) {
	t := pw.p.start()
	n, err := pw.w.Write(b)
	pw.p.done(t, n)
	return n, err
}

// Sub-buckets per power of two of LatencyHist: 8 keeps every bucket within
// 12.5% of its lower bound, HDR-style with one significant binary digit
// and three more bits.
const (
	LatencySubBits = 3
	latencySub     = 1 << LatencySubBits
	// LatencyBuckets is the number of buckets: every duration from 0 ns to
	// the largest time.Duration falls in one.
	LatencyBuckets = (63 - LatencySubBits + 1) * latencySub
)

// LatencyHist is a log-bucketed histogram of durations in nanoseconds with
// fixed memory (LatencyBuckets counters): values below 8 ns have a bucket
// each; above, each power of two is split into 8 equal buckets. Record is
// lock-free and safe for concurrent use.
type LatencyHist struct {
	counts [LatencyBuckets]atomic.Uint64
	max    atomic.Int64
}

// LatencyBucket returns the bucket index of a duration of ns nanoseconds.
func LatencyBucket(ns int64) int {
	if ns < latencySub {
		return int(max(ns, 0))
	}
	e := 63 - bits.LeadingZeros64(uint64(ns)) // ns in [2^e, 2^(e+1))
	sub := int(uint64(ns)>>(e-LatencySubBits)) & (latencySub - 1)
	return (e-LatencySubBits+1)*latencySub + sub
}

// LatencyBucketBounds returns the smallest and the largest nanosecond
// value bucket i holds.
func LatencyBucketBounds(i int) (lo, hi int64) {
	if i < latencySub {
		return int64(i), int64(i)
	}
	e := i/latencySub + LatencySubBits - 1
	sub := int64(i % latencySub)
	width := int64(1) << (e - LatencySubBits)
	lo = int64(1)<<e + sub*width
	if lo+width-1 < lo { // the last bucket
		return lo, math.MaxInt64
	}
	return lo, lo + width - 1
}

// Record adds one duration.
func (h *LatencyHist) Record(d time.Duration) {
	ns := int64(d)
	h.counts[LatencyBucket(ns)].Add(1)
	for {
		m := h.max.Load()
		if ns <= m || h.max.CompareAndSwap(m, ns) {
			return
		}
	}
}

// Reset empties the histogram.
func (h *LatencyHist) Reset() {
	for i := range h.counts {
		h.counts[i].Store(0)
	}
	h.max.Store(0)
}

// Counts returns the non-empty buckets as (index, count) pairs in index
// order, and the largest duration recorded, in nanoseconds.
func (h *LatencyHist) Counts() (pairs [][2]int64, maxNS int64) {
	for i := range h.counts {
		if n := h.counts[i].Load(); n > 0 {
			pairs = append(pairs, [2]int64{int64(i), int64(n)})
		}
	}
	return pairs, h.max.Load()
}
