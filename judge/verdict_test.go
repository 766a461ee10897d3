package judge

import (
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/writebench/writebench/resultset"
)

// spec describes one synthetic cell: its typical seconds and its own noise
// (relative, uniform ±noise), on top of the set's per-round drift.
type spec struct {
	strategy string
	chunk    int
	seconds  float64
	noise    float64
	corrupt  bool
	skipped  string
	err      string
	rounds   []int // nil: 0..n-1
}

// makeSet builds a set of cells with 1 file of 4 KiB, sync none, n rounds.
// drift[k] multiplies every cell's sample of round k (nil: no drift).
func makeSet(seed uint64, n int, drift []float64, specs ...spec) *resultset.Set {
	rng := rand.New(rand.NewPCG(seed, 7))
	s := &resultset.Set{Schema: 1, Tool: "writebench", Complete: true}
	for _, sp := range specs {
		c := resultset.Cell{Strategy: sp.strategy, Files: 1, FileSize: 4096, Chunk: sp.chunk, Sync: "none",
			Skipped: sp.skipped, Error: sp.err}
		if sp.skipped == "" && sp.err == "" {
			rounds := sp.rounds
			if rounds == nil {
				for k := range n {
					rounds = append(rounds, k)
				}
			}
			c.Rounds = rounds
			for _, k := range rounds {
				x := sp.seconds * (1 + sp.noise*(2*rng.Float64()-1))
				if drift != nil {
					x *= drift[k]
				}
				c.Seconds = append(c.Seconds, x)
				if sp.corrupt {
					c.Records = append(c.Records, 100)
					c.CorruptRecords = append(c.CorruptRecords, 3)
				}
			}
		}
		s.Results = append(s.Results, c)
	}
	return s
}

func contender(t *testing.T, v Verdict, label string) Contender {
	t.Helper()
	for _, c := range v.Contenders {
		if c.Label == label {
			return c
		}
	}
	t.Fatalf("no contender %q in %+v", label, v.Contenders)
	return Contender{}
}

func only(t *testing.T, s *resultset.Set) Verdict {
	t.Helper()
	vs := Verdicts(s, Options{})
	if len(vs) != 1 {
		t.Fatalf("got %d verdicts, want 1", len(vs))
	}
	return vs[0]
}

