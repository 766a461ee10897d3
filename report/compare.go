package report

import (
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/writebench/writebench/internal/textfmt"
	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/resultset"
)

// Rendering of a judge.Comparison as a table or JSON.

// WriteComparison writes the comparison c as a text table (markdown false) or a
// GitHub-flavoured Markdown table fit for a pull-request comment (markdown
// true), preceded by the warnings and followed by the cells present in one
// set only, one line per regression, improvement and undecided cell, and a
// summary line.
func WriteComparison(w io.Writer, c *judge.Comparison, markdown bool) error {
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
		pName = "p (Holm-corrected over " + strconv.Itoa(c.Tested()) + " cells)"
	}
	fmt.Fprintf(ew, "metric %s (lower is better): regression when %s < %s and more than %s worse; change CI %s\n",
		c.Metric, pName, cmpFormatAlpha(c.Alpha), textfmt.Percent(c.Threshold, false), textfmt.Percent(judge.DefaultConfidence, false))
	para()
	if ew.err != nil {
		return ew.err
	}
	unit := judge.CompareUnit(c.Metric)
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
			textfmt.Percent(cc.Change, true), cmpFormatCI(cc.ChangeLo, cc.ChangeHi), cmpFormatP(cc.PAdj), n, verdict,
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
		case cc.Verdict == judge.VerdictNewFailure:
			line(fmt.Sprintf("regression: %s: newly fails: %s", esc(cc.Key), esc(cc.Note)))
		case cc.Verdict == judge.VerdictRegression || cc.Verdict == judge.VerdictImprovement:
			line(fmt.Sprintf("%s: %s", cc.Verdict, comparisonFigures(c, &cc)))
		case cc.Verdict == judge.VerdictTooFewSamples:
			line(fmt.Sprintf("no verdict: %s: %s", esc(cc.Key), esc(cc.Note)))
		case cc.Verdict == judge.VerdictNoData:
			line(fmt.Sprintf("no verdict: %s: %s", esc(cc.Key), esc(cc.Note)))
		case cc.Verdict == judge.VerdictInsensitive:
			line(fmt.Sprintf("%s: %s (n=%d+%d); take more repetitions", esc(cc.Note), esc(cc.Key), cc.NBase, cc.NNew))
		}
	}
	line(comparisonSummary(c))
	return ew.err
}

// figures is "KEY: seconds 10.0ms -> 15.0ms, +50.0% [+45.0%, +55.0%], p=0.001, n=8+8".
func comparisonFigures(c *judge.Comparison, cc *judge.CellComparison) string {
	unit := judge.CompareUnit(c.Metric)
	p := "p=" + cmpFormatP(cc.PAdj)
	if strings.HasPrefix(p, "p=<") {
		p = "p" + p[2:]
	}
	return fmt.Sprintf("%s: %s %s -> %s, %s %s, %s, n=%d+%d", cc.Key, c.Metric,
		cmpFormatValue(cc.BaseMedian, unit), cmpFormatValue(cc.NewMedian, unit),
		textfmt.Percent(cc.Change, true), cmpFormatCI(cc.ChangeLo, cc.ChangeHi), p, cc.NBase, cc.NNew)
}

