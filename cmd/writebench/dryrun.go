package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/writebench/writebench"
	"github.com/writebench/writebench/internal/textfmt"
)

// dryRun prints what `run` would do with cfg. It writes nothing but
// scratch directories under --dir, removed at once, in which the cost model
// is calibrated and every external writer cell runs one short probe batch
// (writebench.DryRunProbe).
func dryRun(ctx context.Context, stdout io.Writer, cfg writebench.Config) error {
	p, err := writebench.DryRunProbe(ctx, cfg)
	if err != nil {
		return configError(err)
	}
	ew := &abWriter{w: stdout}
	fmt.Fprintf(ew, "%s, %s per cell\n", textfmt.Plural(len(p.Cells), "cell"), roundsText(p))
	external, unprobed := 0, 0
	for i, c := range p.Cells {
		more := ""
		if p.External[i] {
			external++
			more = " (external program, " + p.Probe[i] + ")"
			if !strings.HasPrefix(p.Probe[i], "measured") {
				unprobed++
				more = " or more (external program, its own work not estimated: " + p.Probe[i] + ")"
			}
		}
		fmt.Fprintf(ew, "  %-70s ~%s per repetition%s\n", c.Key(), textfmt.Duration(p.EstimateCell[i].Seconds()), more)
	}
	atLeast := ""
	if unprobed > 0 {
		atLeast = "at least "
	}
	fmt.Fprintf(ew, "at most %s; estimated wall time %s%s\n", textfmt.Plural(p.Repetitions, "repetition"), atLeast, textfmt.Duration(p.Estimate.Seconds()))
	if external > 0 {
		fmt.Fprintf(ew, "(%d of the %d cells run external programs: each was estimated from a short real batch after one to warm up, scaled to its size)\n", external, len(p.Cells))
	}
	if p.OverBudget {
		fmt.Fprintf(ew, "(the warm-ups and the first counted round always run, and alone take longer than --budget %s: fewer files or smaller sizes would keep to it)\n", textfmt.Duration(p.Budget.Seconds()))
	}
	switch {
	case p.TooFewRounds:
		fmt.Fprintf(ew, "warning: --repeat %d is fewer than the %d rounds a verdict needs: no workload can be decided; use --repeat %d or more\n",
			p.Repeat, p.VerdictRounds, p.VerdictRounds)
	case p.SuggestedBudget > 0:
		fmt.Fprintf(ew, "warning: --budget %s cannot reach the %d rounds every cell needs before a verdict (estimated %s with the warm-ups): --budget %s would, or fewer cells\n",
			textfmt.Duration(p.Budget.Seconds()), p.VerdictRounds, textfmt.Duration(p.VerdictEstimate.Seconds()), p.SuggestedBudget)
	}
	if p.FSType == "tmpfs" || p.FSType == "ramfs" {
		fmt.Fprintln(ew, textfmt.FieldRefs(writebench.MemoryWarning(p.Dir, p.FSType), flagRef))
	}
	if p.Calibration != "" {
		fmt.Fprintf(ew, "(%s; the load of the moment counts too. Nothing was kept: the probes wrote under --dir and removed their files at once.)\n", p.Calibration)
	} else {
		fmt.Fprintln(ew, "(estimated from costs measured on a 2-core VM with ext4; other machines differ 2-3x. Nothing was kept: a probe file, removed at once, checked that --dir is writable.)")
	}
	return ew.err
}

func roundsText(p *writebench.Plan) string {
	warm := ""
	if p.Warmup > 0 {
		warm = fmt.Sprintf("%d uncounted + ", p.Warmup)
	}
	if p.MinRounds < p.Repeat {
		return fmt.Sprintf("%s%d to %d counted repetitions (adaptive, within the budget)", warm, p.MinRounds, p.Repeat)
	}
	return fmt.Sprintf("%s%d counted repetitions", warm, p.Repeat)
}
