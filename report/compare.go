package report

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
//     (CompareOptions.Correction), so the chance of any false alarm in a
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
	"github.com/writebench/writebench/resultset"

	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/writebench/writebench/stats"
)

// Defaults of CompareOptions and the compare command.
const (
	// DefaultCompareThreshold is the threshold the compare command uses: a change
	// must be larger than 5% to count.
	DefaultCompareThreshold = 0.05
	// DefaultCompareAlpha is the significance level used when CompareOptions.Alpha
	// is zero.
	DefaultCompareAlpha = 0.05
	// DefaultCompareMetric is the metric used when CompareOptions.Metric is empty.
	DefaultCompareMetric = "seconds"
	// CompareConfidence is the confidence level of the change interval.
	CompareConfidence = 0.95
	// CompareMinSamples is the fewest samples per side for which Compare gives a
	// verdict. With 4+4 samples the smallest possible Mann–Whitney p-value
	// is 0.029, so a difference can be significant at alpha 0.05.
	CompareMinSamples = 4
)

// CompareOptions configures Compare.
type CompareOptions struct {
	// Threshold is the smallest relative change that counts as a regression
	// or improvement, as a fraction: 0.05 means 5%. Zero means any
	// significant change counts (the compare command defaults to
	// DefaultCompareThreshold).
	Threshold float64
	// Alpha is the significance level of the Mann–Whitney U test, in (0, 1).
	// Zero means DefaultCompareAlpha.
	Alpha float64
	// Metric names the sample array compared; see CompareMetrics. Empty means
	// DefaultCompareMetric ("seconds"). Larger values are worse for every metric.
	Metric string
	// Correction is the multiple-comparison correction of the p-values:
	// "holm" (Holm–Bonferroni, the default when empty) keeps the chance of
	// any false alarm across all cells at Alpha; "none" tests every cell at
	// Alpha on its own, so with 16 cells a false alarm somewhere is likely
	// (1 - 0.95^16 = 56%).
	Correction string
}

// Corrections lists the valid CompareOptions.Correction values.
var Corrections = []string{"holm", "none"}

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
// interval at CompareConfidence.
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
// the metrics table (resultset.Metrics), so compare spells every metric as
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
	for _, m := range resultset.Metrics {
		if m.Better == resultset.LowerIsBetter {
			names = append(names, m.Name)
		}
	}
	return names
}

