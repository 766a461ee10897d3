// Package timeline samples, from a goroutine of its own, what a write does
// over time: the bytes a strategies.Probe has counted and the kernel's
// Dirty and Writeback memory (/proc/meminfo), and reads the kernel's dirty
// page-cache thresholds (/proc/sys/vm/dirty_*). The runner's --timeline
// and a worker serving another writebench use it.
package timeline

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies"
)

// DefaultInterval is the sampling interval when none is given.
const DefaultInterval = 100 * time.Millisecond

// MinInterval is the shortest sampling interval the runner accepts:
// below it the sampler's own reads of /proc/meminfo would take a visible
// share of a core.
const MinInterval = time.Millisecond

// Sampler records a Timeline of one repetition from its own goroutine:
// every interval it reads the strategy's written bytes (Probe.Written)
// and /proc/meminfo's Dirty and Writeback. It allocates nothing while it
// samples (its slices and read buffer are made in newSampler), so the
// allocation counters of the timed region are the strategy's alone.
type Sampler struct {
	interval time.Duration
	probe    *strategies.Probe
	mem      *Meminfo
	tl       resultset.Timeline
	stride   int // take every stride-th tick (doubled at each downsampling)
	begin    chan time.Time
	stop     chan struct{}
	done     chan struct{}
	t0       time.Time
}

// NewSampler returns a sampler of probe and mem every interval; mem may be
// a Meminfo that could not open /proc/meminfo (its values are then -1).
func NewSampler(interval time.Duration, probe *strategies.Probe, mem *Meminfo) *Sampler {
	n := resultset.MaxTimelinePoints
	return &Sampler{
		interval: interval, probe: probe, mem: mem, stride: 1,
		tl: resultset.Timeline{
			Seconds: make([]float64, 0, n), Bytes: make([]int64, 0, n),
			Dirty: make([]int64, 0, n), Writeback: make([]int64, 0, n),
		},
	}
}

// Start launches the goroutine, which waits for begin; called outside the
// timed region.
func (s *Sampler) Start() {
	s.begin = make(chan time.Time, 1)
	s.stop = make(chan struct{})
	s.done = make(chan struct{})
	s.tl.Seconds, s.tl.Bytes = s.tl.Seconds[:0], s.tl.Bytes[:0]
	s.tl.Dirty, s.tl.Writeback = s.tl.Dirty[:0], s.tl.Writeback[:0]
	s.stride = 1
	go s.run()
}

// Mark tells the goroutine the timed region started at t0: one send on a
// buffered channel, the only work of the sampler inside the timed region
// on the runner's goroutine.
func (s *Sampler) Mark(t0 time.Time) { s.begin <- t0 }

func (s *Sampler) run() {
	defer close(s.done)
	select {
	case s.t0 = <-s.begin:
	case <-s.stop:
		// A repetition shorter than the goroutine's start: both may be
		// ready, and select picks either; a marked start still gets its
		// first point.
		select {
		case s.t0 = <-s.begin:
		default:
			return
		}
	}
	s.add(0)
	tick := time.NewTicker(s.interval)
	defer tick.Stop()
	n := 0
	for {
		select {
		case <-s.stop:
			return
		case now := <-tick.C:
			n++
			if n%s.stride == 0 {
				s.add(now.Sub(s.t0))
			}
		}
	}
}

// add appends one point, halving the timeline first when it is full.
func (s *Sampler) add(at time.Duration) {
	if len(s.tl.Seconds) == cap(s.tl.Seconds) {
		s.downsample()
	}
	dirty, wb := s.mem.Read()
	s.tl.Seconds = append(s.tl.Seconds, at.Seconds())
	s.tl.Bytes = append(s.tl.Bytes, s.probe.Written())
	s.tl.Dirty = append(s.tl.Dirty, dirty)
	s.tl.Writeback = append(s.tl.Writeback, wb)
}

// downsample keeps every other point (the first always) and doubles the
// stride, so a long repetition keeps evenly spaced points within the
// bound.
func (s *Sampler) downsample() {
	keep := 0
	for i := 0; i < len(s.tl.Seconds); i += 2 {
		s.tl.Seconds[keep], s.tl.Bytes[keep] = s.tl.Seconds[i], s.tl.Bytes[i]
		s.tl.Dirty[keep], s.tl.Writeback[keep] = s.tl.Dirty[i], s.tl.Writeback[i]
		keep++
	}
	s.tl.Seconds, s.tl.Bytes = s.tl.Seconds[:keep], s.tl.Bytes[:keep]
	s.tl.Dirty, s.tl.Writeback = s.tl.Dirty[:keep], s.tl.Writeback[:keep]
	s.stride *= 2
}

