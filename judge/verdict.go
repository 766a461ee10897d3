// Package judge makes writebench's decisions. It decides, inside one result
// set, which strategy (or which value of a swept knob) is fastest for every comparison group, from
// per-round paired ratios: the answer writebench prints first. It imports
// the result schema and stats only, no renderer, so the runner can
// call GroupDecided for adaptive sampling.
//
// # Groups
//
// A comparison group is one workload: the cells of one result set equal in
// every workload axis (resultset.Axes() with Role Workload: files, size,
// record and sync by default; the axes not in the set's contender axes,
// resultset.VsOf, when run's --vs named them). The contender axes (the
// strategy and its knobs) are choices of how to write, so cells that differ
// only in them compete. A cell to which a workload axis does not apply
// (chunked has no record size) competes in every group that agrees with it
// on the axes it has; Blocks merges such groups for the runner. A contender
// is one cell; its label is its strategy plus the contender axes whose value
// differs between the cells of that strategy in the group (a default that
// keys leave out, such as prealloc "none", counts as a value), e.g.
// "chunked chunk=64KiB". When every cell of a group has the same strategy
// (a pure knob sweep) the label is the knob values alone ("chunk=64KiB",
// "chunk=64KiB prealloc=none").
// Groups with a single cell are not compared and get no verdict.
//
// # Paired ratios
//
// The runner interleaves repetitions: sample k of every cell of a sweep ran
// in round Cell.Round(k), back to back with the other cells' samples of
// that round. Pairing two cells' samples by round cancels the drift that
// moves all of them together (writeback of an earlier cell, a neighbour on
// the host), which independent per-cell intervals cannot. For a contender c
// and the group's fastest cell F the per-round ratio is
// seconds_F(k) / seconds_c(k), c's speed relative to F (below 1 when c is
// slower); files and size are equal inside a group, so this is also the
// ratio of throughputs. The estimate and its interval come from
// stats.RatioInterval: the median ratio with the sign-test interval,
// distribution-free, widened by the serial variance inflation of the rounds
// when neighbouring rounds are alike (see there for why).
//
// The fastest cell F is found by a walk: from the safe, successful
// contender with the smallest median seconds, on to any contender whose
// median paired ratio to it is above 1, until none is. Paired medians can
// form a cycle (a beats b, b beats c, c beats a); then F is, of the
// contenders the walk visited and those that beat its end, the one whose
// largest ratio from any other contender is smallest: the one beaten by
// the least. A cell the runner settled at its
// interim look (resultset.Cell.Settled: shown then to be no faster than
// any contender that went on) is never F: it stopped with fewer rounds,
// and the contenders that went on would otherwise meet it on those alone.
//
// # Decisions
//
// With Tie the margin (default 5%) each contender other than F is
//
//   - "slower" when its whole interval lies below 1 - Tie,
//   - "tie" when its whole interval lies inside [1 - Tie, 1 + Tie],
//   - "undecided" otherwise (the interval straddles a boundary, or there
//     are too few paired rounds for an interval: 6 at 95%). An undecided
//     contender whose upper bound is at most 1 + Tie is NoFaster: it is
//     not faster than F by more than the margin, so whatever more rounds
//     would show (slower or tie) cannot change which contender to use.
//
// Multiple comparisons: a group verdict is an intersection-union test.
// "winner" claims that F is faster than every other contender beyond the
// margin, and is made only when every one of the m comparisons says so;
// "tie" likewise needs every comparison to say "slower" or "tie". If the
// claim is false, at least one of its comparisons has a true null, and
// that comparison alone rejects with probability at most 1 - Confidence,
// so each comparison is made at Confidence itself, without a Bonferroni
// split over the m contenders (which would need 8 rounds instead of 6 for
// 7 contenders at 95%, and more with every contender). The per-contender
// labels ("slower") are each right with probability Confidence, not all
// of them together. Picking F from the data is a selection the argument
// covers only approximately; the A/A check in the package tests measures
// the false-winner rate on real runs (docs/verdicts.md, figures in
// docs/figures.md).
//
// The group verdict is
//
//   - "winner" when every other safe contender is slower than F,
//   - "tie" when no other safe contender can be faster than F by more than
//     Tie (each is slower, tied or NoFaster) and not all are slower: F is
//     within the margin of the best. The leaders are F and the tied ones,
//     equivalent within Tie; NoFaster contenders are not among them (they
//     may be slower by more than the margin),
//   - "undecided" when some safe contender may still be faster than F by
//     more than Tie (its interval reaches above 1 + Tie, or it has none),
//     or no contender has samples.
//
// This is the indifference-zone formulation of selecting the best
// (Bechhofer 1954): a decided group names a contender that is, with the
// group's confidence, no more than Tie slower than the truly fastest one.
// It asks only the one-sided question the recommendation needs of each
// contender near the top (could it be faster than F by more than the
// margin?), so a contender that is, say, 4% slower than F decides the
// group as soon as its upper bound clears 1 + Tie, where the two-sided
// question (tie or slower?) would wait for an interval that clears 1 - Tie
// on one side or the other, which takes ever more rounds the closer it
// lies to the margin. Every decision is one-sided (a tie is two one-sided
// tests), so each errs at most (1 - Confidence)/2 of the time: 2.5% at the
// default 95%. A sampler that looks at the data twice (GroupDecided) errs
// at most twice that, 5%, with 95% intervals at both looks.
//
// Unsafe cells (any corrupt record) are never the fastest nor part of the
// decision: they are listed with verdict "unsafe" and, when they have
// paired rounds with F, their ratio for information. Skipped and failed
// cells are listed as "skipped" and "failed", never as zero throughput.
package judge