// Compare compares the cells of base and new on one metric. It returns an
// error only for invalid options.
func Compare(base, new *resultset.Set, opt CompareOptions) (*Comparison, error) {
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
	if !slices.Contains(Corrections, opt.Correction) {
		return nil, fmt.Errorf("unknown correction %q (known: %s)", opt.Correction, strings.Join(Corrections, ", "))
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

func cmpCompareCell(key string, b, n *resultset.Cell, m cmpMetric, opt CompareOptions) CellComparison {
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
	lo, hi, conf := stats.TwoSampleRatioCI(bv, nv, CompareConfidence)
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
func (cc *CellComparison) setVerdict(opt CompareOptions) {
	cc.Note = ""
	switch {
	case !(cc.PAdj < opt.Alpha) && opt.Threshold > 0 && cc.Noise > opt.Threshold:
		cc.Verdict = VerdictInsensitive
		cc.Note = fmt.Sprintf("cannot detect a change of %s here: noise ±%s", cmpFormatPct(opt.Threshold, false), cmpFormatNoise(cc.Noise))
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
func cmpCorrect(cells []CellComparison, opt CompareOptions) {
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

// WriteTable writes the comparison as a text table (markdown false) or a
// GitHub-flavoured Markdown table fit for a pull-request comment (markdown
// true), preceded by the warnings and followed by the cells present in one
// set only, one line per regression, improvement and undecided cell, and a
// summary line.
func (c *Comparison) WriteTable(w io.Writer, markdown bool) error {
	ew := &errWriter{w: w}
	line := func(s string) {
		if markdown {
			s = "- " + s
		}
		fmt.Fprintln(ew, s)
	}
	esc := escapeText
	if markdown {
		esc = escapeMarkdown
	}
	para := func() {
		if markdown {
			fmt.Fprintln(ew)
		}
	}
	for _, s := range c.Warnings {
		line("warning: " + esc(s))
	}
	if len(c.Warnings) > 0 {
		para()
	}
	pName := "p"
	if c.Correction == "holm" {
		pName = "p (Holm-corrected over " + strconv.Itoa(c.tested()) + " cells)"
	}
	fmt.Fprintf(ew, "metric %s (lower is better): regression when %s < %s and more than %s worse; change CI %s\n",
		c.Metric, pName, cmpFormatAlpha(c.Alpha), cmpFormatPct(c.Threshold, false), cmpFormatPct(CompareConfidence, false))
	para()
	if ew.err != nil {
		return ew.err
	}
	unit := cmpUnit(c.Metric)
	header := []string{"cell", "base", "new", "change", "95% CI", "p", "n", "verdict"}
	rows := make([][]string, 0, len(c.Cells))
	for _, cc := range c.Cells {
		n := "-"
		if cc.NBase > 0 || cc.NNew > 0 {
			n = fmt.Sprintf("%d+%d", cc.NBase, cc.NNew)
		}
		verdict := string(cc.Verdict)
		if cc.Verdict.IsRegression() {
			verdict = "REGRESSION" + strings.TrimPrefix(verdict, "regression")
		}
		rows = append(rows, []string{
			cc.Key, cmpFormatValue(cc.BaseMedian, unit), cmpFormatValue(cc.NewMedian, unit),
			cmpFormatPct(cc.Change, true), cmpFormatCI(cc.ChangeLo, cc.ChangeHi), cmpFormatP(cc.PAdj), n, verdict,
		})
	}
	if len(rows) > 0 {
		if err := writeTable(w, header, rows, markdown); err != nil {
			return err
		}
	} else {
		fmt.Fprintln(ew, "no cells in common")
	}
	para()
	for _, k := range c.OnlyBase {
		line("only in base: " + esc(k))
	}
	for _, k := range c.OnlyNew {
		line("only in new: " + esc(k))
	}
	for _, cc := range c.Cells {
		switch {
		case cc.Verdict == VerdictNewFailure:
			line(fmt.Sprintf("regression: %s: newly fails: %s", esc(cc.Key), esc(cc.Note)))
		case cc.Verdict == VerdictRegression || cc.Verdict == VerdictImprovement:
			line(fmt.Sprintf("%s: %s", cc.Verdict, c.figures(&cc)))
		case cc.Verdict == VerdictTooFewSamples:
			line(fmt.Sprintf("no verdict: %s: %s", esc(cc.Key), esc(cc.Note)))
		case cc.Verdict == VerdictNoData:
			line(fmt.Sprintf("no verdict: %s: %s", esc(cc.Key), esc(cc.Note)))
		case cc.Verdict == VerdictInsensitive:
			line(fmt.Sprintf("%s: %s (n=%d+%d); take more repetitions", esc(cc.Note), esc(cc.Key), cc.NBase, cc.NNew))
		}
	}
	line(c.summary())
	return ew.err
}

// figures is "KEY: seconds 10.0ms -> 15.0ms, +50.0% [+45.0%, +55.0%], p=0.001, n=8+8".
func (c *Comparison) figures(cc *CellComparison) string {
	unit := cmpUnit(c.Metric)
	p := "p=" + cmpFormatP(cc.PAdj)
	if strings.HasPrefix(p, "p=<") {
		p = "p" + p[2:]
	}
	return fmt.Sprintf("%s: %s %s -> %s, %s %s, %s, n=%d+%d", cc.Key, c.Metric,
		cmpFormatValue(cc.BaseMedian, unit), cmpFormatValue(cc.NewMedian, unit),
		cmpFormatPct(cc.Change, true), cmpFormatCI(cc.ChangeLo, cc.ChangeHi), p, cc.NBase, cc.NNew)
}

// summary is the closing line, e.g. "result: 1 regression, 0 improvements,
// 5 unchanged, 1 without verdict; 0 only in base, 0 only in new".
func (c *Comparison) summary() string {
	reg, imp, und, ins := len(c.Regressions()), len(c.Improvements()), 0, len(c.Insensitive())
	for _, cc := range c.Cells {
		if cc.Verdict == VerdictTooFewSamples || cc.Verdict == VerdictNoData {
			und++
		}
	}
	other := len(c.Cells) - reg - imp - und - ins
	verdict := "PASS"
	if reg > 0 {
		verdict = "FAIL"
	}
	noisy := ""
	if ins > 0 {
		noisy = fmt.Sprintf(", %d too noisy to detect %s", ins, cmpFormatPct(c.Threshold, false))
	}
	return fmt.Sprintf("result: %s: %s, %s, %d other, %d without verdict%s; %d only in base, %d only in new",
		verdict, plural(reg, "regression"), plural(imp, "improvement"), other, und, noisy, len(c.OnlyBase), len(c.OnlyNew))
}

// cmpJSONFloat is a float64 that encodes NaN and ±Inf as null.
type cmpJSONFloat float64

func (f cmpJSONFloat) MarshalJSON() ([]byte, error) {
	v := float64(f)
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return []byte("null"), nil
	}
	return strconv.AppendFloat(nil, v, 'g', -1, 64), nil
}

// WriteJSON writes the comparison as one indented JSON object. Fractions
// (change, bounds, threshold) are plain numbers (0.5 = +50%); values that
// were not computed or are unbounded are null.
func (c *Comparison) WriteJSON(w io.Writer) error {
	type cellJSON struct {
		Key        string         `json:"key"`
		Strategy   string         `json:"strategy"`
		BaseMedian cmpJSONFloat   `json:"base_median"`
		NewMedian  cmpJSONFloat   `json:"new_median"`
		Change     cmpJSONFloat   `json:"change"`
		ChangeLo   cmpJSONFloat   `json:"change_lo"`
		ChangeHi   cmpJSONFloat   `json:"change_hi"`
		Confidence cmpJSONFloat   `json:"confidence"`
		P          cmpJSONFloat   `json:"p"`
		PAdj       cmpJSONFloat   `json:"p_corrected"`
		NBase      int            `json:"n_base"`
		NNew       int            `json:"n_new"`
		Verdict    CompareVerdict `json:"verdict"`
		Noise      cmpJSONFloat   `json:"noise"`
		Regression bool           `json:"regression"`
		Note       string         `json:"note,omitempty"`
	}
	out := struct {
		Metric       string           `json:"metric"`
		Unit         string           `json:"unit"`
		Threshold    float64          `json:"threshold"`
		Alpha        float64          `json:"alpha"`
		Correction   string           `json:"correction"`
		Confidence   float64          `json:"confidence"`
		Pass         bool             `json:"pass"`
		Regressions  int              `json:"regressions"`
		Improvements int              `json:"improvements"`
		Insensitive  int              `json:"too_noisy"`
		Warnings     []string         `json:"warnings"`
		EnvDiffs     []CompareEnvDiff `json:"env_differences"`
		Cells        []cellJSON       `json:"cells"`
		OnlyBase     []string         `json:"only_in_base"`
		OnlyNew      []string         `json:"only_in_new"`
	}{
		Metric: c.Metric, Unit: cmpUnit(c.Metric), Threshold: c.Threshold, Alpha: c.Alpha, Correction: c.Correction,
		Confidence: CompareConfidence, Regressions: len(c.Regressions()), Improvements: len(c.Improvements()), Insensitive: len(c.Insensitive()),
		Warnings: cmpNonNil(c.Warnings), EnvDiffs: c.EnvDiffs, Cells: []cellJSON{},
		OnlyBase: cmpNonNil(c.OnlyBase), OnlyNew: cmpNonNil(c.OnlyNew),
	}
	out.Pass = out.Regressions == 0
	if out.EnvDiffs == nil {
		out.EnvDiffs = []CompareEnvDiff{}
	}
	for _, cc := range c.Cells {
		out.Cells = append(out.Cells, cellJSON{
			Key: cc.Key, Strategy: cc.Base.Strategy,
			BaseMedian: cmpJSONFloat(cc.BaseMedian), NewMedian: cmpJSONFloat(cc.NewMedian),
			Change: cmpJSONFloat(cc.Change), ChangeLo: cmpJSONFloat(cc.ChangeLo), ChangeHi: cmpJSONFloat(cc.ChangeHi),
			Confidence: cmpJSONFloat(cc.Confidence), P: cmpJSONFloat(cc.P), PAdj: cmpJSONFloat(cc.PAdj),
			NBase: cc.NBase, NNew: cc.NNew, Verdict: cc.Verdict, Noise: cmpJSONFloat(cc.Noise), Regression: cc.Verdict.IsRegression(), Note: cc.Note,
		})
	}
	data, err := json.MarshalIndent(out, "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(jsonEscapeControls(data), '\n'))
	return err
}

func cmpNonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// cmpFormatPct formats a fraction as a percentage: "+50.0%", "-3.2%", or
// "5%" when signed is false. NaN is "-", +Inf "+∞".
func cmpFormatPct(f float64, signed bool) string {
	switch {
	case math.IsNaN(f):
		return "-"
	case math.IsInf(f, 1):
		return "+∞"
	case math.IsInf(f, -1):
		return "-∞"
	}
	if !signed {
		return strconv.FormatFloat(100*f, 'f', -1, 64) + "%"
	}
	return fmt.Sprintf("%+.1f%%", 100*f)
}

// cmpFormatCI formats a change interval as "[+45.0%, +55.0%]", "-" when not
// computed and "∞" when unbounded.
func cmpFormatCI(lo, hi float64) string {
	switch {
	case math.IsNaN(lo) || math.IsNaN(hi):
		return "-"
	case math.IsInf(hi, 1) && lo <= -1:
		return "∞"
	}
	return "[" + cmpFormatPct(lo, true) + ", " + cmpFormatPct(hi, true) + "]"
}

// cmpFormatNoise formats a noise half-width fraction as "25%" or "2.5%".
func cmpFormatNoise(f float64) string {
	if math.IsInf(f, 1) {
		return "∞"
	}
	if 100*f < 10 {
		return strconv.FormatFloat(100*f, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(100*f, 'f', 0, 64) + "%"
}

func cmpFormatP(p float64) string {
	switch {
	case math.IsNaN(p):
		return "-"
	case p < 0.001:
		return "<0.001"
	}
	return strconv.FormatFloat(p, 'f', 3, 64)
}

func cmpFormatAlpha(a float64) string { return strconv.FormatFloat(a, 'g', -1, 64) }

func cmpUnit(metric string) string {
	m, _ := cmpMetricNamed(metric)
	return m.unit
}

// cmpFormatValue formats v in unit "s" (ns, µs, ms, s), "bytes" (B, KiB, MiB,
// GiB) or "count" (exact when whole), with three significant digits.
func cmpFormatValue(v float64, unit string) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case unit == "s":
		return formatDuration(v)
	case unit == "bytes" && v >= 0:
		return resultset.FormatIEC(uint64(v))
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return resultset.FormatSig(v)
}

// tested counts the cells that got a p-value.
func (c *Comparison) tested() int {
	n := 0
	for _, cc := range c.Cells {
		if !math.IsNaN(cc.P) {
			n++
		}
	}
	return n
}
