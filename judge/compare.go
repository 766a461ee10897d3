package judge

// Comparison of two result sets for CI regression runs.
//
// Method, per matched cell (cells are matched by Cell.Key: strategy, files,
// size and every parameter):
//
//   - Each side is summarised by its median (benchmath.AssumeNothing).
//   - The change is median(new)/median(base) - 1, so +50% means new is 1.5×
//     base. For every metric, larger means worse ("slower").
//   - The confidence interval of the change is distribution-free: the
//     Hodges–Lehmann/Moses interval for a ratio. All len(base)×len(new)
//     pairwise ratios new[j]/base[i] are sorted and the interval is
//     [r(k), r(mn+1-k)], where k is the largest order such that
//     P(U <= k-1) <= (1-confidence)/2 under the exact Mann–Whitney U
//     distribution (normal approximation above 10000 pairs). It needs no
//     random numbers, so the same inputs always give the same interval. Its
//     actual confidence is at least the requested one (e.g. 97.1% for 4+4
//     samples when 95% is asked).
//   - Significance is the two-sided Mann–Whitney U test p-value from
//     golang.org/x/perf/benchmath (AssumeNothing.Compare).
//   - p-values are Holm–Bonferroni corrected over all tested cells by default
//     (Options.Correction), so the chance of any false alarm in a
//     comparison stays at alpha however many cells it has.
//   - Verdict: a regression when p < alpha and the change is above
//     +threshold; an improvement when p < alpha and the change is below
//     -threshold; "within threshold" when significant but smaller than the
//     threshold; "~" when not significant. With fewer than CompareMinSamples
//     samples on either side (or too few for alpha to be reachable at all)
//     there is no verdict and the cell never counts as a regression.
//   - Power: a cell that is not significant ("~") but whose change interval
//     is wider than the threshold (its half-width relative to the ratio
//     new/base, the larger relative distance from the ratio to a bound,
//     exceeds it) gets the verdict "cannot detect":
//     the run-to-run noise is too large for a change of the threshold's size
//     to be seen, so its PASS says nothing. It is not a regression (exit
//     codes are unchanged); take more repetitions or quieten the machine.
//     With threshold 0 the check is off.
//   - Failed cells: a cell that succeeded in base and failed in new is a
//     regression ("new failure"); one that failed in base and succeeds in new
//     is reported as "fixed"; one that failed in both as "both failed".
//     Neither of the last two counts as a regression.
//   - Cells present in only one set are listed, and do not count as
//     regressions. Compare itself accepts two sets without a cell in common
//     (Comparison.Cells is empty); the compare command refuses them (exit
//     2), as a comparison of nothing says nothing.

import (
	"github.com/writebench/writebench/internal/textfmt"
	"github.com/writebench/writebench/resultset"

	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/writebench/writebench/stats"
)

// Defaults of Compare and the compare command.
const (
	// DefaultCompareThreshold is the threshold the compare command uses: a change
	// must be larger than 5% to count.
	DefaultCompareThreshold = 0.05
	// DefaultCompareAlpha is the significance level used when Options.Alpha
	// is zero.
	DefaultCompareAlpha = 0.05
	// DefaultCompareMetric is the metric used when Options.Metric is empty.
	DefaultCompareMetric = "seconds"
	// CompareMinSamples is the fewest samples per side for which Compare gives a
	// verdict. With 4+4 samples the smallest possible Mann–Whitney p-value
	// is 0.029, so a difference can be significant at alpha 0.05.
	CompareMinSamples = 4
)

// correctionList lists the valid Options.Correction values.
var correctionList = []string{"holm", "none"}

// Corrections returns the valid Options.Correction values of Compare.
func Corrections() []string { return slices.Clone(correctionList) }

// CompareVerdict is the outcome for one matched cell of a comparison.
type CompareVerdict string