func TestVerdicts(t *testing.T) {
	// Per-round drift of up to 3x that moves every cell of a round
	// together: pairing cancels it.
	drift := make([]float64, 12)
	for k := range drift {
		drift[k] = 1 + 2*float64(k%4)/3
	}
	for _, tt := range []verdictCase{
		{
			name: "clear winner",
			set: makeSet(1, 10, nil, spec{strategy: "bufio", seconds: 1.3, noise: 0.02},
				spec{strategy: "chunked", seconds: 1.0, noise: 0.02}, spec{strategy: "pool", seconds: 2.0, noise: 0.02}),
			verdict: Winner, fastest: "chunked", leaders: []string{"chunked"},
			per:   map[string]string{"chunked": Fastest, "bufio": Slower, "pool": Slower},
			ratio: map[string]float64{"chunked": 1, "bufio": 1 / 1.3, "pool": 0.5},
		},
		{
			name: "winner through drift: paired ratios cancel it",
			set: makeSet(2, 12, drift, spec{strategy: "a", seconds: 1.2, noise: 0.01},
				spec{strategy: "b", seconds: 1.0, noise: 0.01}),
			verdict: Winner, fastest: "b", per: map[string]string{"a": Slower}, ratio: map[string]float64{"a": 1 / 1.2},
		},
		{
			name: "tie",
			set: makeSet(3, 12, nil, spec{strategy: "bufio", seconds: 1.0, noise: 0.005},
				spec{strategy: "chunked", seconds: 1.01, noise: 0.005}, spec{strategy: "unbuffered", seconds: 0.995, noise: 0.005},
				spec{strategy: "pool", seconds: 1.28, noise: 0.005}),
			verdict: Tie, fastest: "unbuffered", leaders: []string{"unbuffered", "bufio", "chunked"},
			per: map[string]string{"bufio": Tie, "chunked": Tie, "unbuffered": Fastest, "pool": Slower},
		},
		{
			// b is 4.8% slower: its interval straddles 1 - Tie, so whether
			// it is slower or tied stays open, but it cannot be faster than
			// a by more than the margin: a is the choice.
			name: "near the margin: no faster decides the group",
			set: makeSet(13, 12, nil, spec{strategy: "a", seconds: 1.0, noise: 0.03},
				spec{strategy: "b", seconds: 1.05, noise: 0.03}, spec{strategy: "c", seconds: 2, noise: 0.03}),
			verdict: Tie, fastest: "a", leaders: []string{"a"},
			per:      map[string]string{"a": Fastest, "b": Undecided, "c": Slower},
			noFaster: []string{"b"},
		},
		{
			name: "undecided: noisy and few rounds",
			set: makeSet(4, 6, nil, spec{strategy: "a", seconds: 1.0, noise: 0.15},
				spec{strategy: "b", seconds: 1.04, noise: 0.15}),
			verdict: Undecided, per: map[string]string{}, moreLow: 1, moreHigh: MaxMoreRounds,
		},
		{
			name: "undecided: too few rounds for any interval",
			set: makeSet(5, 3, nil, spec{strategy: "a", seconds: 1.0, noise: 0.01},
				spec{strategy: "b", seconds: 2.0, noise: 0.01}),
			verdict: Undecided, fastest: "a", per: map[string]string{"a": Fastest, "b": Undecided},
			ratio: map[string]float64{"b": 0.5}, moreLow: 3, moreHigh: 3,
		},
		{
			name: "unsafe fastest is never the winner",
			set: makeSet(6, 10, nil, spec{strategy: "shared", seconds: 0.5, noise: 0.01, corrupt: true},
				spec{strategy: "locked", seconds: 1.0, noise: 0.01}, spec{strategy: "slow", seconds: 1.5, noise: 0.01}),
			verdict: Winner, fastest: "locked", leaders: []string{"locked"},
			per:   map[string]string{"shared": Unsafe, "locked": Fastest, "slow": Slower},
			ratio: map[string]float64{"shared": 2, "slow": 1 / 1.5},
		},
		{
			name: "skipped and failed contenders are listed, not zero",
			set: makeSet(7, 8, nil, spec{strategy: "direct", skipped: "O_DIRECT is not supported on tmpfs"},
				spec{strategy: "a", seconds: 1.0, noise: 0.01}, spec{strategy: "b", seconds: 1.5, noise: 0.01},
				spec{strategy: "broken", err: "write: EIO"}),
			verdict: Winner, fastest: "a",
			per: map[string]string{"direct": Skipped, "broken": Failed, "a": Fastest, "b": Slower},
		},
		{
			name: "knob sweep of one strategy: labels are the knob values",
			set: makeSet(8, 10, nil, spec{strategy: "chunked", chunk: 4096, seconds: 2.0, noise: 0.01},
				spec{strategy: "chunked", chunk: 65536, seconds: 1.0, noise: 0.01},
				spec{strategy: "chunked", chunk: 1 << 20, seconds: 1.01, noise: 0.01}),
			verdict: Tie, fastest: "chunk=64KiB", leaders: []string{"chunk=64KiB", "chunk=1MiB"},
			per: map[string]string{"chunk=4KiB": Slower, "chunk=64KiB": Fastest, "chunk=1MiB": Tie},
		},
		{
			name: "knob sweep beside other strategies: strategy plus knob",
			set: makeSet(9, 10, nil, spec{strategy: "chunked", chunk: 4096, seconds: 2.0, noise: 0.01},
				spec{strategy: "chunked", chunk: 65536, seconds: 1.0, noise: 0.01},
				spec{strategy: "bufio", seconds: 1.5, noise: 0.01}),
			verdict: Winner, fastest: "chunked chunk=64KiB",
			per: map[string]string{"chunked chunk=4KiB": Slower, "bufio": Slower},
		},
		{
			name: "pairs only rounds both cells have",
			set: makeSet(10, 16, nil, spec{strategy: "a", seconds: 1.0, noise: 0.01},
				spec{strategy: "b", seconds: 1.3, noise: 0.01, rounds: []int{1, 3, 5, 7, 9, 11, 13, 15}}),
			verdict: Winner, fastest: "a", per: map[string]string{"b": Slower},
		},
		{
			name:    "every contender failed or skipped",
			set:     makeSet(11, 8, nil, spec{strategy: "a", err: "boom"}, spec{strategy: "b", skipped: "no io_uring"}),
			verdict: Undecided, fastest: "",
			per: map[string]string{"a": Failed, "b": Skipped},
		},
	} {
		t.Run(tt.name, func(t *testing.T) { tt.check(t) })
	}
}

// verdictCase is one case of TestVerdicts.
type verdictCase struct {
	name     string
	set      *resultset.Set
	verdict  string
	fastest  string
	leaders  []string
	per      map[string]string  // contender label -> verdict
	ratio    map[string]float64 // contender label -> approximate ratio (±3%)
	moreLow  int                // MoreRounds >= moreLow (0: must be 0)
	moreHigh int
	noFaster []string // the contenders that must be NoFaster; every other must not be
}