import (
	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/stats"
)

// Defaults of Options and GroupDecided.
const (
	DefaultTie        = 0.05 // ±5%
	DefaultConfidence = 0.95
	DefaultPrecision  = 0.05 // interval half-width, relative
	// MaxMoreRounds caps Verdict.MoreRounds: beyond it the difference is
	// too close to the tie margin to decide in practice.
	MaxMoreRounds = 1000
)

// Group verdicts.
const (
	Winner    = "winner"
	Tie       = "tie"
	Undecided = "undecided"
)

// Contender verdicts (Tie and Undecided above are shared).
const (
	Fastest = "fastest"
	Slower  = "slower"
	Skipped = "skipped"
	Failed  = "failed"
	Unsafe  = "unsafe"
)

// Options are the settings of every decision of this package; each
// decision reads the fields its doc names and ignores the rest. Zero fields
// mean their defaults, so Options{} is the default everywhere.
type Options struct {
	// Confidence is the two-sided confidence of every interval, in (0, 1).
	// Default DefaultConfidence. Run verdicts: every decision is one-sided,
	// so a group's decision errs at most (1 - Confidence)/2 of the time
	// (intersection-union); a sampler that looks at a growing set L times
	// should pass 1 - 0.10/L for at most 5% in all (see GroupDecided). A/B:
	// the confidence of all tested cells together. Compare's change
	// interval is always at DefaultConfidence.
	Confidence float64
	// Tie (run verdicts) is the margin within which two contenders are
	// equivalent, as a fraction: 0.05 means ±5%. Default DefaultTie.
	Tie float64
	// Threshold (compare, A/B) is the smallest relative change that counts
	// as a regression or improvement, as a fraction: 0.05 means 5%. Zero
	// means any significant change counts (the compare command defaults to
	// DefaultCompareThreshold).
	Threshold float64
	// Alpha (compare) is the significance level of the Mann–Whitney U test,
	// in (0, 1). Zero means DefaultCompareAlpha.
	Alpha float64
	// Metric (compare) names the sample array compared; see
	// CompareMetrics. Empty means DefaultCompareMetric ("seconds"). Larger
	// values are worse for every metric.
	Metric string
	// Correction is the multiple-comparison correction. Compare: "holm"
	// (Holm–Bonferroni, the default when empty) keeps the chance of any
	// false alarm across all cells at Alpha; "none" tests every cell at
	// Alpha on its own, so with 16 cells a false alarm somewhere is likely
	// (1 - 0.95^16 = 56%). A/B: "bonferroni" (the default when empty) or
	// "none".
	Correction string
}

// confidence is o.Confidence or its default.
func (o Options) confidence() float64 {
	if o.Confidence > 0 && o.Confidence < 1 {
		return o.Confidence
	}
	return DefaultConfidence
}

