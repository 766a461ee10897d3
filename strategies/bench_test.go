package strategies

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"
)

// benchSizes are the file sizes the content and write benchmarks share, so
// scripts/bench-overhead.sh can divide one by the other.
var benchSizes = []struct {
	name string
	n    int64
}{
	{"4KiB", 4 << 10},
	{"1MiB", 1 << 20},
}

// BenchmarkContent measures Buffer.Bytes producing a whole file's content
// in one call (what chunked does for a file up to --chunk), with a new file
// index every iteration so every header is stamped afresh.
func BenchmarkContent(b *testing.B) {
	c := NewContent(1)
	for _, s := range benchSizes {
		b.Run("size="+s.name, func(b *testing.B) {
			buf := c.NewBuffer(int(s.n))
			b.SetBytes(s.n)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				p := buf.Bytes(i, 0, int(s.n))
				_ = p[len(p)-1]
				i++
			}
		})
	}
}

// BenchmarkContentRecords measures Buffer.Bytes in 256-byte records, as
// unbuffered and bufio ask for them: ns/op is per file.
func BenchmarkContentRecords(b *testing.B) {
	c := NewContent(1)
	const rec = 256
	for _, s := range benchSizes {
		b.Run("size="+s.name+"/record=256", func(b *testing.B) {
			buf := c.NewBuffer(rec)
			b.SetBytes(s.n)
			b.ReportAllocs()
			i := 0
			for b.Loop() {
				for off := int64(0); off < s.n; off += rec {
					p := buf.Bytes(i, off, rec)
					_ = p[len(p)-1]
				}
				i++
			}
		})
	}
}

// BenchmarkMemcpy is the reference the content generator is held to: a
// plain copy of the same number of bytes.
func BenchmarkMemcpy(b *testing.B) {
	for _, s := range benchSizes {
		b.Run("size="+s.name, func(b *testing.B) {
			src := make([]byte, s.n)
			dst := make([]byte, s.n)
			b.SetBytes(s.n)
			for b.Loop() {
				copy(dst, src)
			}
		})
	}
}

// BenchmarkWriteFile is the timed work of one file for chunked (1 MiB
// chunks, no sync): create, write, close, with latency recorded, in a real
// directory under $TMPDIR. ns/op over BenchmarkContent's ns/op is the share
// of the timed region spent generating content. Files are removed every
// 2,000 iterations with the timer stopped.
func BenchmarkWriteFile(b *testing.B) {
	c := NewContent(1)
	for _, s := range benchSizes {
		b.Run("strategy=chunked/size="+s.name, func(b *testing.B) {
			const batch = 2000
			root := b.TempDir()
			bt := &Batch{Files: batch, Size: s.n, Content: c,
				Params:  Params{Chunk: 1 << 20}.WithDefaults(),
				Latency: make([]time.Duration, batch)}
			fw := chunkedWriter
			b.SetBytes(s.n)
			b.ReportAllocs()
			var w *worker
			round, i := 0, 0
			for b.Loop() {
				if i == 0 {
					b.StopTimer()
					bt.Dir = filepath.Join(root, strconv.Itoa(round))
					if round > 0 {
						os.RemoveAll(filepath.Join(root, strconv.Itoa(round-1)))
					}
					if err := os.Mkdir(bt.Dir, 0o755); err != nil {
						b.Fatal(err)
					}
					w = newWorker(bt)
					round++
					b.StartTimer()
				}
				if err := writeFile(context.Background(), bt, i, fw, w); err != nil {
					b.Fatal(err)
				}
				i = (i + 1) % batch
			}
			b.StopTimer()
			w.close()
		})
	}
}

// BenchmarkPath measures formatting a file's path the way strategies do it
// inside the timed region (a per-worker buffer with the digits rewritten in
// place), next to the public Batch.Path.
func BenchmarkPath(b *testing.B) {
	bt := &Batch{Dir: "/tmp/writebench-123/c4-17", Files: 1_000_000, Size: 4096, Content: NewContent(1)}
	b.Run("api=Batch.Path", func(b *testing.B) {
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			_ = bt.Path(i % bt.Files)
			i++
		}
	})
	b.Run("api=worker", func(b *testing.B) {
		w := newWorker(bt)
		defer w.close()
		b.ReportAllocs()
		i := 0
		for b.Loop() {
			_ = w.name(i % bt.Files)
			i++
		}
	})
}