// check runs the case.
func (tt verdictCase) check(t *testing.T) {
	v := only(t, tt.set)
	if v.Verdict != tt.verdict {
		t.Errorf("verdict %q, want %q (%+v)", v.Verdict, tt.verdict, v.Contenders)
	}
	if tt.fastest != "" || tt.verdict != Undecided {
		if v.Fastest != tt.fastest {
			t.Errorf("fastest %q, want %q", v.Fastest, tt.fastest)
		}
	}
	if tt.leaders != nil && !slices.Equal(v.Leaders, tt.leaders) {
		t.Errorf("leaders %q, want %q", v.Leaders, tt.leaders)
	}
	for label, want := range tt.per {
		if c := contender(t, v, label); c.Verdict != want {
			t.Errorf("%s: verdict %q, want %q (ratio %.3f [%.3f, %.3f], %d pairs)", label, c.Verdict, want, c.Ratio, c.CILow, c.CIHigh, c.Pairs)
		}
	}
	for label, want := range tt.ratio {
		if c := contender(t, v, label); !(math.Abs(c.Ratio/want-1) < 0.03) {
			t.Errorf("%s: ratio %v, want about %v", label, c.Ratio, want)
		}
	}
	if tt.moreLow == 0 && v.MoreRounds != 0 {
		t.Errorf("MoreRounds = %d, want 0", v.MoreRounds)
	}
	if tt.moreLow > 0 && (v.MoreRounds < tt.moreLow || v.MoreRounds > tt.moreHigh) {
		t.Errorf("MoreRounds = %d, want in [%d, %d]", v.MoreRounds, tt.moreLow, tt.moreHigh)
	}
	tt.checkContenders(t, v)

}

// checkContenders checks every contender of v: intervals hold their ratio,
// skipped and failed ones have no ratio, NoFaster is set exactly where
// the case says, and the fastest comes first.
func (tt verdictCase) checkContenders(t *testing.T, v Verdict) {
	for _, c := range v.Contenders {
		if c.Verdict == Slower || c.Verdict == Tie {
			if !(c.CILow <= c.Ratio && c.Ratio <= c.CIHigh) {
				t.Errorf("%s: ratio %v outside its interval [%v, %v]", c.Label, c.Ratio, c.CILow, c.CIHigh)
			}
		}
		if c.Verdict == Skipped || c.Verdict == Failed {
			if !math.IsNaN(c.Ratio) || c.Note == "" {
				t.Errorf("%s: %s with ratio %v and note %q; want NaN and a reason", c.Label, c.Verdict, c.Ratio, c.Note)
			}
		}
	}
	for _, c := range v.Contenders {
		want := slices.Contains(tt.noFaster, c.Label)
		if c.NoFaster != want {
			t.Errorf("%s: NoFaster %v, want %v (%s [%.3f, %.3f])", c.Label, c.NoFaster, want, c.Verdict, c.CILow, c.CIHigh)
		}
		if c.NoFaster && (c.Verdict != Undecided || !(c.CIHigh <= 1+DefaultTie) || c.Note == "") {
			t.Errorf("%s: NoFaster with verdict %s, upper bound %v, note %q", c.Label, c.Verdict, c.CIHigh, c.Note)
		}
	}
	if len(v.Contenders) > 0 && v.Fastest != "" && v.Contenders[0].Label != v.Fastest {
		t.Errorf("first contender %q, want the fastest %q", v.Contenders[0].Label, v.Fastest)
	}
}

// Unsafe contenders carry their record counts.
func TestVerdictUnsafeCounts(t *testing.T) {
	s := makeSet(12, 6, nil, spec{strategy: "shared", seconds: 0.5, corrupt: true}, spec{strategy: "locked", seconds: 1})
	c := contender(t, only(t, s), "shared")
	if !c.Unsafe || c.Records != 600 || c.CorruptRecords != 18 {
		t.Errorf("shared: unsafe %v, %d of %d records; want true, 18 of 600", c.Unsafe, c.CorruptRecords, c.Records)
	}
}

