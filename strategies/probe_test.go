package strategies_test

import (
	"context"
	"math"
	"os"
	"testing"
	"time"

	"github.com/writebench/writebench/strategies"
)

// TestProbeCountsEveryByte checks that every strategy's write helpers
// account every byte they write in Batch.Probe and, with a histogram, time
// every write-family call.
func TestProbeCountsEveryByte(t *testing.T) {
	for _, v := range variants() {
		t.Run(v.name(), func(t *testing.T) {
			const files, size = 3, 100_003
			b := newBatch(t, files, size, forRecords(v.s, strategies.Params{PerFile: v.perFile}))
			b.Probe = &strategies.Probe{Latency: &strategies.LatencyHist{}}
			if err := writeSkipping(t, v.s, context.Background(), b); err != nil {
				t.Fatalf("Write: %v", err)
			}
			checkWritten(t, v.s, b)
			got := b.Probe.Written()
			_, shared := v.s.(strategies.RecordVerifier)
			switch {
			case shared && got != dirBytes(t, b.Dir):
				t.Fatalf("Probe.Written = %d, want %d (the bytes of the files written)", got, dirBytes(t, b.Dir))
			case !shared && got != files*size && v.s.Name() != "direct":
				t.Fatalf("Probe.Written = %d, want %d (files × size)", got, files*size)
			case v.s.Name() == "direct" && got < files*size:
				// The last write of a file is padded to the alignment.
				t.Fatalf("Probe.Written = %d, want at least %d", got, files*size)
			}
			pairs, maxNS := b.Probe.Latency.Counts()
			var n int64
			for _, p := range pairs {
				n += p[1]
			}
			stores := v.s.Name() == "mmap" || v.perFile == "mmap"
			if stores {
				if n != 0 {
					t.Fatalf("%d write calls timed for a strategy that stores into a mapping", n)
				}
				return
			}
			if n == 0 || maxNS <= 0 {
				t.Fatalf("histogram holds %d calls, max %d ns: want every write call timed", n, maxNS)
			}
			b.Probe.Reset()
			if b.Probe.Written() != 0 {
				t.Fatal("Reset left written bytes")
			}
			if p, _ := b.Probe.Latency.Counts(); len(p) != 0 {
				t.Fatal("Reset left histogram counts")
			}
		})
	}
}

// TestLatencyBuckets checks that every duration falls in the bucket whose
// bounds hold it, that buckets are contiguous, and that each is at most
// 1/8 of its lower bound wide.
func TestLatencyBuckets(t *testing.T) {
	prevHi := int64(-1)
	for i := range strategies.LatencyBuckets {
		lo, hi := strategies.LatencyBucketBounds(i)
		if lo != prevHi+1 {
			t.Fatalf("bucket %d starts at %d, previous ended at %d", i, lo, prevHi)
		}
		if hi < lo || (lo >= 8 && float64(hi-lo+1) > float64(lo)/8) {
			t.Fatalf("bucket %d = [%d, %d]: wider than 1/8 of its lower bound", i, lo, hi)
		}
		for _, v := range []int64{lo, hi, lo + (hi-lo)/2} {
			if got := strategies.LatencyBucket(v); got != i {
				t.Fatalf("LatencyBucket(%d) = %d, want %d", v, got, i)
			}
		}
		prevHi = hi
		if hi == math.MaxInt64 {
			if i != strategies.LatencyBuckets-1 {
				t.Fatalf("bucket %d reaches MaxInt64 but %d buckets exist", i, strategies.LatencyBuckets)
			}
			break
		}
	}
	if prevHi != math.MaxInt64 {
		t.Fatalf("the last bucket ends at %d, not MaxInt64", prevHi)
	}
	var h strategies.LatencyHist
	for _, d := range []time.Duration{3, 900, 1000, 5 * time.Millisecond} {
		h.Record(d)
	}
	pairs, maxNS := h.Counts()
	if len(pairs) != 4 || maxNS != int64(5*time.Millisecond) {
		t.Fatalf("Counts = %v, max %d", pairs, maxNS)
	}
}

// dirBytes sums the sizes of the files in dir.
func dirBytes(t *testing.T, dir string) int64 {
	t.Helper()
	es, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var n int64
	for _, e := range es {
		fi, err := e.Info()
		if err != nil {
			t.Fatal(err)
		}
		n += fi.Size()
	}
	return n
}