// Finish stops the goroutine and returns the timeline with a last point
// at elapsed (the end of the timed region); called outside it. A
// repetition that never marked its start returns an empty timeline.
func (s *Sampler) Finish(elapsed time.Duration) resultset.Timeline {
	close(s.stop)
	<-s.done
	if len(s.tl.Seconds) == 0 {
		return resultset.Timeline{}
	}
	if last := s.tl.Seconds[len(s.tl.Seconds)-1]; elapsed.Seconds() < last {
		elapsed = time.Duration(last * float64(time.Second))
	}
	s.add(elapsed)
	return resultset.Timeline{
		Seconds: append([]float64(nil), s.tl.Seconds...), Bytes: append([]int64(nil), s.tl.Bytes...),
		Dirty: append([]int64(nil), s.tl.Dirty...), Writeback: append([]int64(nil), s.tl.Writeback...),
	}
}

// Meminfo reads Dirty and Writeback from /proc/meminfo through one open
// descriptor into a fixed buffer, without allocating.
type Meminfo struct {
	f   *os.File
	buf []byte
}

// OpenMeminfo opens /proc/meminfo for Read; where it cannot, Read returns
// -1s.
func OpenMeminfo() *Meminfo {
	f, err := os.Open("/proc/meminfo")
	if err != nil {
		return &Meminfo{}
	}
	return &Meminfo{f: f, buf: make([]byte, 16<<10)}
}

// read returns Dirty and Writeback in bytes, -1 each when unavailable.
func (m *Meminfo) Read() (dirty, writeback int64) {
	if m == nil || m.f == nil {
		return -1, -1
	}
	n, err := m.f.ReadAt(m.buf, 0)
	if n == 0 && err != nil {
		return -1, -1
	}
	b := m.buf[:n]
	return kBField(b, "\nDirty:"), kBField(b, "\nWriteback:")
}

// Close closes /proc/meminfo.
func (m *Meminfo) Close() {
	if m != nil && m.f != nil {
		m.f.Close()
	}
}

// kBField parses the "Key:   N kB" line starting with key (which begins
// with a newline) in a /proc/meminfo image, in bytes; -1 when missing.
func kBField(b []byte, key string) int64 {
	i := bytes.Index(b, []byte(key))
	if i < 0 {
		return -1
	}
	b = b[i+len(key):]
	for len(b) > 0 && b[0] == ' ' {
		b = b[1:]
	}
	var v int64
	digits := 0
	for len(b) > 0 && b[0] >= '0' && b[0] <= '9' {
		v = v*10 + int64(b[0]-'0')
		b = b[1:]
		digits++
	}
	if digits == 0 {
		return -1
	}
	return v * 1024
}

// DirtyLimits reads the vm.dirty_* settings and estimates the
// thresholds in bytes (see resultset.DirtyLimits); nil where /proc/sys/vm
// is missing.
func DirtyLimits() *resultset.DirtyLimits {
	num := func(name string) (int64, bool) {
		b, err := os.ReadFile("/proc/sys/vm/" + name)
		if err != nil {
			return 0, false
		}
		v, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
		return v, err == nil
	}
	ratio, ok1 := num("dirty_ratio")
	bytesLimit, ok2 := num("dirty_bytes")
	bgRatio, ok3 := num("dirty_background_ratio")
	bgBytes, ok4 := num("dirty_background_bytes")
	if !(ok1 && ok2 && ok3 && ok4) {
		return nil
	}
	var dirtyable int64
	if img, err := os.ReadFile("/proc/meminfo"); err == nil {
		img = append([]byte("\n"), img...)
		for _, f := range []string{"MemFree", "Active(file)", "Inactive(file)"} {
			dirtyable += max(kBField(img, "\n"+f+":"), 0)
		}
	}
	d := &resultset.DirtyLimits{
		Ratio: int(ratio), Bytes: bytesLimit, BackgroundRatio: int(bgRatio), BackgroundBytes: bgBytes,
		DirtyableBytes: dirtyable,
	}
	d.LimitBytes = bytesLimit
	if bytesLimit == 0 {
		d.LimitBytes = dirtyable * ratio / 100
	}
	d.BackgroundLimitBytes = bgBytes
	if bgBytes == 0 {
		d.BackgroundLimitBytes = dirtyable * bgRatio / 100
	}
	return d
}
