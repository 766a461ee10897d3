package writebench

import (
	"runtime/metrics"
	"time"

	"github.com/writebench/writebench/internal/sysinfo"
	"github.com/writebench/writebench/strategies"
)

// counters is a snapshot of the process-wide figures read just before and
// just after a timed region.
type counters struct {
	syscw, writeBytes int64 // /proc/self/io; -1 when unavailable
	user, sys         time.Duration
	allocs            uint64
	allocBytes        uint64
}

var heapMetrics = []string{"/gc/heap/allocs:objects", "/gc/heap/allocs:bytes"}

// read takes the snapshot. With a session that runs in other processes
// (an external writer), the I/O and CPU figures are that process's, so
// every column means the same as for a built-in strategy.
func (c *counters) read(sess strategies.Session) {
	if u, ok := sessionUsage(sess); ok {
		c.syscw, c.writeBytes = u.WriteSyscalls, u.StorageBytes
		c.user = time.Duration(u.UserSeconds * float64(time.Second))
		c.sys = time.Duration(u.SysSeconds * float64(time.Second))
	} else {
		c.syscw, c.writeBytes = sysinfo.ReadProcIO()
		c.user, c.sys = sysinfo.CPUTimes()
	}
	s := []metrics.Sample{{Name: heapMetrics[0]}, {Name: heapMetrics[1]}}
	metrics.Read(s)
	if s[0].Value.Kind() == metrics.KindUint64 {
		c.allocs = s[0].Value.Uint64()
	}
	if s[1].Value.Kind() == metrics.KindUint64 {
		c.allocBytes = s[1].Value.Uint64()
	}
}

func sessionUsage(s strategies.Session) (strategies.ChildUsage, bool) {
	if s == nil {
		return strategies.ChildUsage{}, false
	}
	return s.Usage()
}

// sub returns c - b; I/O deltas stay -1 when either side lacks them.
func (c *counters) sub(b *counters) counters {
	d := counters{syscw: -1, writeBytes: -1,
		user: c.user - b.user, sys: c.sys - b.sys,
		allocs: c.allocs - b.allocs, allocBytes: c.allocBytes - b.allocBytes}
	if c.syscw >= 0 && b.syscw >= 0 {
		d.syscw = c.syscw - b.syscw
	}
	if c.writeBytes >= 0 && b.writeBytes >= 0 {
		d.writeBytes = c.writeBytes - b.writeBytes
	}
	return d
}