// The verdicts.
const (
	VerdictRegression      CompareVerdict = "regression"       // significant and worse by more than the threshold
	VerdictImprovement     CompareVerdict = "improvement"      // significant and better by more than the threshold
	VerdictWithinThreshold CompareVerdict = "within threshold" // significant but smaller than the threshold
	VerdictUnchanged       CompareVerdict = "~"                // not significant
	VerdictTooFewSamples   CompareVerdict = "too few samples"  // no verdict: fewer than CompareMinSamples on a side
	VerdictNoData          CompareVerdict = "no data"          // the metric was not recorded for this cell
	VerdictInsensitive     CompareVerdict = "cannot detect"    // not significant, and too noisy to see a threshold-sized change
	VerdictNewFailure      CompareVerdict = "new failure"      // succeeded in base, failed in new: a regression
	VerdictFixed           CompareVerdict = "fixed"            // failed in base, succeeds in new
	VerdictBothFailed      CompareVerdict = "both failed"      // failed in both sets
)

// IsRegression reports whether v makes the comparison fail.
func (v CompareVerdict) IsRegression() bool {
	return v == VerdictRegression || v == VerdictNewFailure
}

// CellComparison is the comparison of one cell present in both sets.
// Medians are in the metric's base unit (seconds, counts or bytes). Change,
// ChangeLo and ChangeHi are fractions (0.5 = +50%); they are NaN when not
// computed, and the bounds are infinite when the samples are too few for an
// interval at DefaultConfidence.
type CellComparison struct {
	Key        string
	Base, New  *resultset.Cell
	BaseMedian float64
	NewMedian  float64
	Change     float64
	ChangeLo   float64
	ChangeHi   float64
	Confidence float64 // actual confidence of [ChangeLo, ChangeHi]
	P          float64 // Mann–Whitney U p-value; NaN when not computed
	PAdj       float64 // P after the multiple-comparison correction (= P with "none")
	NBase      int
	NNew       int
	Verdict    CompareVerdict
	Note       string // why there is no verdict, the new error, or how noisy the cell is
	// Noise is the half-width of the interval of the ratio new/base
	// relative to the ratio (the larger relative distance from the ratio to
	// a bound: 0.25 means ±25%), a fraction; NaN when not computed.
	Noise float64
}

// CompareEnvDiff is one environment field that differs between the two sets.
type CompareEnvDiff struct {
	Field string `json:"field"`
	Base  string `json:"base"`
	New   string `json:"new"`
}

// Comparison is the result of Compare.
type Comparison struct {
	Metric     string
	Threshold  float64
	Alpha      float64
	Correction string
	// EnvDiffs lists environment fields that differ: Hostname, CPU, Cores,
	// Kernel, FSType, Device, MountOptions, Dir, DropCaches, GOOS, GOARCH
	// and Ranks (MPI ranks, 1 for a single process).
	EnvDiffs []CompareEnvDiff
	// Warnings are one-line warnings about the inputs (environment
	// differences, incomplete sets, duplicate cells).
	Warnings []string
	// Cells holds every cell present in both sets, in base order.
	Cells []CellComparison
	// OnlyBase and OnlyNew are the keys of cells present in one set only.
	OnlyBase []string
	OnlyNew  []string
}

// cmpMetric describes one comparable metric: a lower-is-better entry of
// the metrics table (resultset.Metrics()), so compare spells every metric as
// the JSON summary, CSV and charts do.
type cmpMetric struct {
	unit   string // the table's unit, "B" shown as bytes
	values func(c *resultset.Cell) []float64
}

// cmpMetricNamed returns the comparable metric named name.
func cmpMetricNamed(name string) (cmpMetric, bool) {
	m := resultset.MetricByName(name)
	if m == nil || m.Better != resultset.LowerIsBetter {
		return cmpMetric{}, false
	}
	unit := m.Unit
	if unit == "B" {
		unit = "bytes"
	}
	return cmpMetric{unit: unit, values: m.Samples}, true
}

