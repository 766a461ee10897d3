package timeline

import (
	"testing"
	"time"

	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies"
)

// TestSamplerDownsamples checks that a sampler that outlives its bound
// keeps at most resultset.MaxTimelinePoints evenly spaced points, the
// first at 0.
func TestSamplerDownsamples(t *testing.T) {
	s := NewSampler(time.Millisecond, &strategies.Probe{}, &Meminfo{})
	s.stride = 1
	s.tl.Seconds = s.tl.Seconds[:0]
	for i := range 3 * resultset.MaxTimelinePoints {
		if i%s.stride == 0 {
			s.add(time.Duration(i) * time.Millisecond)
		}
	}
	n := len(s.tl.Seconds)
	if n > resultset.MaxTimelinePoints || n < resultset.MaxTimelinePoints/2 {
		t.Fatalf("%d points", n)
	}
	step := s.tl.Seconds[1] - s.tl.Seconds[0]
	for i := 1; i < n; i++ {
		if d := s.tl.Seconds[i] - s.tl.Seconds[i-1]; d < step*0.999 || d > step*1.001 {
			t.Fatalf("point %d: step %v, first step %v: not evenly spaced", i, d, step)
		}
	}
	if s.tl.Seconds[0] != 0 || s.tl.Dirty[0] != -1 {
		t.Fatalf("first point %v, dirty %v (no meminfo: -1)", s.tl.Seconds[0], s.tl.Dirty[0])
	}
}

func TestKBField(t *testing.T) {
	img := []byte("MemTotal:       24000000 kB\nDirty:              1234 kB\nWriteback:            0 kB\nWritebackTmp:   9 kB\n")
	if d, w := kBField(img, "\nDirty:"), kBField(img, "\nWriteback:"); d != 1234*1024 || w != 0 {
		t.Fatalf("Dirty %d, Writeback %d", d, w)
	}
	if v := kBField(img, "\nNope:"); v != -1 {
		t.Fatalf("missing field = %d", v)
	}
}

// BenchmarkTimelineSample measures one point of the timeline sampler:
// reading the written-bytes counter and /proc/meminfo's Dirty and
// Writeback. At the default 100 ms interval the sampler costs ten of these
// per second of a repetition, on a goroutine of its own.
func BenchmarkTimelineSample(b *testing.B) {
	m := OpenMeminfo()
	defer m.Close()
	if m.f == nil {
		b.Skip("no /proc/meminfo")
	}
	s := NewSampler(time.Hour, &strategies.Probe{}, m)
	b.ReportAllocs()
	for b.Loop() {
		if len(s.tl.Seconds) == cap(s.tl.Seconds) {
			s.tl.Seconds, s.tl.Bytes, s.tl.Dirty, s.tl.Writeback = s.tl.Seconds[:0], s.tl.Bytes[:0], s.tl.Dirty[:0], s.tl.Writeback[:0]
		}
		s.add(time.Second)
	}
}

// TestSamplerShortRepetition checks that a repetition that ends before the
// sampler's goroutine runs still gets its first and last points.
func TestSamplerShortRepetition(t *testing.T) {
	p := &strategies.Probe{}
	s := NewSampler(time.Hour, p, &Meminfo{})
	for range 200 {
		s.Start()
		t0 := time.Now()
		s.Mark(t0)
		tl := s.Finish(time.Since(t0))
		if tl.Len() != 2 || tl.Seconds[0] != 0 {
			t.Fatalf("timeline of a short repetition: %+v, want a point at 0 and one at the end", tl)
		}
	}
}
