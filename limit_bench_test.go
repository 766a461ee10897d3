package writebench_test

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/writebench/writebench"
	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/stats"
)

// buildLimit compiles scripts/limit/limit.c, the bare loop of the system
// calls a strategy makes, into a temporary directory, or skips the
// benchmark with the reason.
func buildLimit(b *testing.B) string {
	b.Helper()
	if runtime.GOOS != "linux" {
		b.Skipf("scripts/limit is Linux C (fallocate, O_DIRECT); this is %s", runtime.GOOS)
	}
	gcc, err := exec.LookPath("gcc")
	if err != nil {
		b.Skip("gcc not found: the bare loop (scripts/limit/limit.c) cannot be built")
	}
	bin := filepath.Join(b.TempDir(), "limit")
	if out, err := exec.Command(gcc, "-O2", "-o", bin, filepath.Join("scripts", "limit", "limit.c")).CombinedOutput(); err != nil {
		b.Fatalf("building scripts/limit/limit.c: %v\n%s", err, out)
	}
	return bin
}

// limitPass runs the bare loop for two passes (the first warms the path)
// and returns the second pass's seconds.
func limitPass(b *testing.B, bin, dir string, args ...string) float64 {
	b.Helper()
	out, err := exec.Command(bin, append([]string{args[0], dir}, args[1:]...)...).Output()
	if err != nil {
		b.Fatalf("%s %v: %v", bin, args, err)
	}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		if !strings.Contains(sc.Text(), " pass=2 ") {
			continue
		}
		for _, f := range strings.Fields(sc.Text()) {
			if v, ok := strings.CutPrefix(f, "seconds="); ok {
				s, err := strconv.ParseFloat(v, 64)
				if err != nil {
					b.Fatalf("bare loop: %q: %v", sc.Text(), err)
				}
				return s
			}
		}
	}
	b.Fatalf("bare loop printed no second pass:\n%s", out)
	return 0
}

// BenchmarkLimit holds the harness against the limit of a kernel path: each
// iteration is one round in which writebench (one warm-up and one counted
// repetition through writebench.Run) and the bare loop of the same system
// calls (scripts/limit, two passes, the second kept) each write the same
// workload, in alternating order. It reports both throughputs (medians over
// the rounds) and the median of the per-round ratios writebench / loop,
// next to its goal; the goal is a printed figure, not an assertion. File
// creation drifts by several times across rounds on ext4, far more than
// the goal's margin; only the paired ratio survives that, and its 95%
// interval (logged) needs 6 rounds or more:
//
//	go test -run '^$' -bench Limit -benchtime 10x .
func BenchmarkLimit(b *testing.B) {
	for _, tc := range []struct {
		name   string
		files  int
		size   int64
		chunk  string
		loop   []string // mode SIZE BLOCK PASSES [FILES], DIR inserted after mode
		goal   float64
		strat  string
		nbytes int64
	}{
		{"path=pagecache/files=1/size=1GiB/chunk=1MiB", 1, 1 << 30, "1MiB",
			[]string{"buffered", "1073741824", "1048576", "2"}, 0.95, "chunked", 1 << 30},
		{"path=create/files=10000/size=4KiB", 10_000, 4 << 10, "64KiB",
			[]string{"files", "4096", "4096", "2", "10000"}, 0.90, "chunked", 10_000 * 4 << 10},
	} {
		b.Run(tc.name, func(b *testing.B) {
			bin := buildLimit(b)
			dir := benchDir(b)
			cfg := writebench.Config{
				Strategies: []string{tc.strat}, Files: []int{tc.files}, Sizes: []int64{tc.size},
				Knobs:  map[string][]string{"chunk": {tc.chunk}, "sync": {"none"}, "prealloc": {"none"}},
				Warmup: 1, Repeat: 1, Dir: dir, NoVerify: true, NoSpaceCheck: true, Seed: 1,
			}
			var wb, loop, ratios []float64
			round := 0
			for b.Loop() {
				round++
				var ws, ls float64
				runWB := func() {
					set, err := writebench.Run(context.Background(), cfg)
					if err != nil {
						b.Fatal(err)
					}
					r := set.Results[0]
					if r.Error != "" || len(r.Seconds) != 1 {
						b.Fatalf("writebench: error %q, %d samples", r.Error, len(r.Seconds))
					}
					ws = r.Seconds[0]
				}
				runLoop := func() {
					d, err := os.MkdirTemp(dir, "limit-")
					if err != nil {
						b.Fatal(err)
					}
					ls = limitPass(b, bin, d, tc.loop...)
					os.RemoveAll(d)
				}
				if round%2 == 1 {
					runWB()
					runLoop()
				} else {
					runLoop()
					runWB()
				}
				wb = append(wb, float64(tc.nbytes)/ws)
				loop = append(loop, float64(tc.nbytes)/ls)
				ratios = append(ratios, ls/ws) // throughput wb / throughput loop
			}
			est, lo, hi, ok := stats.RatioInterval(ratios, judge.DefaultConfidence)
			b.ReportMetric(stats.Median(wb)/1e6, "wb-MB/s")
			b.ReportMetric(stats.Median(loop)/1e6, "loop-MB/s")
			b.ReportMetric(est, "wb/loop")
			b.ReportMetric(tc.goal, "goal")
			interval := fmt.Sprintf("needs %d rounds", stats.MinPairs(judge.DefaultConfidence))
			if ok {
				interval = fmt.Sprintf("[%.3f, %.3f]", lo, hi)
			}
			b.Logf("writebench / bare loop over %d paired rounds: %.3f, 95%% interval %s; goal >= %.2f", len(ratios), est, interval, tc.goal)
		})
	}
}
