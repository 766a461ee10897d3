package resultset

import (
	"fmt"
	"math"
	"sort"
)

// MaxTimelinePoints bounds the points of one repetition's Timeline: a
// longer repetition is downsampled (every other point dropped and the
// sampling interval doubled) each time the bound is reached.
const MaxTimelinePoints = 512

// Timeline is what the timeline sampler saw during one counted repetition
// (--timeline): at each point, the time since the repetition's timed
// region started, the bytes the strategy's write-family calls had written
// so far, and the kernel's Dirty and Writeback memory (/proc/meminfo). The
// first point is at 0 s and the last at the end of the timed region.
// Dirty and Writeback are machine-wide, -1 where /proc/meminfo is missing.
type Timeline struct {
	Seconds   []float64 `json:"t"`         // since the start of the timed region, seconds
	Bytes     []int64   `json:"bytes"`     // bytes written so far by the strategy
	Dirty     []int64   `json:"dirty"`     // /proc/meminfo Dirty, bytes
	Writeback []int64   `json:"writeback"` // /proc/meminfo Writeback, bytes
}

// Len is the number of points.
func (t *Timeline) Len() int { return len(t.Seconds) }

func (t *Timeline) validate() error {
	n := len(t.Seconds)
	if len(t.Bytes) != n || len(t.Dirty) != n || len(t.Writeback) != n {
		return fmt.Errorf("t, bytes, dirty and writeback have %d, %d, %d and %d points", n, len(t.Bytes), len(t.Dirty), len(t.Writeback))
	}
	if n > MaxTimelinePoints {
		return fmt.Errorf("%d points, more than %d", n, MaxTimelinePoints)
	}
	for i, s := range t.Seconds {
		if !(s >= 0 && s <= MaxSeconds) || (i > 0 && s < t.Seconds[i-1]) {
			return fmt.Errorf("point %d: time %v is not a time after the previous point's", i, s)
		}
		if t.Bytes[i] < 0 || (i > 0 && t.Bytes[i] < t.Bytes[i-1]) {
			return fmt.Errorf("point %d: bytes %d is negative or below the previous point's", i, t.Bytes[i])
		}
		if t.Dirty[i] < -1 || t.Writeback[i] < -1 {
			return fmt.Errorf("point %d: negative dirty or writeback", i)
		}
	}
	return nil
}

// DirtyLimits are the kernel's page-cache writeback thresholds
// (/proc/sys/vm/dirty_*), read once at the start of a run. Above
// BackgroundBytes of dirty memory the flusher threads start writing back;
// above LimitBytes a writing process is throttled to the speed of
// writeback. When dirty_bytes (dirty_background_bytes) is 0 the limit is
// dirty_ratio (dirty_background_ratio) percent of the dirtyable memory,
// which the kernel computes as free plus file-backed pages; DirtyableBytes
// is that figure from /proc/meminfo (MemFree + Active(file) +
// Inactive(file)) at the start, so the limits are estimates.
type DirtyLimits struct {
	Ratio           int   `json:"dirty_ratio"`            // percent
	Bytes           int64 `json:"dirty_bytes"`            // 0: the ratio applies
	BackgroundRatio int   `json:"dirty_background_ratio"` // percent
	BackgroundBytes int64 `json:"dirty_background_bytes"` // 0: the ratio applies
	DirtyableBytes  int64 `json:"dirtyable_bytes"`        // free + file pages at the start
	// LimitBytes and BackgroundLimitBytes are the thresholds in bytes.
	LimitBytes           int64 `json:"limit_bytes"`
	BackgroundLimitBytes int64 `json:"background_limit_bytes"`
}

// WriteLatency is the distribution of the latency of every write-family
// call of one counted repetition (--write-latency): write(2), pwrite(2),
// writev(2), pwritev2(2), and for io_uring the time from preparing a
// write's submission to reaping its completion. Buckets are log-spaced
// (each power of two split into 8, so a bucket is at most 12.5% wide);
// only non-empty buckets are stored, as [lowest ns, highest ns, count]
// in increasing order. Max is the slowest call, seconds.
type WriteLatency struct {
	Buckets [][3]int64 `json:"buckets"`
	Max     float64    `json:"max"`
}

// Count is the number of calls recorded.
func (h *WriteLatency) Count() int64 {
	var n int64
	for _, b := range h.Buckets {
		n += b[2]
	}
	return n
}

// Quantile returns the latency, in seconds, below or at which a fraction q
// of the calls fell: the highest value of the bucket holding the
// nearest-rank call (capped at Max), as HDR histograms report it; ok false
// when the histogram is empty.
func (h *WriteLatency) Quantile(q float64) (float64, bool) {
	n := h.Count()
	if n == 0 {
		return 0, false
	}
	rank := int64(math.Ceil(q * float64(n)))
	rank = min(max(rank, 1), n)
	var seen int64
	for _, b := range h.Buckets {
		seen += b[2]
		if seen >= rank {
			return math.Min(float64(b[1])/1e9, h.Max), true
		}
	}
	return h.Max, true
}

// CCDF returns, for the upper bound of every non-empty bucket (seconds,
// capped at Max), the fraction of calls slower than it. The last point's
// fraction is 0.
func (h *WriteLatency) CCDF() (x, frac []float64) {
	n := h.Count()
	if n == 0 {
		return nil, nil
	}
	var seen int64
	for _, b := range h.Buckets {
		seen += b[2]
		x = append(x, math.Min(float64(b[1])/1e9, h.Max))
		frac = append(frac, float64(n-seen)/float64(n))
	}
	return x, frac
}

func (h *WriteLatency) validate() error {
	if !(h.Max >= 0 && h.Max <= MaxSeconds) {
		return fmt.Errorf("invalid max %v", h.Max)
	}
	if !sort.SliceIsSorted(h.Buckets, func(i, j int) bool { return h.Buckets[i][0] < h.Buckets[j][0] }) {
		return fmt.Errorf("buckets are not in increasing order")
	}
	for i, b := range h.Buckets {
		if b[0] < 0 || b[1] < b[0] || b[2] <= 0 || (i > 0 && b[0] <= h.Buckets[i-1][1]) {
			return fmt.Errorf("bucket %d %v: want 0 <= lowest <= highest, above the previous bucket, and a positive count", i, b)
		}
	}
	return nil
}
