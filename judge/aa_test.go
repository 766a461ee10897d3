package judge_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/writebench/writebench"
	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies"
)

// renamed is a built-in strategy under another name: two of them are an
// A/A pair, identical in everything but the name.
type renamed struct {
	strategies.Strategy
	name string
}

func (r renamed) Name() string { return r.name }

// handicapped is a built-in strategy made slower by a known fraction: after
// each batch it spins for that fraction of the batch's own time, so its
// true speed relative to the original is 1/(1+h).
type handicapped struct {
	renamed
	h float64
}

func (s handicapped) Write(ctx context.Context, b *strategies.Batch) error {
	t0 := time.Now()
	err := s.Strategy.Write(ctx, b)
	until := t0.Add(time.Duration(float64(time.Since(t0)) * (1 + s.h)))
	for time.Now().Before(until) {
	}
	return err
}

// TestAAFalseDecisions runs the real runner on an A/A pair ("a" and "b",
// both the built-in bufio) many times and counts how often a group gets a
// winner although there is nothing to find. With the default options (a
// false "winner" needs a proven lead of more than the ±5% tie margin) the
// rate must stay at or below alpha = 1 - confidence = 5%. The same runs are
// also judged with a margin of 0.1% (any proven difference counts): that is
// the plain false-positive rate of the paired interval with the fastest
// picked from the data, logged for information. With 10 independent pairs
// it would be about 2% (the sign-test interval's actual confidence is
// 97.9%); more means the rounds are not independent, or that "identical"
// cells differ within a run (see docs/verdicts.md).
//
// It writes real files (two groups per run: 16 × 4 KiB and 16 × 64 KiB, 10
// counted rounds, under $WRITEBENCH_AA_DIR or the test's temporary
// directory) and takes minutes, so it runs only with WRITEBENCH_AA=1;
// WRITEBENCH_AA_RUNS sets the number of runs (default 200, 400 groups).
// The rate is judged only from 100 groups up; fewer are just logged.
// WRITEBENCH_AA_VERBOSE=1 logs every contender of every group with a
// winner, with its samples.
func TestAAFalseDecisions(t *testing.T) {
	if os.Getenv("WRITEBENCH_AA") != "1" {
		t.Skip("A/A false-decision check runs the real runner for about a minute: set WRITEBENCH_AA=1 to run it")
	}
	aa := aaSettings(t)
	runs, dir, custom, names, handicap, budget := aa.runs, aa.dir, aa.custom, aa.names, aa.handicap, aa.budget
	margins := []float64{judge.DefaultTie, 0.001} // only the first (the default) is asserted
	counts := make([]aaTally, len(margins))
	for run := range runs {
		cfg := writebench.Config{
			Strategies: names,
			Custom:     custom,
			Files:      []int{16},
			Sizes:      []int64{4 << 10, 64 << 10},
			Repeat:     10,
			Dir:        dir,
			Seed:       uint64(run + 1),
		}
		if budget > 0 {
			cfg.Budget, cfg.Repeat = budget, 30
		}
		set, err := writebench.Run(context.Background(), cfg)
		if err != nil {
			t.Fatalf("run %d: %v", run, err)
		}
		for i, m := range margins {
			o := judge.OptionsFor(set) // the set's own per-look confidence
			o.Tie = m
			for _, v := range judge.Verdicts(set, o) {
				if os.Getenv("WRITEBENCH_AA_VERBOSE") != "" && v.Verdict == judge.Winner {
					logWinner(t, set, run, m, v)
				}
				counts[i].add(v, handicap)
			}
		}
	}
	alpha := 1 - judge.DefaultConfidence
	for i, m := range margins {
		c := counts[i]
		rate := float64(c.winner) / float64(c.groups)
		if handicap > 0 {
			rate = float64(c.wrong) / float64(c.groups) // a winner is right, b decided fastest is wrong
		}
		msg := fmt.Sprintf("tie margin ±%g%%: %d groups from %d runs: %d winner, %d tie, %d undecided",
			100*m, c.groups, runs, c.winner, c.tie, c.undecided)
		if handicap > 0 {
			msg += fmt.Sprintf("; %d decided with b fastest (%.1f%%)", c.wrong, 100*rate)
		} else {
			msg += fmt.Sprintf("; false winners %.1f%%", 100*rate)
		}
		if c.compared > 0 {
			msg += fmt.Sprintf("; %d of %d identical contenders labelled slower than the fastest (%.1f%%)", c.slower, c.compared, 100*float64(c.slower)/float64(c.compared))
		}
		t.Log(msg)
		if c.groups < 100 {
			t.Logf("tie margin ±%g%%: fewer than 100 groups, too few to judge the rate", 100*m)
		}
		if i == 0 && c.groups >= 100 && rate > alpha && (handicap == 0 || handicap > m) {
			t.Errorf("%s: false decision rate %.1f%% above alpha %.0f%%", msg, 100*rate, 100*alpha)
		}
	}
}

