package main

import (
	"fmt"
	"io"

	"github.com/writebench/writebench"
	"github.com/writebench/writebench/report"
)

// dryRun prints what `run` would do with cfg and writes nothing.
func dryRun(stdout io.Writer, cfg writebench.Config) error {
	p, err := writebench.DryRun(cfg)
	if err != nil {
		return configError(err)
	}
	ew := &abWriter{w: stdout}
	fmt.Fprintf(ew, "%s, %s per cell\n", report.Plural(len(p.Cells), "cell"), roundsText(p))
	external := 0
	for i, c := range p.Cells {
		more := ""
		if p.External[i] {
			external++
			more = " or more (an external program: its own work is not estimated)"
		}
		fmt.Fprintf(ew, "  %-70s ~%s per repetition%s\n", c.Key(), report.FormatDuration(p.EstimateCell[i].Seconds()), more)
	}
	atLeast := ""
	if external > 0 {
		atLeast = "at least "
	}
	fmt.Fprintf(ew, "at most %s; estimated wall time %s%s\n", report.Plural(p.Repetitions, "repetition"), atLeast, report.FormatDuration(p.Estimate.Seconds()))
	if external > 0 {
		fmt.Fprintf(ew, "(%d of the %d cells run external programs, whose own work writebench cannot estimate before running them: the Python aiofiles writers took about 50x their estimate here)\n", external, len(p.Cells))
	}
	if p.OverBudget {
		fmt.Fprintf(ew, "(the warm-ups and the first counted round always run, and alone take longer than --budget %s: fewer files or smaller sizes would keep to it)\n", report.FormatDuration(p.Budget.Seconds()))
	}
	if p.FSType == "tmpfs" || p.FSType == "ramfs" {
		fmt.Fprintln(ew, writebench.MemoryWarning(p.Dir, p.FSType))
	}
	fmt.Fprintln(ew, "(estimated from costs measured on a 2-core VM with ext4; other machines differ 2-3x. Nothing was kept: a probe file, removed at once, checked that --dir is writable.)")
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