// CompareMetrics lists the metrics Compare accepts (the metrics for which
// larger is worse), in the table's order.
func CompareMetrics() []string {
	var names []string
	for _, m := range resultset.Metrics() {
		if m.Better == resultset.LowerIsBetter {
			names = append(names, m.Name)
		}
	}
	return names
}

// Compare compares the cells of base and new on one metric. It returns an
// error only for invalid options.
func Compare(base, new *resultset.Set, opt Options) (*Comparison, error) {
	if opt.Metric == "" {
		opt.Metric = DefaultCompareMetric
	}
	m, ok := cmpMetricNamed(opt.Metric)
	if !ok {
		return nil, fmt.Errorf("unknown metric %q (known: %s)", opt.Metric, strings.Join(CompareMetrics(), ", "))
	}
	if opt.Alpha == 0 {
		opt.Alpha = DefaultCompareAlpha
	}
	if !(opt.Alpha > 0 && opt.Alpha < 1) {
		return nil, fmt.Errorf("alpha %v out of range: it must be between 0 and 1, e.g. 0.05", opt.Alpha)
	}
	if !(opt.Threshold >= 0) || math.IsInf(opt.Threshold, 0) {
		return nil, fmt.Errorf("threshold %v out of range: it must be a fraction >= 0, e.g. 0.05 for 5%%", opt.Threshold)
	}
	if opt.Correction == "" {
		opt.Correction = "holm"
	}
	if !slices.Contains(correctionList, opt.Correction) {
		return nil, fmt.Errorf("unknown correction %q (known: %s)", opt.Correction, strings.Join(correctionList, ", "))
	}
	cmp := &Comparison{Metric: opt.Metric, Threshold: opt.Threshold, Alpha: opt.Alpha, Correction: opt.Correction}

	cmp.EnvDiffs = cmpEnvDiffs(&base.Env, &new.Env)
	if len(cmp.EnvDiffs) > 0 {
		parts := make([]string, len(cmp.EnvDiffs))
		for i, d := range cmp.EnvDiffs {
			parts[i] = fmt.Sprintf("%s %q vs %q", d.Field, d.Base, d.New)
		}
		cmp.Warnings = append(cmp.Warnings, "sets were measured in different environments, results may not be comparable: "+strings.Join(parts, "; "))
	}
	for _, s := range []struct {
		name string
		set  *resultset.Set
	}{{"base", base}, {"new", new}} {
		if !s.set.Complete {
			msg := s.name + " set is incomplete (the run was interrupted"
			if s.set.Interrupted != "" {
				msg += " by " + s.set.Interrupted
			}
			cmp.Warnings = append(cmp.Warnings, msg+")")
		}
	}

	baseIdx, dupB := cmpIndex(base)
	newIdx, dupN := cmpIndex(new)
	for _, k := range dupB {
		cmp.Warnings = append(cmp.Warnings, "base set has cell "+k+" more than once; the first is compared")
	}
	for _, k := range dupN {
		cmp.Warnings = append(cmp.Warnings, "new set has cell "+k+" more than once; the first is compared")
	}

	seen := map[string]bool{}
	for i := range base.Results {
		b := &base.Results[i]
		k := b.Key()
		if seen[k] {
			continue
		}
		seen[k] = true
		j, ok := newIdx[k]
		if !ok {
			cmp.OnlyBase = append(cmp.OnlyBase, k)
			continue
		}
		cmp.Cells = append(cmp.Cells, cmpCompareCell(k, b, &new.Results[j], m, opt))
	}
	cmpCorrect(cmp.Cells, opt)
	seen = map[string]bool{}
	for i := range new.Results {
		k := new.Results[i].Key()
		if _, ok := baseIdx[k]; !ok && !seen[k] {
			cmp.OnlyNew = append(cmp.OnlyNew, k)
		}
		seen[k] = true
	}
	return cmp, nil
}

// cmpIndex maps each key to the index of its first cell, and lists keys that
// occur more than once.
func cmpIndex(s *resultset.Set) (map[string]int, []string) {
	idx := map[string]int{}
	var dup []string
	for i := range s.Results {
		k := s.Results[i].Key()
		if _, ok := idx[k]; ok {
			dup = append(dup, k)
			continue
		}
		idx[k] = i
	}
	return idx, dup
}

