package main

import (
	"context"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/report"
	"github.com/writebench/writebench/resultset"
)

const compareUsage = `Usage: writebench compare BASE NEW [flags]

Compares two result sets cell by cell (cells are matched by strategy, files,
size and every parameter) and exits 1 when NEW is significantly worse than
BASE in at least one cell, so a CI pipeline can fail on a regression and
not on noise.

Per cell it prints the median of each side, the change in percent with a 95%
confidence interval (distribution-free, from the pairwise ratios) and the
Mann-Whitney U p-value, Holm-Bonferroni corrected over all tested cells
(--correction), so a comparison of many cells raises a false alarm with
probability at most --alpha, not --alpha per cell. A change is a regression
when the corrected p < --alpha and it is worse by more than --threshold; a cell that succeeded in BASE and fails in
NEW is a regression too. Cells with fewer than 4 samples on a side get no
verdict and never fail the comparison. Cells present in only one set are
listed; two sets without a cell in common are an error. Sets measured on
different machines or filesystems are compared with a warning line.

--threshold takes a percentage ("5%") or a fraction below 1 ("0.05"); a bare
number of 1 or more ("5") is rejected as ambiguous.

A cell too noisy for a change of --threshold to be seen gets "cannot
detect". When no cell could detect one (every cell too noisy or with too
few samples), the comparison could not have failed: it says INCONCLUSIVE
and exits 3 rather than passing. Two separate runs on a busy machine often
end there; 'writebench ab' runs both builds interleaved in one run and
decides far smaller changes (docs/ci.md).

Exit status: 0 no regression (and at least one cell could have shown one),
1 at least one regression (each named on its own line), 2 usage error, a
file that cannot be read, or two sets with no cell in common (nothing
compared, nothing printed on stdout), 3 inconclusive (no regression found,
but no cell could have shown one).

Examples:
  writebench compare baseline.json new.json
  writebench compare baseline.json new.json --threshold 10% --format markdown
  writebench compare a.json b.json --metric sys_seconds --alpha 0.01`

// compareConfig is the parsed command line of compare.
type compareConfig struct {
	base, new string
	opt       judge.Options
	format    string
}

func compareFlags(c *compareConfig, threshold *string) *pflag.FlagSet {
	fs := pflag.NewFlagSet("compare", pflag.ContinueOnError)
	fs.StringVar(threshold, "threshold", "5%", "smallest change that counts: a percentage (5%) or a fraction (0.05)")
	fs.Float64Var(&c.opt.Alpha, "alpha", judge.DefaultCompareAlpha, "significance level of the Mann-Whitney U test, between 0 and 1")
	fs.StringVar(&c.opt.Correction, "correction", "holm", "multiple-comparison correction of the p-values: holm or none")
	fs.StringVar(&c.opt.Metric, "metric", judge.DefaultCompareMetric, "sample array to compare, larger is worse: "+strings.Join(judge.CompareMetrics(), ", "))
	fs.StringVar(&c.format, "format", "table", "output format: table, markdown or json")
	return fs
}

// parseThreshold reads "5%" as 0.05, "0.05" as 0.05, and rejects bare
// numbers >= 1 ("5": five percent or five hundred?), negatives and junk.
func parseThreshold(s string) (float64, error) {
	t := strings.TrimSpace(s)
	pct := strings.HasSuffix(t, "%")
	t = strings.TrimSpace(strings.TrimSuffix(t, "%"))
	v, err := strconv.ParseFloat(t, 64)
	if err != nil || math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("--threshold %q: not a number; write a percentage like 5%% or a fraction like 0.05", s)
	}
	if v < 0 {
		return 0, fmt.Errorf("--threshold %q: must not be negative", s)
	}
	if pct {
		return v / 100, nil
	}
	if v >= 1 {
		return 0, fmt.Errorf("--threshold %q is ambiguous: write %s%% for a percentage or a fraction below 1 (0.05 = 5%%)", s, t)
	}
	return v, nil
}

func runCompare(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var c compareConfig
	var threshold string
	fs := compareFlags(&c, &threshold)
	if err := parseFlags("compare", fs, args, stdout); err != nil {
		return err
	}
	if fs.NArg() != 2 {
		return usagef("compare: want two result sets, BASE and NEW, got %d argument(s) (usage: writebench compare BASE NEW [flags])", fs.NArg())
	}
	c.base, c.new = fs.Arg(0), fs.Arg(1)
	th, err := parseThreshold(threshold)
	if err != nil {
		return usagef("compare: %v", err)
	}
	c.opt.Threshold = th
	if !(c.opt.Alpha > 0 && c.opt.Alpha < 1) {
		return usagef("compare: --alpha %v: must be between 0 and 1 (exclusive), e.g. 0.05", c.opt.Alpha)
	}
	if !slices.Contains(judge.Corrections(), c.opt.Correction) {
		return usagef("compare: --correction %q: want holm or none", c.opt.Correction)
	}
	switch c.format {
	case "table", "markdown", "json":
	default:
		return usagef("compare: --format %q: want table, markdown or json", c.format)
	}
	if !slices.Contains(judge.CompareMetrics(), c.opt.Metric) {
		return usagef("compare: --metric %q: want one of %s", c.opt.Metric, strings.Join(judge.CompareMetrics(), ", "))
	}

	base, err := resultset.Load(c.base)
	if err != nil {
		return usagef("compare: base: %v", err)
	}
	newSet, err := resultset.Load(c.new)
	if err != nil {
		return usagef("compare: new: %v", err)
	}
	cmp, err := judge.Compare(base, newSet, c.opt)
	if err != nil {
		return usagef("compare: %v", err)
	}
	if len(cmp.Cells) == 0 {
		// Most likely the wrong files: a PASS here would say nothing.
		return usagef("compare: %s and %s have no cell in common: nothing to compare", resultset.Printable(c.base), resultset.Printable(c.new))
	}
	switch c.format {
	case "json":
		for _, w := range cmp.Warnings {
			fmt.Fprintln(stderr, "warning: "+resultset.Printable(w))
		}
		err = report.WriteComparisonJSON(stdout, cmp)
	default:
		err = report.WriteComparison(stdout, cmp, c.format == "markdown")
	}
	if err != nil {
		return fmt.Errorf("compare: write output: %w", err)
	}
	if n := len(cmp.Regressions()); n > 0 {
		s := "s"
		if n == 1 {
			s = ""
		}
		return &failedError{msg: fmt.Sprintf("compare: %d regression%s in %s against %s", n, s, c.new, c.base)}
	}
	if cmp.Inconclusive() {
		return &inconclusiveError{msg: fmt.Sprintf("compare: inconclusive: no cell of %s could show a change of %s against %s (too noisy, or too few samples): this comparison could not have failed",
			resultset.Printable(c.new), cmpPct(c.opt.Threshold), resultset.Printable(c.base))}
	}
	return nil
}

// cmpPct formats a threshold fraction as a percentage ("5%").
func cmpPct(f float64) string {
	return strconv.FormatFloat(100*f, 'f', -1, 64) + "%"
}