// aaSettingsT are the A/A check's settings; aaSettings reads them from the environment.
type aaSettingsT struct {
	runs     int
	dir      string
	custom   []strategies.Strategy
	names    []string
	handicap float64
	budget   time.Duration
}

func aaSettings(t *testing.T) aaSettingsT {
	var err error
	runs := 200
	if v := os.Getenv("WRITEBENCH_AA_RUNS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 {
			t.Fatalf("WRITEBENCH_AA_RUNS=%q: want a positive integer", v)
		}
		runs = n
	}
	dir := os.Getenv("WRITEBENCH_AA_DIR")
	if dir == "" {
		dir = t.TempDir()
	}
	bufio, err := strategies.Lookup("bufio")
	if err != nil {
		t.Fatal(err)
	}
	custom := []strategies.Strategy{renamed{bufio, "a"}, renamed{bufio, "b"}}
	// WRITEBENCH_AA_CONTENDERS=4 adds identical contenders "c", "d", ...
	// (up to 8 in all): with more than two, the interim look of an
	// adaptive run settles some of them, and the final verdict must still
	// hold (see Cell.Settled).
	if v := os.Getenv("WRITEBENCH_AA_CONTENDERS"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 2 || n > 8 {
			t.Fatalf("WRITEBENCH_AA_CONTENDERS=%q: want 2 to 8", v)
		}
		for k := 2; k < n; k++ {
			custom = append(custom, renamed{bufio, string(rune('a' + k))})
		}
	}
	names := make([]string, len(custom))
	for k, c := range custom {
		names[k] = c.Name()
	}
	// WRITEBENCH_AA_HANDICAP=0.1 makes "b" slower by that fraction (an A/B
	// check with a known answer): then "a" is faster by more than the tie
	// margin, and a decided group that names "b" the fastest is wrong (the
	// indifference-zone error; see the package comment). Counted as
	// "wrong", asserted at or below alpha like false winners.
	handicap := 0.0
	if v := os.Getenv("WRITEBENCH_AA_HANDICAP"); v != "" {
		if handicap, err = strconv.ParseFloat(v, 64); err != nil || !(handicap > 0) {
			t.Fatalf("WRITEBENCH_AA_HANDICAP=%q: want a positive fraction", v)
		}
		custom[1] = handicapped{renamed{bufio, "b"}, handicap}
		t.Logf("b is a with a %.3g%% handicap: a is %.3g%% faster", 100*handicap, 100*handicap)
	}
	// WRITEBENCH_AA_BUDGET=30s runs each sweep adaptively (up to 30
	// rounds within the budget, one interim look), as the default preset
	// does, to measure the false decisions of adaptive sampling too.
	var budget time.Duration
	if v := os.Getenv("WRITEBENCH_AA_BUDGET"); v != "" {
		if budget, err = time.ParseDuration(v); err != nil || budget <= 0 {
			t.Fatalf("WRITEBENCH_AA_BUDGET=%q: want a positive duration", v)
		}
	}
	return aaSettingsT{runs, dir, custom, names, handicap, budget}
}

// aaTally counts the verdicts of one tie margin.
type aaTally struct{ groups, winner, tie, undecided, wrong, compared, slower int }

// add counts verdict v ("b" handicapped when handicap > 0).
func (c *aaTally) add(v judge.Verdict, handicap float64) {
	c.groups++
	if v.Verdict != judge.Undecided && v.Fastest == "b" {
		c.wrong++
	}
	// Per comparison: an identical contender labelled slower
	// than the fastest is one interval's one-sided error.
	for _, ct := range v.Contenders {
		if ct.Verdict == judge.Fastest || (handicap > 0 && ct.Label == "b") {
			continue
		}
		c.compared++
		if ct.Verdict == judge.Slower {
			c.slower++
		}
	}
	switch v.Verdict {
	case judge.Winner:
		c.winner++
	case judge.Tie:
		c.tie++
	default:
		c.undecided++
	}
}

// logWinner logs the contenders of a winner verdict of run.
func logWinner(t *testing.T, set *resultset.Set, run int, m float64, v judge.Verdict) {
	for _, c := range v.Contenders {
		sec := set.Results[c.Cell].Seconds
		t.Logf("run %d tie %g %v: %s %s %.3f [%.3f, %.3f] n=%d loops %d seconds %.4g", run, m, v.Group[:2], v.Verdict, c.Label, c.Ratio, c.CILow, c.CIHigh, c.Pairs, set.Results[c.Cell].Loops, sec)
	}
}