// summary is the closing line, e.g. "result: 1 regression, 0 improvements,
// 5 unchanged, 1 without verdict; 0 only in base, 0 only in new".
func comparisonSummary(c *judge.Comparison) string {
	reg, imp, und, ins := len(c.Regressions()), len(c.Improvements()), 0, len(c.Insensitive())
	for _, cc := range c.Cells {
		if cc.Verdict == judge.VerdictTooFewSamples || cc.Verdict == judge.VerdictNoData {
			und++
		}
	}
	other := len(c.Cells) - reg - imp - und - ins
	verdict := "PASS"
	switch {
	case reg > 0:
		verdict = "FAIL"
	case c.Inconclusive():
		verdict = "INCONCLUSIVE (no cell could detect a change of " + textfmt.Percent(c.Threshold, false) + ")"
	}
	noisy := ""
	if ins > 0 {
		noisy = fmt.Sprintf(", %d too noisy to detect %s", ins, textfmt.Percent(c.Threshold, false))
	}
	return fmt.Sprintf("result: %s: %s, %s, %d other, %d without verdict%s; %d only in base, %d only in new",
		verdict, textfmt.Plural(reg, "regression"), textfmt.Plural(imp, "improvement"), other, und, noisy, len(c.OnlyBase), len(c.OnlyNew))
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

// WriteComparisonJSON writes the comparison c as one indented JSON object. Fractions
// (change, bounds, threshold) are plain numbers (0.5 = +50%); values that
// were not computed or are unbounded are null.
func WriteComparisonJSON(w io.Writer, c *judge.Comparison) error {
	type cellJSON struct {
		Key        string               `json:"key"`
		Strategy   string               `json:"strategy"`
		BaseMedian cmpJSONFloat         `json:"base_median"`
		NewMedian  cmpJSONFloat         `json:"new_median"`
		Change     cmpJSONFloat         `json:"change"`
		ChangeLo   cmpJSONFloat         `json:"change_lo"`
		ChangeHi   cmpJSONFloat         `json:"change_hi"`
		Confidence cmpJSONFloat         `json:"confidence"`
		P          cmpJSONFloat         `json:"p"`
		PAdj       cmpJSONFloat         `json:"p_corrected"`
		NBase      int                  `json:"n_base"`
		NNew       int                  `json:"n_new"`
		Verdict    judge.CompareVerdict `json:"verdict"`
		Noise      cmpJSONFloat         `json:"noise"`
		Regression bool                 `json:"regression"`
		Note       string               `json:"note,omitempty"`
	}
	out := struct {
		Metric       string                 `json:"metric"`
		Unit         string                 `json:"unit"`
		Threshold    float64                `json:"threshold"`
		Alpha        float64                `json:"alpha"`
		Correction   string                 `json:"correction"`
		Confidence   float64                `json:"confidence"`
		Pass         bool                   `json:"pass"`
		Inconclusive bool                   `json:"inconclusive"` // no regression, and no cell could have shown one
		Regressions  int                    `json:"regressions"`
		Improvements int                    `json:"improvements"`
		Insensitive  int                    `json:"too_noisy"`
		Warnings     []string               `json:"warnings"`
		EnvDiffs     []judge.CompareEnvDiff `json:"env_differences"`
		Cells        []cellJSON             `json:"cells"`
		OnlyBase     []string               `json:"only_in_base"`
		OnlyNew      []string               `json:"only_in_new"`
	}{
		Metric: c.Metric, Unit: judge.CompareUnit(c.Metric), Threshold: c.Threshold, Alpha: c.Alpha, Correction: c.Correction,
		Confidence: judge.DefaultConfidence, Regressions: len(c.Regressions()), Improvements: len(c.Improvements()), Insensitive: len(c.Insensitive()),
		Warnings: cmpNonNil(c.Warnings), EnvDiffs: c.EnvDiffs, Cells: []cellJSON{},
		OnlyBase: cmpNonNil(c.OnlyBase), OnlyNew: cmpNonNil(c.OnlyNew),
	}
	out.Inconclusive = c.Inconclusive()
	out.Pass = out.Regressions == 0 && !out.Inconclusive
	if out.EnvDiffs == nil {
		out.EnvDiffs = []judge.CompareEnvDiff{}
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

// cmpFormatCI formats a change interval as "[+45.0%, +55.0%]", "-" when not
// computed and "∞" when unbounded.
func cmpFormatCI(lo, hi float64) string {
	switch {
	case math.IsNaN(lo) || math.IsNaN(hi):
		return "-"
	case math.IsInf(hi, 1) && lo <= -1:
		return "∞"
	}
	return "[" + textfmt.Percent(lo, true) + ", " + textfmt.Percent(hi, true) + "]"
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

// cmpFormatValue formats v in unit "s" (ns, µs, ms, s), "bytes" (B, KiB, MiB,
// GiB) or "count" (exact when whole), with three significant digits.
func cmpFormatValue(v float64, unit string) string {
	switch {
	case math.IsNaN(v):
		return "-"
	case unit == "s":
		return textfmt.Duration(v)
	case unit == "bytes" && v >= 0:
		return resultset.FormatIEC(uint64(v))
	case v == math.Trunc(v) && math.Abs(v) < 1e15:
		return strconv.FormatFloat(v, 'f', 0, 64)
	}
	return resultset.FormatSig(v)
}