// OptionsFor returns the options a set was sampled with: the tie margin and
// the per-look confidence the runner recorded in its Env when it sampled
// adaptively (--budget), so the final verdict uses the same guard against
// optional stopping; zero (the defaults) for sets without them.
func OptionsFor(s *resultset.Set) Options {
	var o Options
	if t := s.Env.Tie; t > 0 && t < 1 {
		o.Tie = t
	}
	if c := s.Env.Confidence; c > 0 && c < 1 {
		o.Confidence = c
	}
	return o
}

func (o Options) withDefaults() Options {
	if !(o.Tie > 0) || math.IsInf(o.Tie, 0) {
		o.Tie = DefaultTie
	}
	if !(o.Confidence > 0 && o.Confidence < 1) {
		o.Confidence = o.confidence()
	}
	return o
}

// Verdict is the decision for one comparison group.
type Verdict struct {
	Group      []resultset.Param // fixed parameters: files, size, sync, then any shared by every cell
	Verdict    string            // Winner, Tie or Undecided
	Fastest    string            // label of the fastest safe contender; empty when none has samples
	Contenders []Contender       // the fastest first, then by decreasing ratio; skipped, failed last
	// MoreRounds is a rough estimate of how many more rounds would decide an
	// undecided group (from how the intervals shrink with the square root
	// of the number of pairs), capped at MaxMoreRounds; 0 when decided.
	MoreRounds int

	// Leaders are the labels of the fastest contender and those tied with
	// it, fastest first (one label for a winner).
	Leaders []string
	// Warnings are conditions that make the comparison less trustworthy,
	// in words: contenders that ran different numbers of batches per
	// sample (Cell.Loops), which the A/A check shows biases the ratios.
	Warnings []string
	// Tie and Confidence are the options used; PairConfidence is the
	// confidence of each contender's interval (equal to Confidence: the
	// group verdict is an intersection-union test).
	Tie, Confidence, PairConfidence float64
}

// Contender is one cell of a group and how it compares with the fastest.
type Contender struct {
	Label, Strategy string
	Differs         []resultset.Param // the knob values that tell it apart from its strategy's other cells
	Cell            int               // index in set.Results
	// Ratio is the median per-round speed relative to the fastest (1 for
	// the fastest, below 1 when slower); CILow and CIHigh bound its
	// interval at Verdict.PairConfidence. NaN when not computed (no
	// samples, no paired rounds, or too few for an interval).
	Ratio, CILow, CIHigh float64
	Verdict              string // Fastest, Slower, Tie, Undecided, Skipped, Failed or Unsafe
	Unsafe               bool   // the cell has corrupt records (sum of CorruptRecords > 0)
	// NoFaster marks an undecided contender whose interval's upper bound
	// is at most 1 + Tie: not faster than the fastest by more than the
	// margin, slower or tied still undecided. It does not hold its group
	// undecided.
	NoFaster bool

	Pairs int    // paired rounds with the fastest
	Note  string // why it was skipped, its error, or why it is undecided
	// Records and CorruptRecords are the sums over counted repetitions
	// (0 for strategies that do not count records).
	Records, CorruptRecords int64
}

// Groups returns the comparison groups of s with at least two cells, as
// indices into s.Results in set order, ordered by files, size and then
// first appearance.
//
// A group is one workload: the cells equal in every axis that is not a
// contender axis of the set (resultset.VsOf: by default files, size,
// record and sync are the workload, the strategy and its knobs the
// contenders). A cell to which a workload axis does not apply (chunked has
// no record size: it writes whatever the application hands it) competes
// in every group that agrees with it on the axes it has, so one cell can
// be in several groups; Blocks merges such groups for scheduling.
func Groups(s *resultset.Set) [][]int {
	sigs := workloadSigs(s)
	// Group keys: the distinct signatures no other signature refines.
	var keys []int // a cell with each key signature, first appearance
	for i := range sigs {
		dup, refined := false, false
		for _, k := range keys {
			if slices.Equal(sigs[k], sigs[i]) {
				dup = true
			}
		}
		if dup {
			continue
		}
		for j := range sigs {
			if refines(sigs[j], sigs[i]) {
				refined = true
				break
			}
		}
		if !refined {
			keys = append(keys, i)
		}
	}
	var out [][]int
	for _, k := range keys {
		var g []int
		for i := range sigs {
			if fits(sigs[i], sigs[k]) {
				g = append(g, i)
			}
		}
		if len(g) >= 2 {
			out = append(out, g)
		}
	}
	sort.SliceStable(out, func(a, b int) bool {
		x, y := &s.Results[out[a][0]], &s.Results[out[b][0]]
		if x.Files != y.Files {
			return x.Files < y.Files
		}
		return x.FileSize < y.FileSize
	})
	return out
}