// Intersection-union: every comparison is made at the group's confidence,
// so a crowd of contenders needs no more rounds than a pair.
func TestVerdictIntersectionUnion(t *testing.T) {
	two := only(t, makeSet(13, 6, nil, spec{strategy: "a", seconds: 1, noise: 0.01}, spec{strategy: "b", seconds: 2, noise: 0.01}))
	if two.PairConfidence != 0.95 || two.Verdict != Winner {
		t.Errorf("two contenders: confidence %v, verdict %s; want 0.95, winner", two.PairConfidence, two.Verdict)
	}
	seven := only(t, makeSet(13, 6, nil, spec{strategy: "a", seconds: 1, noise: 0.01}, spec{strategy: "b", seconds: 2, noise: 0.01},
		spec{strategy: "c", seconds: 2, noise: 0.01}, spec{strategy: "d", seconds: 1.5, noise: 0.01}, spec{strategy: "e", seconds: 3, noise: 0.01},
		spec{strategy: "f", seconds: 1.2, noise: 0.01}, spec{strategy: "g", seconds: 4, noise: 0.01}))
	if seven.PairConfidence != 0.95 || seven.Verdict != Winner || seven.Fastest != "a" {
		t.Errorf("seven contenders, 6 rounds: confidence %v, %s (fastest %q); want 0.95, winner a", seven.PairConfidence, seven.Verdict, seven.Fastest)
	}
	// One undecided comparison keeps the whole group undecided.
	close := only(t, makeSet(13, 6, nil, spec{strategy: "a", seconds: 1, noise: 0.01}, spec{strategy: "b", seconds: 2, noise: 0.01},
		spec{strategy: "c", seconds: 1.04, noise: 0.03}))
	if close.Verdict == Winner {
		t.Errorf("a contender within the margin: verdict %s, want no winner", close.Verdict)
	}
}

func TestVerdictOptions(t *testing.T) {
	s := makeSet(14, 10, nil, spec{strategy: "a", seconds: 1, noise: 0.005}, spec{strategy: "b", seconds: 1.08, noise: 0.005})
	if v := Verdicts(s, Options{})[0]; v.Verdict != Winner || v.Tie != DefaultTie {
		t.Errorf("default tie: %s (tie %v), want winner", v.Verdict, v.Tie)
	}
	if v := Verdicts(s, Options{Tie: 0.10})[0]; v.Verdict != Tie {
		t.Errorf("tie 10%%: %s, want tie", v.Verdict)
	}
}

func TestGroups(t *testing.T) {
	s := &resultset.Set{Results: []resultset.Cell{
		{Strategy: "a", Files: 16, FileSize: 4096, Sync: "none"},
		{Strategy: "a", Files: 1, FileSize: 4096, Sync: "none"},
		{Strategy: "b", Files: 16, FileSize: 4096, Sync: "none"},
		{Strategy: "b", Files: 1, FileSize: 4096, Sync: "none"},
		{Strategy: "b", Files: 1, FileSize: 4096, Sync: "data"}, // alone: no group
		{Strategy: "c", Files: 1, FileSize: 4096, Sync: "none"},
	}}
	got := Groups(s)
	want := [][]int{{1, 3, 5}, {0, 2}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("Groups = %v, want %v", got, want)
	}
}

// The fixed parameters of a group: files, size, sync and any knob every
// cell shares.
func TestVerdictGroupParams(t *testing.T) {
	s := makeSet(15, 6, nil, spec{strategy: "a", chunk: 65536, seconds: 1}, spec{strategy: "b", chunk: 65536, seconds: 2})
	want := []resultset.Param{{Name: "files", Value: "1"}, {Name: "size", Value: "4KiB"}, {Name: "sync", Value: "none"}, {Name: "chunk", Value: "64KiB"}}
	if v := only(t, s); !slices.Equal(v.Group, want) {
		t.Errorf("group %v, want %v", v.Group, want)
	}
}

func TestGroupDecided(t *testing.T) {
	all := func(s *resultset.Set) []int {
		var out []int
		for i := range s.Results {
			out = append(out, i)
		}
		return out
	}
	for _, tt := range []struct {
		name string
		set  *resultset.Set
		want bool
	}{
		{"clear winner", makeSet(20, 8, nil, spec{strategy: "a", seconds: 1, noise: 0.01}, spec{strategy: "b", seconds: 1.5, noise: 0.01}), true},
		{"too few rounds", makeSet(21, 4, nil, spec{strategy: "a", seconds: 1, noise: 0.01}, spec{strategy: "b", seconds: 1.5, noise: 0.01}), false},
		{"noisy", makeSet(22, 8, nil, spec{strategy: "a", seconds: 1, noise: 0.2}, spec{strategy: "b", seconds: 1.05, noise: 0.2}), false},
		// Exactly at the tie margin: never decided, but precise enough.
		{"precise but on the margin", makeSet(23, 40, nil, spec{strategy: "a", seconds: 1, noise: 0.004}, spec{strategy: "b", seconds: 1 / 0.95, noise: 0.004}), true},
		{"nothing ran", makeSet(24, 4, nil, spec{strategy: "a", err: "x"}, spec{strategy: "b", skipped: "y"}), true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			if got := GroupDecided(tt.set, all(tt.set), Options{}, 0); got != tt.want {
				v := Decide(tt.set, all(tt.set), Options{})
				t.Errorf("GroupDecided = %v, want %v (%s, %+v)", got, tt.want, v.Verdict, v.Contenders)
			}
		})
	}
}

