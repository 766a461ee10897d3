package writebench_test

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/writebench/writebench"
	"github.com/writebench/writebench/strategies"
)

// discard is the sink that discards writes: a Strategy that does a
// strategy's bookkeeping for every file (content for its bytes, latency)
// but no I/O, so a sweep of it measures the runner's own cost.
type discard struct{}

func (discard) Name() string     { return "discard" }
func (discard) Describe() string { return "no I/O: content and latency bookkeeping only (benchmarks)" }
func (discard) Knobs() []string  { return nil }
func (discard) Write(ctx context.Context, b *strategies.Batch) error {
	var buf *strategies.Buffer
	if b.Size > 0 {
		buf = b.Content.NewBuffer(int(min(b.Size, 1<<20)))
	}
	for i := range b.Files {
		var t0 time.Time
		if b.Latency != nil {
			t0 = time.Now()
		}
		for off := int64(0); off < b.Size; off += int64(buf.Cap()) {
			_ = buf.Bytes(i, off, int(min(int64(buf.Cap()), b.Size-off)))
		}
		if b.Latency != nil {
			b.Latency[i] = time.Since(t0)
		}
	}
	return ctx.Err()
}

// benchDir is where the runner benchmarks make their scratch directories:
// $WRITEBENCH_BENCH_DIR when set (e.g. /dev/shm, to take the filesystem's
// mkdir/rmdir cost out of the runner's), else a test temporary directory.
func benchDir(b *testing.B) string {
	root := os.Getenv("WRITEBENCH_BENCH_DIR")
	if root == "" {
		return b.TempDir()
	}
	d, err := os.MkdirTemp(root, "writebench-bench-")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// BenchmarkRunner runs whole sweeps of the discard sink through
// writebench.Run (NoVerify). cells=10/files=1 is the fixed cost of a cell:
// ten cells of one empty file, each with the default 1 warmup + 6 counted
// repetitions, reported as ns/cell (what Run does once per sweep is spread
// over the ten) and ns/rep. files=N is the cost per file: one cell of one
// repetition of N empty files, reported as ns/file (total/N, so the cell's
// cost is included) and timed-ns/file, the part of it inside the timed
// region.
func BenchmarkRunner(b *testing.B) {
	for _, tc := range []struct{ cells, files int }{{10, 1}, {1, 10_000}, {1, 1_000_000}} {
		name := "files=" + strconv.Itoa(tc.files) + "/sink=discard"
		if tc.cells > 1 {
			name = "cells=" + strconv.Itoa(tc.cells) + "/" + name
		}
		b.Run(name, func(b *testing.B) {
			cfg := writebench.Config{
				Custom: []strategies.Strategy{discard{}}, Files: []int{tc.files},
				Dir: benchDir(b), NoVerify: true, NoSpaceCheck: true, Seed: 1,
			}
			for i := range tc.cells {
				cfg.Sizes = append(cfg.Sizes, int64(i))
			}
			reps := writebench.DefaultRepeat + writebench.DefaultWarmup
			if tc.files > 1 {
				cfg.Repeat, cfg.Warmup, reps = 1, -1, 1
			}
			b.ReportAllocs()
			var timed float64
			for b.Loop() {
				set, err := writebench.Run(context.Background(), cfg)
				if err != nil {
					b.Fatal(err)
				}
				for _, r := range set.Results {
					if r.Error != "" {
						b.Fatal(r.Error)
					}
					for _, s := range r.Seconds {
						timed += s
					}
				}
			}
			ns := float64(b.Elapsed().Nanoseconds()) / float64(b.N)
			if tc.files == 1 {
				b.ReportMetric(ns/float64(tc.cells), "ns/cell")
				b.ReportMetric(ns/float64(tc.cells*reps), "ns/rep")
			} else {
				b.ReportMetric(ns/float64(tc.files), "ns/file")
				b.ReportMetric(timed*1e9/float64(b.N*tc.files), "timed-ns/file")
			}
		})
	}
}

// BenchmarkVerify measures reading back and checking a batch written by
// chunked: MB/s is the verifier's speed on files in the page cache.
func BenchmarkVerify(b *testing.B) {
	for _, tc := range []struct {
		files int
		size  int64
		name  string
	}{
		{1000, 4 << 10, "4KiB"},
		{16, 1 << 20, "1MiB"},
		{1, 256 << 20, "256MiB"},
	} {
		b.Run("files="+strconv.Itoa(tc.files)+"/size="+tc.name, func(b *testing.B) {
			dir := filepath.Join(b.TempDir(), "batch")
			if err := os.Mkdir(dir, 0o755); err != nil {
				b.Fatal(err)
			}
			bt := &strategies.Batch{Dir: dir, Files: tc.files, Size: tc.size,
				Params: strategies.Params{Chunk: 1 << 20}.WithDefaults(), Content: strategies.NewContent(1)}
			s, err := strategies.Lookup("chunked")
			if err != nil {
				b.Fatal(err)
			}
			if err := s.Write(context.Background(), bt); err != nil {
				b.Fatal(err)
			}
			b.SetBytes(int64(tc.files) * tc.size)
			b.ReportAllocs()
			for b.Loop() {
				if err := strategies.Verify(context.Background(), bt); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*tc.files), "ns/file")
		})
	}
}