// Blocks merges the groups that share a cell (see Groups) and adds every
// cell in no group as a block of its own: the units the runner schedules
// together, each cell in exactly one block.
func Blocks(s *resultset.Set) [][]int {
	parent := make([]int, len(s.Results))
	for i := range parent {
		parent[i] = i
	}
	find := func(i int) int {
		for parent[i] != i {
			parent[i] = parent[parent[i]]
			i = parent[i]
		}
		return i
	}
	for _, g := range Groups(s) {
		for _, i := range g[1:] {
			parent[find(i)] = find(g[0])
		}
	}
	idx := map[int]int{}
	var out [][]int
	for i := range parent {
		r := find(i)
		b, ok := idx[r]
		if !ok {
			b = len(out)
			idx[r] = b
			out = append(out, nil)
		}
		out[b] = append(out[b], i)
	}
	return out
}

// workloadSigs is every cell's value on each workload axis of s (the axes
// of resultset.Axes, and the strategy, that are not contender axes), ""
// where the axis does not apply to the cell.
func workloadSigs(s *resultset.Set) [][]string {
	vs := map[string]bool{}
	for _, n := range resultset.VsOf(s) {
		vs[n] = true
	}
	ptrs := make([]*resultset.Cell, len(s.Results))
	for i := range s.Results {
		ptrs[i] = &s.Results[i]
	}
	st := resultset.NewSettings(ptrs)
	out := make([][]string, len(s.Results))
	for i, c := range ptrs {
		var sig []string
		if !vs[resultset.StrategyAxis] {
			sig = append(sig, c.Strategy)
		}
		for _, a := range resultset.Axes() {
			if vs[a.Name] {
				continue
			}
			v, _ := st.Value(c, a)
			sig = append(sig, v)
		}
		out[i] = sig
	}
	return out
}

// fits reports whether a cell with signature c belongs to the group of
// signature g: equal wherever c has a value.
func fits(c, g []string) bool {
	for k := range c {
		if c[k] != "" && c[k] != g[k] {
			return false
		}
	}
	return true
}

// refines reports whether signature a has a value everywhere b has one,
// equal to b's, and at least one where b has none.
func refines(a, b []string) bool {
	more := false
	for k := range a {
		switch {
		case b[k] != "" && a[k] != b[k]:
			return false
		case b[k] == "" && a[k] != "":
			more = true
		}
	}
	return more
}

// Verdicts decides every comparison group of s (see Groups), in Groups
// order.
func Verdicts(s *resultset.Set, o Options) []Verdict {
	var out []Verdict
	for _, g := range Groups(s) {
		out = append(out, Decide(s, g, o))
	}
	return out
}

// Decide decides the group made of the cells s.Results[i] for i in cells,
// which should be equal in files, size and sync (see Groups).
func Decide(s *resultset.Set, cells []int, o Options) Verdict {
	o = o.withDefaults()
	v := Verdict{Tie: o.Tie, Confidence: o.Confidence, PairConfidence: o.Confidence}
	v.Group, v.Contenders = describe(s, cells)
	eligible := classify(s, v.Contenders)
	if len(eligible) == 0 {
		v.Verdict = Undecided
		sortContenders(v.Contenders)
		return v
	}
	fastest := pickFastest(s, v.Contenders, eligible, o.Confidence)
	fc := &v.Contenders[fastest]
	fc.Ratio, fc.CILow, fc.CIHigh, fc.Verdict = 1, 1, 1, Fastest
	fc.Pairs = len(validSeconds(&s.Results[fc.Cell]))
	v.Fastest = fc.Label
	v.Leaders = []string{fc.Label}
	if w := loopsWarning(s, v.Contenders, eligible); w != "" {
		v.Warnings = append(v.Warnings, w)
	}
	// An intersection-union test: every comparison at Confidence (see the
	// package comment).
	v.PairConfidence = o.Confidence
	for i := range v.Contenders {
		if i != fastest {
			judgeAgainst(s, fc, &v.Contenders[i], v.PairConfidence, o.Tie)
		}
	}
	v.Verdict = groupVerdict(v.Contenders, eligible)
	if v.Verdict == Undecided {
		v.MoreRounds = moreRounds(v.Contenders, v.PairConfidence, o.Tie)
	}
	sortContenders(v.Contenders)
	// Leaders in contender order: the fastest, then the tied ones by ratio.
	for _, c := range v.Contenders {
		if c.Verdict == Tie {
			v.Leaders = append(v.Leaders, c.Label)
		}
	}
	return v
}