func cmpEnvDiffs(a, b *resultset.Env) []CompareEnvDiff {
	fields := []struct{ name, a, b string }{
		{"hostname", a.Hostname, b.Hostname},
		{"cpu", a.CPU, b.CPU},
		{"cores", strconv.Itoa(a.Cores), strconv.Itoa(b.Cores)},
		{"kernel", a.Kernel, b.Kernel},
		{"fs_type", a.FSType, b.FSType},
		{"device", a.Device, b.Device},
		{"mount_options", a.MountOptions, b.MountOptions},
		{"dir", a.Dir, b.Dir},
		{"drop_caches", strconv.FormatBool(a.DropCaches), strconv.FormatBool(b.DropCaches)},
		{"goos", a.GOOS, b.GOOS},
		{"goarch", a.GOARCH, b.GOARCH},
		{"ranks", strconv.Itoa(max(a.Ranks, 1)), strconv.Itoa(max(b.Ranks, 1))},
		{"shared_dir", strconv.FormatBool(a.SharedDir), strconv.FormatBool(b.SharedDir)},
	}
	var out []CompareEnvDiff
	for _, f := range fields {
		if f.a != f.b {
			out = append(out, CompareEnvDiff{f.name, f.a, f.b})
		}
	}
	return out
}

func cmpCompareCell(key string, b, n *resultset.Cell, m cmpMetric, opt Options) CellComparison {
	nan := math.NaN()
	cc := CellComparison{
		Key: key, Base: b, New: n,
		BaseMedian: nan, NewMedian: nan, Change: nan, ChangeLo: nan, ChangeHi: nan, P: nan, PAdj: nan, Noise: nan,
	}
	switch {
	case b.Failed() && n.Failed():
		cc.Verdict, cc.Note = VerdictBothFailed, "new: "+n.Error
		return cc
	case n.Failed():
		cc.Verdict, cc.Note = VerdictNewFailure, n.Error
		return cc
	case b.Failed():
		cc.Verdict, cc.Note = VerdictFixed, "base: "+b.Error
		return cc
	}
	bv, nv := m.values(b), m.values(n)
	cc.NBase, cc.NNew = len(bv), len(nv)
	for _, vs := range [][]float64{bv, nv} {
		for _, v := range vs {
			if v < 0 || math.IsNaN(v) {
				cc.Verdict, cc.Note = VerdictNoData, opt.Metric+" was not measured (-1)"
				return cc
			}
		}
	}
	if len(bv) == 0 || len(nv) == 0 {
		cc.Verdict, cc.Note = VerdictNoData, opt.Metric+" was not recorded"
		return cc
	}
	cc.BaseMedian = stats.Median(bv)
	cc.NewMedian = stats.Median(nv)
	cc.Change = stats.Ratio(cc.NewMedian, cc.BaseMedian) - 1
	lo, hi, conf := stats.TwoSampleRatioCI(bv, nv, DefaultConfidence)
	cc.ChangeLo, cc.ChangeHi, cc.Confidence = lo-1, hi-1, conf
	if r := 1 + cc.Change; r > 0 && !math.IsInf(r, 0) {
		cc.Noise = math.Max((1+cc.ChangeHi)/r-1, 1-(1+cc.ChangeLo)/r)
	}

	if len(bv) < CompareMinSamples || len(nv) < CompareMinSamples {
		cc.Verdict = VerdictTooFewSamples
		cc.Note = fmt.Sprintf("need >= %d samples per side to decide, have %d+%d", CompareMinSamples, len(bv), len(nv))
		return cc
	}
	if minP := stats.MinMannWhitneyP(len(bv), len(nv)); minP >= opt.Alpha {
		// Even completely separated samples could not reach alpha.
		cc.Verdict = VerdictTooFewSamples
		cc.Note = fmt.Sprintf("%d+%d samples cannot reach alpha %v (smallest possible p is %.3g); take more repetitions", len(bv), len(nv), opt.Alpha, minP)
		return cc
	}
	// A failed U-test (e.g. every value equal) comes back as P = 1.
	cc.P = stats.MannWhitneyP(bv, nv)
	cc.PAdj = cc.P
	cc.setVerdict(opt)
	return cc
}

