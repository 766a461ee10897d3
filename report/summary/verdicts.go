package summary

import (
	"fmt"
	"math"
	"strings"

	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/resultset"
)

// SetVerdicts is the verdicts of one set with its label.
type SetVerdicts struct {
	Label    string // the set's label (see Label)
	Set      *resultset.Set
	Verdicts []judge.Verdict // every comparison group, decided with the options the set was sampled with
}

// Verdicts decides every comparison group of each set, with the options
// each set was sampled with, in the order of sets.
func Verdicts(sets []*resultset.Set, labels []string) []SetVerdicts {
	out := make([]SetVerdicts, len(sets))
	for i, s := range sets {
		out[i] = SetVerdicts{Label(labels, i), s, judge.Verdicts(s, judge.OptionsFor(s))}
	}
	return out
}

// Workload splits a verdict's fixed parameters into the workload (files,
// size, sync) and the rest ("name=value").
func Workload(v *judge.Verdict) (files, size, sync string, rest []string) {
	for _, p := range v.Group {
		switch p.Name {
		case "files":
			files = p.Value
		case "size":
			size = p.Value
		case "sync":
			sync = p.Value
		default:
			rest = append(rest, p.Name+"="+p.Value)
		}
	}
	return files, size, sync, rest
}

// GroupName is "256 × 4KiB, sync none" plus any other fixed parameter.
func GroupName(v *judge.Verdict) string {
	files, size, sync, rest := Workload(v)
	s := files + " × " + size + ", sync " + sync
	if len(rest) > 0 {
		s += ", " + strings.Join(rest, ", ")
	}
	return s
}

// Leaders are the contenders an answer names together at the top: the
// fastest, those tied with it, and those whose interval against it
// contains 1 (indistinguishable from it on these rounds), so two identical
// writers are never ranked.
func Leaders(v *judge.Verdict) []*judge.Contender {
	var out []*judge.Contender
	for i := range v.Contenders {
		c := &v.Contenders[i]
		switch Standing(v, c) {
		case judge.Fastest, judge.Tie, "not told apart":
			out = append(out, c)
		}
	}
	return out
}

// Standing is what every output says of contender c of v, from the
// judge's verdict alone: "fastest"; "tie" (within the tie margin);
// "not told apart" (undecided, its interval contains 1: named with the
// leaders); "slower" (its whole interval beyond the margin); "within 5%
// or slower" (undecided but not faster by more than the margin: slower or
// tied, not yet which); "undecided"; or "skipped", "failed", "unsafe".
// The one-screen line lists contenders under these words and the verdict
// table prints them, so the two cannot disagree.
func Standing(v *judge.Verdict, c *judge.Contender) string {
	switch {
	case c.Verdict == judge.Undecided && !math.IsNaN(c.CILow) && c.CILow <= 1 && c.CIHigh >= 1:
		return "not told apart"
	case c.Verdict == judge.Undecided && c.NoFaster && c.CIHigh < 1:
		return "within " + resultset.FormatPercent(v.Tie) + " or slower"
	case c.Verdict == judge.Undecided && c.NoFaster:
		return "within " + resultset.FormatPercent(v.Tie)
	}
	return c.Verdict
}

// Margin formats a winner's margin m over the runner-up (its speed ratio
// minus 1): "+23%" below 2x and "3.4x" from there on ("-2%" for a
// runner-up that is not slower).
func Margin(m float64) string {
	if m+1 >= 2 {
		return fmt.Sprintf("%.1fx", m+1)
	}
	if math.Round(100*m) == 0 {
		return "+0%"
	}
	return fmt.Sprintf("%+.0f%%", 100*m)
}