// classify fills every contender's counts and unsafe mark, gives the
// skipped, failed, unsafe and sample-less ones their verdict, and returns
// the indices into cs of the others (safe, successful, with samples).
func classify(s *resultset.Set, cs []Contender) (eligible []int) {
	nan := math.NaN()
	for i := range cs {
		ct := &cs[i]
		c := &s.Results[ct.Cell]
		ct.Ratio, ct.CILow, ct.CIHigh = nan, nan, nan
		for k := range c.CorruptRecords {
			ct.CorruptRecords += c.CorruptRecords[k]
		}
		for k := range c.Records {
			ct.Records += c.Records[k]
		}
		ct.Unsafe = c.Unsafe()
		switch {
		case c.Skipped != "":
			ct.Verdict, ct.Note = Skipped, c.Skipped
		case c.Failed():
			ct.Verdict, ct.Note = Failed, c.Error
		case ct.Unsafe:
			ct.Verdict = Unsafe
		case len(validSeconds(c)) == 0:
			ct.Verdict, ct.Note = Undecided, "no samples"
		default:
			eligible = append(eligible, i)
		}
	}
	return eligible
}

// pickFastest returns F, the index into cs of the contender the others
// beat least. Start from the smallest median seconds and move to any
// contender whose median paired ratio to F (its speed relative to F, the
// estimate the lines print) is above 1, until none is or the walk comes
// back to one it visited. Normally that ends with F beaten by none. When
// the medians form a cycle (a beats b, b beats c, c beats a, which
// near-equal contenders can do), F is, of the contenders the walk visited
// and those that beat its end, the one whose largest ratio from any other
// contender is smallest, so a line never names a leader that another
// contender beats by more than it must. Candidates are the cells the
// runner did not settle (Cell.Settled: stopped at its interim look as no
// faster than every contender that went on), when there are any.
func pickFastest(s *resultset.Set, cs []Contender, eligible []int, confidence float64) int {
	candidates := slices.DeleteFunc(slices.Clone(eligible), func(i int) bool { return s.Results[cs[i].Cell].Settled })
	if len(candidates) == 0 {
		candidates = slices.Clone(eligible)
	}
	ratio := func(x, c int) float64 { // c's speed relative to x, NaN without common rounds
		est, _, _, _ := stats.RatioInterval(resultset.PairedRatios(&s.Results[cs[x].Cell], &s.Results[cs[c].Cell]), confidence)
		return est
	}
	fastest := candidates[0]
	for _, i := range candidates[1:] {
		if stats.Median(validSeconds(&s.Results[cs[i].Cell])) <
			stats.Median(validSeconds(&s.Results[cs[fastest].Cell])) {
			fastest = i
		}
	}
	visited := map[int]bool{fastest: true}
	for moved := true; moved; {
		moved = false
		best, bestRatio := -1, 1.0
		for _, i := range candidates {
			if visited[i] {
				continue
			}
			if r := ratio(fastest, i); r > bestRatio {
				best, bestRatio = i, r
			}
		}
		if best >= 0 {
			fastest, moved = best, true
			visited[best] = true
		}
	}
	var choices []int
	cycle := false
	for _, i := range candidates {
		beats := i != fastest && ratio(fastest, i) > 1 // a cycle: i beats the walk's end
		cycle = cycle || beats
		if beats || visited[i] {
			choices = append(choices, i)
		}
	}
	if !cycle {
		return fastest
	}
	fewest := math.Inf(1)
	for _, x := range choices {
		worst := math.Inf(-1)
		for _, c := range candidates {
			if r := ratio(x, c); c != x && r > worst {
				worst = r // NaN (no rounds in common) never counts
			}
		}
		if worst < fewest {
			fastest, fewest = x, worst
		}
	}
	return fastest
}