// A stricter per-look confidence (the optional-stopping guard) needs more
// rounds for the same data.
func TestGroupDecidedLookCorrection(t *testing.T) {
	s := makeSet(25, 6, nil, spec{strategy: "a", seconds: 1, noise: 0.01}, spec{strategy: "b", seconds: 1.5, noise: 0.01})
	cells := []int{0, 1}
	if !GroupDecided(s, cells, Options{}, 0) {
		t.Error("6 rounds at 95%: want decided")
	}
	if GroupDecided(s, cells, Options{Confidence: 1 - 0.05/10}, 0) {
		t.Error("6 rounds at 99.5% (10 looks): want undecided")
	}
}

// A set sampled adaptively records its tie margin and per-look confidence;
// OptionsFor hands them to the final verdict.
func TestOptionsFor(t *testing.T) {
	s := makeSet(30, 10, nil, spec{strategy: "a", seconds: 1, noise: 0.005}, spec{strategy: "b", seconds: 1.08, noise: 0.005})
	if o := OptionsFor(s); o != (Options{}) {
		t.Errorf("no env: %+v, want zero (defaults)", o)
	}
	s.Env.Tie, s.Env.Confidence = 0.10, 0.99
	o := OptionsFor(s)
	if o.Tie != 0.10 || o.Confidence != 0.99 {
		t.Errorf("OptionsFor = %+v, want tie 0.10, confidence 0.99", o)
	}
	if v := Verdicts(s, o)[0]; v.Verdict != Tie || v.Confidence != 0.99 {
		t.Errorf("verdict %s at %v, want tie at 0.99", v.Verdict, v.Confidence)
	}
}

// Contenders calibrated to different loop counts get a warning: the A/A
// check found that per-batch times of different loop counts differ.
func TestVerdictLoopsWarning(t *testing.T) {
	s := makeSet(31, 10, nil, spec{strategy: "a", seconds: 1, noise: 0.01}, spec{strategy: "b", seconds: 1.5, noise: 0.01})
	if v := only(t, s); len(v.Warnings) != 0 {
		t.Errorf("same loops: warnings %q", v.Warnings)
	}
	s.Results[0].Loops, s.Results[1].Loops = 3, 10
	v := only(t, s)
	if len(v.Warnings) != 1 || !strings.Contains(v.Warnings[0], "3 to 10 batches per sample") {
		t.Errorf("loops 3 and 10: warnings %q", v.Warnings)
	}
	s.Results[0].Loops, s.Results[1].Loops = 0, 1 // 0 means once
	if v := only(t, s); len(v.Warnings) != 0 {
		t.Errorf("loops 0 and 1: warnings %q", v.Warnings)
	}
}

// TestVerdictFastestInCycle: paired medians can form a cycle (b beats a,
// c beats b, a beats c). The fastest is then the contender beaten by the
// least, so the line never says "c leads a (1.03×)" when picking b would
// leave no contender above 1.01×. (Walking from beater to beater, as an
// earlier version did, stopped at c.)
func TestVerdictFastestInCycle(t *testing.T) {
	types := [][3]float64{ // seconds of a, b, c in three kinds of rounds
		{1.00, 0.97, 1.05},
		{1.03, 1.00, 0.99},
		{0.97, 1.03, 1.00},
	}
	s := &resultset.Set{Schema: 1, Tool: "writebench", Complete: true}
	for i, name := range []string{"a", "b", "c"} {
		c := resultset.Cell{Strategy: name, Files: 1, FileSize: 4096, Sync: "none"}
		for k := range 12 {
			c.Rounds = append(c.Rounds, k)
			c.Seconds = append(c.Seconds, types[k%3][i])
		}
		s.Results = append(s.Results, c)
	}
	v := only(t, s)
	if v.Fastest != "b" {
		t.Fatalf("fastest %q, want b (beaten only by c, at 1.01×): %+v", v.Fastest, v.Contenders)
	}
	for _, c := range v.Contenders {
		if c.Ratio > 1.011 {
			t.Errorf("%s at %.3f× of the fastest; want at most 1.01×", c.Label, c.Ratio)
		}
	}
}
