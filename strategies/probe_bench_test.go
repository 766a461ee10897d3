//go:build linux

package strategies

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// BenchmarkProbeWrite measures one write(2) of 4 KiB or 64 KiB into the
// page cache through file.Write, without a probe (probe=off), with the
// written-bytes counter only (probe=bytes, what --timeline adds) and with
// the counter and the two clock reads of --write-latency (probe=latency):
// the differences in ns/op are what each option costs a write call. The
// file is rewound every 64 MiB so it stays in the page cache.
func BenchmarkProbeWrite(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"4KiB", 4 << 10}, {"64KiB", 64 << 10}} {
		for _, mode := range []string{"off", "bytes", "latency"} {
			b.Run("write="+size.name+"/probe="+mode, func(b *testing.B) {
				path := filepath.Join(b.TempDir(), "f")
				fd, err := unix.Open(path, unix.O_CREAT|unix.O_WRONLY|unix.O_CLOEXEC, 0o644)
				if err != nil {
					b.Fatal(err)
				}
				defer os.Remove(path)
				defer unix.Close(fd)
				f := &file{fd: fd, raw: true, name: []byte(path)}
				switch mode {
				case "bytes":
					f.probe = &Probe{}
				case "latency":
					f.probe = &Probe{Latency: &LatencyHist{}}
				}
				buf := make([]byte, size.n)
				b.SetBytes(int64(size.n))
				b.ReportAllocs()
				written := 0
				for b.Loop() {
					if written >= 64<<20 {
						if _, err := unix.Seek(fd, 0, 0); err != nil {
							b.Fatal(err)
						}
						written = 0
					}
					if _, err := f.Write(buf); err != nil {
						b.Fatal(err)
					}
					written += size.n
				}
			})
		}
	}
}

// BenchmarkProbeCall measures the probe's own work around one call, with
// no system call: the counter (probe=bytes) and the counter plus two clock
// reads and a histogram update (probe=latency).
func BenchmarkProbeCall(b *testing.B) {
	for _, mode := range []string{"bytes", "latency"} {
		b.Run("probe="+mode, func(b *testing.B) {
			p := &Probe{}
			if mode == "latency" {
				p.Latency = &LatencyHist{}
			}
			b.ReportAllocs()
			for b.Loop() {
				t := p.start()
				p.done(t, 4096)
			}
		})
	}
	b.Run("clock=time.Now", func(b *testing.B) {
		var d time.Duration
		for b.Loop() {
			t := time.Now()
			d += time.Since(t)
		}
		_ = d
	})
}
