package judge_test

import (
	"context"
	"encoding/json"
	"math"
	"os"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/writebench/writebench"
	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/stats"
	"github.com/writebench/writebench/strategies"
)

// TestIntervalCoverage measures how often the printed 95% intervals hold
// a known truth. "a" is the built-in bufio, "b" the same made slower by
// WRITEBENCH_COVERAGE_HANDICAP (default 0.1: it spins for a tenth of each
// batch's own time after it). The truth is b's speed relative to a, the
// median per-round paired ratio of a long interleaved run
// (WRITEBENCH_COVERAGE_TRUTH rounds, default 300, half before and half
// after the short runs, so a machine that changed meanwhile shows as two
// different halves). Then WRITEBENCH_COVERAGE_RUNS short runs (default
// 100) of WRITEBENCH_COVERAGE_ROUNDS rounds each (default 20) are judged,
// each giving the interval the verdicts and ab print (stats.RatioInterval
// at 95%), and the test counts those that hold the truth; it counts the
// plain sign-test interval (independent rounds assumed) beside it.
//
// WRITEBENCH_COVERAGE_MODE=ab samples as `writebench ab` does (one batch
// per sample, 100 rounds unless ROUNDS is set); the default "run" samples
// as `writebench run` does (--min-sample, the runner's loop calibration).
// The workload is 16 files of 64 KiB, sync none, under
// WRITEBENCH_COVERAGE_DIR or the test's temporary directory.
// WRITEBENCH_COVERAGE_DUMP=FILE writes every short run's paired ratios,
// their loop counts and the two halves of the long run as JSON, for a
// look at run-to-run variation.
//
//	WRITEBENCH_COVERAGE=1 go test -timeout 3h -run Coverage -v ./judge
//	WRITEBENCH_COVERAGE=1 WRITEBENCH_COVERAGE_MODE=ab go test -timeout 3h -run Coverage -v ./judge
//
// It fails when the widened intervals hold the truth in fewer than 93% of
// at least 100 runs.
func TestIntervalCoverage(t *testing.T) {
	if os.Getenv("WRITEBENCH_COVERAGE") != "1" {
		t.Skip("interval coverage runs the real runner for a long time: set WRITEBENCH_COVERAGE=1 to run it")
	}
	env := func(name string, def float64) float64 {
		v := os.Getenv(name)
		if v == "" {
			return def
		}
		f, err := strconv.ParseFloat(v, 64)
		if err != nil || !(f > 0) {
			t.Fatalf("%s=%q: want a positive number", name, v)
		}
		return f
	}
	mode := os.Getenv("WRITEBENCH_COVERAGE_MODE")
	if mode == "" {
		mode = "run"
	}
	if mode != "run" && mode != "ab" {
		t.Fatalf("WRITEBENCH_COVERAGE_MODE=%q: want run or ab", mode)
	}
	defRounds := 20.0
	if mode == "ab" {
		defRounds = 100
	}
	runs := int(env("WRITEBENCH_COVERAGE_RUNS", 100))
	rounds := int(env("WRITEBENCH_COVERAGE_ROUNDS", defRounds))
	truthRounds := int(env("WRITEBENCH_COVERAGE_TRUTH", 300))
	handicap := env("WRITEBENCH_COVERAGE_HANDICAP", 0.1)
	dir := os.Getenv("WRITEBENCH_COVERAGE_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	bufio, err := strategies.Lookup("bufio")
	if err != nil {
		t.Fatal(err)
	}
	custom := []strategies.Strategy{renamed{bufio, "a"}, handicapped{renamed{bufio, "b"}, handicap}}
	var lastLoops [2]int
	var loops [][2]int
	sweep := func(repeat int, seed uint64) (ratios []float64) {
		cfg := writebench.Config{
			Strategies: []string{"a", "b"}, Custom: custom,
			Files: []int{16}, Sizes: []int64{64 << 10},
			Repeat: repeat, Dir: dir, Seed: seed,
		}
		if mode == "ab" {
			cfg.MinSample = -1 // ab: one batch per sample
		}
		set, err := writebench.Run(context.Background(), cfg)
		if err != nil {
			t.Fatalf("sweep: %v", err)
		}
		var a, b *resultset.Cell
		for i := range set.Results {
			switch set.Results[i].Strategy {
			case "a":
				a = &set.Results[i]
			case "b":
				b = &set.Results[i]
			}
		}
		lastLoops = [2]int{a.Loops, b.Loops}
		return resultset.PairedRatios(a, b) // b's speed relative to a
	}
	start := time.Now()
	half := sweep(truthRounds/2, 1)
	before := stats.Median(half)
	type tally struct{ held, n int }
	var widened, plain tally
	var ivs [][2]float64
	var plains [][2]float64
	var runsRatios [][]float64
	for run := range runs {
		rs := sweep(rounds, uint64(run+2))
		runsRatios = append(runsRatios, rs)
		loops = append(loops, lastLoops)
		_, lo, hi, ok := stats.RatioInterval(rs, judge.DefaultConfidence)
		if !ok {
			t.Fatalf("run %d: %d paired rounds, no interval", run, len(rs))
		}
		ivs = append(ivs, [2]float64{lo, hi})
		srt := slices.Sorted(slices.Values(rs))
		k, _ := stats.SignOrder(len(srt), judge.DefaultConfidence)
		plains = append(plains, [2]float64{srt[k-1], srt[len(srt)-k]})
	}
	rest := sweep(truthRounds-truthRounds/2, 2+uint64(runs))
	after := stats.Median(rest)
	if f := os.Getenv("WRITEBENCH_COVERAGE_DUMP"); f != "" {
		b, _ := json.Marshal(map[string]any{"runs": runsRatios, "loops": loops, "first": half, "last": rest})
		if err := os.WriteFile(f, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	truth := stats.Median(append(half, rest...))
	for i := range ivs {
		for _, c := range []struct {
			iv [2]float64
			t  *tally
		}{{ivs[i], &widened}, {plains[i], &plain}} {
			c.t.n++
			if c.iv[0] <= truth && truth <= c.iv[1] {
				c.t.held++
			}
		}
	}
	pct := func(x tally) float64 { return 100 * float64(x.held) / float64(x.n) }
	t.Logf("command: WRITEBENCH_COVERAGE=1 WRITEBENCH_COVERAGE_MODE=%s WRITEBENCH_COVERAGE_RUNS=%d WRITEBENCH_COVERAGE_ROUNDS=%d WRITEBENCH_COVERAGE_TRUTH=%d WRITEBENCH_COVERAGE_HANDICAP=%g go test -timeout 3h -run Coverage -v ./judge",
		mode, runs, rounds, truthRounds, handicap)
	t.Logf("workload 16 × 64KiB, sync none; b = bufio with a %g%% handicap (nominal speed ratio %.4f)", 100*handicap, 1/(1+handicap))
	t.Logf("truth: %.4f (median of %d paired rounds; first half %.4f, second half %.4f)", truth, truthRounds, before, after)
	t.Logf("printed 95%% intervals (serial-widened sign test): %d of %d held the truth (%.1f%%)", widened.held, widened.n, pct(widened))
	t.Logf("plain sign-test intervals (independent rounds assumed): %d of %d (%.1f%%)", plain.held, plain.n, pct(plain))
	t.Logf("took %s", time.Since(start).Round(time.Second))
	if widened.n >= 100 && pct(widened) < 93 {
		t.Errorf("coverage %.1f%% below 93%% for nominal 95%%", pct(widened))
	}
	if math.IsNaN(truth) {
		t.Errorf("no truth: the long run has no paired rounds")
	}
}