// loopsWarning warns when the eligible contenders ran different numbers of
// batches per sample; "" when they did not.
func loopsWarning(s *resultset.Set, cs []Contender, eligible []int) string {
	loMin, loMax := math.MaxInt, 0
	for _, i := range eligible {
		l := max(s.Results[cs[i].Cell].Loops, 1)
		loMin, loMax = min(loMin, l), max(loMax, l)
	}
	if loMin == loMax {
		return ""
	}
	return fmt.Sprintf("contenders ran %d to %d batches per sample (loops): per-batch times of different loop counts are not comparable, so part of any difference may come from that", loMin, loMax)
}

// judgeAgainst gives ct (eligible or unsafe) its paired ratio to the
// fastest fc with its interval at confidence and, unless unsafe, its
// verdict: slower, tie (within ±tie) or undecided.
func judgeAgainst(s *resultset.Set, fc, ct *Contender, confidence, tie float64) {
	if !(ct.Verdict == "" || ct.Verdict == Unsafe) {
		return
	}
	lowT, highT := 1-tie, 1+tie
	rs := resultset.PairedRatios(&s.Results[fc.Cell], &s.Results[ct.Cell])
	ct.Pairs = len(rs)
	if len(rs) == 0 {
		if ct.Verdict == "" {
			ct.Verdict, ct.Note = Undecided, "no rounds in common with the fastest"
		}
		return
	}
	est, lo, hi, ok := stats.RatioInterval(rs, confidence)
	ct.Ratio = est
	if ok {
		ct.CILow, ct.CIHigh = lo, hi
	}
	if ct.Verdict == Unsafe {
		return
	}
	switch {
	case !ok:
		ct.Verdict = Undecided
		ct.Note = "too few paired rounds for an interval"
	case hi < lowT:
		ct.Verdict = Slower
	case lo >= lowT && hi <= highT:
		ct.Verdict = Tie
	default:
		ct.Verdict = Undecided
		if hi <= highT {
			ct.NoFaster = true
			ct.Note = fmt.Sprintf("not faster than %s by more than %s; slower or tie undecided", fc.Label, resultset.FormatPercent(tie))
		}
	}
}

// groupVerdict is the group's verdict from its eligible contenders'
// verdicts: undecided when one may still be faster than the fastest,
// else a tie when one is within the margin, else a winner.
func groupVerdict(cs []Contender, eligible []int) string {
	verdict := Winner
	for _, i := range eligible {
		ct := &cs[i]
		switch {
		case ct.Verdict == Undecided && !ct.NoFaster:
			verdict = Undecided
		case ct.Verdict == Tie || ct.NoFaster:
			if verdict == Winner {
				verdict = Tie
			}
		}
	}
	return verdict
}

// GroupDecided reports whether the group made of cells (indices into
// s.Results, equal in files, size and sync; see Groups) needs no more
// rounds: its verdict is a winner or a tie, or every undecided contender's
// interval is already narrower than ±precision (relative; 0 means
// DefaultPrecision), so more rounds would only pin a difference too close
// to the tie margin to matter. A group whose contenders all failed, were
// skipped or are unsafe is decided too: more rounds cannot help it.
//
// Optional stopping: a sampler that calls GroupDecided after every round
// and stops at the first true inflates the error rate, since it gets many
// chances to stop on a lucky interval. The guard expected of the runner is
// to look at most L times per group (e.g. every round from the minimum up
// to a maximum, or at doubling round counts) and to pass o.Confidence =
// 1 - 0.10/L: every decision is one-sided, erring at most (1 -
// Confidence)/2 per look, and a union bound over the looks keeps the
// chance of any wrong decision at 5% (95% intervals for the runner's two
// looks). The final report then uses the same confidence.
func GroupDecided(s *resultset.Set, cells []int, o Options, precision float64) bool {
	if !(precision > 0) {
		precision = DefaultPrecision
	}
	v := Decide(s, cells, o)
	if v.Verdict != Undecided {
		return true
	}
	if v.Fastest == "" {
		// Nothing eligible: decided only when every cell is done for good.
		for _, ct := range v.Contenders {
			if ct.Verdict == Undecided {
				return false
			}
		}
		return true
	}
	for _, ct := range v.Contenders {
		if ct.Verdict != Undecided {
			continue
		}
		if math.IsNaN(ct.CILow) || halfWidth(ct) > precision {
			return false
		}
	}
	return true
}