// setVerdict decides a tested cell from its (corrected) p-value and change.
func (cc *CellComparison) setVerdict(opt Options) {
	cc.Note = ""
	switch {
	case !(cc.PAdj < opt.Alpha) && opt.Threshold > 0 && cc.Noise > opt.Threshold:
		cc.Verdict = VerdictInsensitive
		cc.Note = fmt.Sprintf("cannot detect a change of %s here: noise ±%s", textfmt.Percent(opt.Threshold, false), textfmt.Noise(cc.Noise))
	case !(cc.PAdj < opt.Alpha):
		cc.Verdict = VerdictUnchanged
	case cc.Change > opt.Threshold:
		cc.Verdict = VerdictRegression
	case cc.Change < -opt.Threshold:
		cc.Verdict = VerdictImprovement
	default:
		cc.Verdict = VerdictWithinThreshold
	}
}

// cmpCorrect applies the Holm–Bonferroni step-down correction
// (stats.Holm) to the p-values of the tested cells, so a comparison of many
// cells raises a false alarm with probability at most alpha, not alpha per
// cell.
func cmpCorrect(cells []CellComparison, opt Options) {
	if opt.Correction == "none" {
		return
	}
	ps := make([]float64, len(cells))
	for i := range cells {
		ps[i] = cells[i].P
	}
	for i, p := range stats.Holm(ps) {
		if !math.IsNaN(p) {
			cells[i].PAdj = p
			cells[i].setVerdict(opt)
		}
	}
}

// Regressions returns the cells whose verdict is a regression.
func (c *Comparison) Regressions() []CellComparison {
	return c.filter(func(v CompareVerdict) bool { return v.IsRegression() })
}

// Improvements returns the cells that improved significantly.
func (c *Comparison) Improvements() []CellComparison {
	return c.filter(func(v CompareVerdict) bool { return v == VerdictImprovement })
}

// Insensitive returns the cells too noisy to detect a change of the
// threshold's size.
func (c *Comparison) Insensitive() []CellComparison {
	return c.filter(func(v CompareVerdict) bool { return v == VerdictInsensitive })
}

// Inconclusive reports whether the comparison could not have failed: it
// found no regression, and no cell could have shown a change of the
// threshold's size (every cell was too noisy to detect one, had too few
// samples or no data, or failed in the base set). A pass of such a
// comparison says nothing; the compare command exits 3 on it.
func (c *Comparison) Inconclusive() bool {
	for _, cc := range c.Cells {
		switch cc.Verdict {
		case VerdictRegression, VerdictNewFailure, VerdictImprovement, VerdictWithinThreshold, VerdictUnchanged:
			return false
		}
	}
	return true
}

// Undecided returns the cells without a verdict (too few samples).
func (c *Comparison) Undecided() []CellComparison {
	return c.filter(func(v CompareVerdict) bool { return v == VerdictTooFewSamples })
}

func (c *Comparison) filter(keep func(CompareVerdict) bool) []CellComparison {
	var out []CellComparison
	for _, cc := range c.Cells {
		if keep(cc.Verdict) {
			out = append(out, cc)
		}
	}
	return out
}

// Tested counts the cells that got a p-value.
func (c *Comparison) Tested() int {
	n := 0
	for _, cc := range c.Cells {
		if !math.IsNaN(cc.P) {
			n++
		}
	}
	return n
}

// CompareUnit is the unit of a comparable metric: "s", "bytes" or "count".
func CompareUnit(metric string) string {
	m, _ := cmpMetricNamed(metric)
	return m.unit
}