// halfWidth is the larger relative distance from the estimate to a bound,
// in log terms (0.05 ≈ ±5%).
func halfWidth(ct Contender) float64 {
	return max(math.Log(ct.CIHigh/ct.Ratio), math.Log(ct.Ratio/ct.CILow))
}

// moreRounds estimates how many more rounds would decide the group: the
// interval half-width h (log scale) shrinks about as 1/sqrt(pairs), and
// every undecided contender that may still be faster than the fastest by
// more than the margin needs its upper bound below 1 + tie, i.e. h below
// the distance d from its estimate to that bound. Contenders without an
// interval need at least stats.MinPairs pairs.
func moreRounds(cs []Contender, conf, tie float64) int {
	need := 0
	highT := math.Log(1 + tie)
	for _, ct := range cs {
		if ct.Verdict != Undecided || ct.NoFaster {
			continue
		}
		minPairs := stats.MinPairs(conf)
		if math.IsNaN(ct.CILow) || math.IsNaN(ct.Ratio) {
			need = max(need, minPairs-ct.Pairs, 1)
			continue
		}
		e := math.Log(ct.Ratio)
		h := math.Log(ct.CIHigh / ct.Ratio) // the bound that must move
		d := highT - e
		if d <= 0 || h <= 0 {
			need = MaxMoreRounds
			continue
		}
		n := float64(ct.Pairs) * (h / d) * (h / d)
		extra := int(math.Ceil(n)) - ct.Pairs
		need = max(need, extra, minPairs-ct.Pairs, 1)
	}
	return min(need, MaxMoreRounds)
}

// Eligible reports whether c takes part in its group's decision: not
// skipped, not failed, safe, with samples (Decide's contenders that are
// neither skipped, failed, unsafe nor without samples).
func Eligible(c *resultset.Cell) bool {
	return c.Skipped == "" && !c.Failed() && !c.Unsafe() && len(validSeconds(c)) > 0
}

// validSeconds returns c's seconds samples (none when any is negative or
// NaN, which Validate rejects anyway).
func validSeconds(c *resultset.Cell) []float64 {
	for _, x := range c.Seconds {
		if !(x >= 0) {
			return nil
		}
	}
	return c.Seconds
}

// describe builds the group's fixed parameters and its contenders' labels.
func describe(s *resultset.Set, cells []int) ([]resultset.Param, []Contender) {
	first := &s.Results[cells[0]]
	group := []resultset.Param{
		{Name: "files", Value: itoa(first.Files)},
		{Name: "size", Value: resultset.FormatBytes(first.FileSize)},
		{Name: "sync", Value: first.Sync},
	}
	vs := map[string]bool{}
	for _, n := range resultset.VsOf(s) {
		vs[n] = true
	}
	ptrs := make([]*resultset.Cell, len(cells))
	for j, i := range cells {
		ptrs[j] = &s.Results[i]
	}
	settings := resultset.NewSettings(ptrs)
	// The workload: every axis that is not a contender axis, with the value
	// the cells that have it share (Groups made them equal), then any
	// contender axis every cell has with one value.
	if !vs[resultset.StrategyAxis] {
		group = append(group, resultset.Param{Name: resultset.StrategyAxis, Value: first.Strategy})
	}
	for _, a := range resultset.Axes() {
		switch a.Name {
		case "files", "size", "sync":
			continue
		}
		val, n := "", 0
		one := true
		for _, c := range ptrs {
			v, ok := settings.Value(c, a)
			if !ok {
				continue
			}
			if n > 0 && v != val {
				one = false
			}
			val, n = v, n+1
		}
		switch {
		case n == 0:
		case !vs[a.Name]:
			if a.Omit == "" || val != a.Omit {
				group = append(group, resultset.Param{Name: a.Name, Value: val})
			}
		case one && n == len(ptrs) && (a.Omit == "" || val != a.Omit):
			group = append(group, resultset.Param{Name: a.Name, Value: val})
		}
	}
	// Per strategy: which contender axes vary among its cells, reading an
	// axis's Omit value as a value (cells with prealloc "none" and
	// "fallocate" differ, though Params leaves "none" out).
	vals := map[string]map[string]map[string]bool{} // strategy -> knob -> values
	strategiesSeen := map[string]bool{}
	for _, c := range ptrs {
		strategiesSeen[c.Strategy] = true
		if vals[c.Strategy] == nil {
			vals[c.Strategy] = map[string]map[string]bool{}
		}
		for _, p := range contenderKnobs(settings, c, vs) {
			if vals[c.Strategy][p.Name] == nil {
				vals[c.Strategy][p.Name] = map[string]bool{}
			}
			vals[c.Strategy][p.Name][p.Value] = true
		}
	}
	oneStrategy := len(strategiesSeen) == 1
	cs := make([]Contender, 0, len(cells))
	for _, i := range cells {
		c := &s.Results[i]
		ct := Contender{Strategy: c.Strategy, Cell: i}
		var parts []string
		if !oneStrategy {
			parts = append(parts, c.Strategy)
		}
		for _, p := range contenderKnobs(settings, c, vs) {
			if len(vals[c.Strategy][p.Name]) > 1 {
				ct.Differs = append(ct.Differs, p)
				parts = append(parts, p.Name+"="+p.Value)
			}
		}
		if len(parts) == 0 {
			parts = append(parts, c.Strategy)
		}
		ct.Label = strings.Join(parts, " ")
		cs = append(cs, ct)
	}
	return group, cs
}

// contenderKnobs are a cell's values on the contender axes of Axes, Omit
// values included (see resultset.Settings): what tells contenders apart.
func contenderKnobs(st *resultset.Settings, c *resultset.Cell, vs map[string]bool) []resultset.Param {
	return slices.DeleteFunc(st.Of(c), func(p resultset.Param) bool { return !vs[p.Name] })
}

func itoa(n int) string { return strconv.Itoa(n) }

// sortContenders orders the fastest first, then by decreasing ratio
// (contenders without one after those with), then skipped and failed, each
// in set order.
func sortContenders(cs []Contender) {
	rank := func(c *Contender) int {
		switch {
		case c.Verdict == Fastest:
			return 0
		case c.Verdict == Skipped || c.Verdict == Failed:
			return 3
		case math.IsNaN(c.Ratio):
			return 2
		}
		return 1
	}
	sort.SliceStable(cs, func(a, b int) bool {
		ra, rb := rank(&cs[a]), rank(&cs[b])
		if ra != rb {
			return ra < rb
		}
		if ra == 1 && cs[a].Ratio != cs[b].Ratio {
			return cs[a].Ratio > cs[b].Ratio
		}
		return cs[a].Cell < cs[b].Cell
	})
}

// DriftWarn is the drift beyond which renderers warn: the last rounds of a
// group took 25% more (or 20% less) time than its first rounds.
const DriftWarn = 1.25

// Drifts measures, for every comparison group of s (Groups), how much its
// rounds changed over the sweep: the median seconds of the last rounds over
// the median seconds of the first rounds, each end max(3, n/4) of the n
// rounds of the group's eligible contender with the most rounds (the first
// such in set order). Groups whose longest contender has fewer than 6
// rounds are left out. A ratio of 2 means the machine took twice as long
// per batch at the end: the absolute figures (throughput, files per second)
// mix fast and slow rounds, while per-round paired ratios cancel it.
func Drifts(s *resultset.Set) []resultset.Drift {
	var out []resultset.Drift
	for _, g := range Groups(s) {
		best := -1
		for _, i := range g {
			c := &s.Results[i]
			if Eligible(c) && (best < 0 || len(c.Seconds) > len(s.Results[best].Seconds)) {
				best = i
			}
		}
		if best < 0 {
			continue
		}
		c := &s.Results[best]
		n := len(c.Seconds)
		if n < 6 {
			continue
		}
		w := max(3, n/4)
		first, last := stats.Median(c.Seconds[:w]), stats.Median(c.Seconds[n-w:])
		if !(first > 0 && last > 0) {
			continue
		}
		group, _ := describe(s, g)
		parts := make([]string, 0, len(group))
		for _, p := range group {
			parts = append(parts, p.Name+"="+p.Value)
		}
		out = append(out, resultset.Drift{Group: strings.Join(parts, "/"), Cell: c.Key(), Rounds: n, Window: w, Ratio: last / first})
	}
	return out
}

// DriftsOf returns the drift recorded in s (Env.Drift), or measures it
// (Drifts) for a set written before it was recorded.
func DriftsOf(s *resultset.Set) []resultset.Drift {
	if len(s.Env.Drift) > 0 {
		return s.Env.Drift
	}
	return Drifts(s)
}
