package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"strings"
	"text/tabwriter"

	"github.com/writebench/writebench"
	"github.com/writebench/writebench/internal/textfmt"
	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/stats"
	"github.com/writebench/writebench/strategies"
	"github.com/writebench/writebench/strategies/external"
)

const abUsage = `Usage: writebench ab BASE NEW [run flags] [--threshold 10%] [--confidence 0.95]

Runs every selected cell twice in one sweep, once written by BASE and once
by NEW, interleaved round by round (round k of both runs back to back, in a
shuffled order), and judges NEW against BASE from the per-round ratios
NEW/BASE of the write time, which cancel the machine's drift. No baseline
file is kept: build both revisions and compare them on the same machine.

BASE and NEW are commands. A single word is a writebench binary and means
"BIN worker" (the built-in strategy named in --strategies, as that build
implements it); anything longer is run as given and must speak the
external-writer protocol (docs/protocol.md), e.g. "python3 old/writer.py".
With protocol programs, --strategies names what each request asks for.

Per cell it prints the median time of each side and the ratio NEW/BASE
with a distribution-free interval (the sign-test interval of the median
paired ratio, widened when neighbouring rounds drift together) at
--confidence, Bonferroni-corrected over the cells, so an
A/A comparison of many cells raises a false alarm with probability at most
1 - --confidence, not that much per cell. A cell regresses when its ratio
is above 1 + --threshold and its corrected interval lies above 1 (NEW
significantly slower); a cell that NEW fails and BASE does not regresses
too. Cells with too few paired rounds for an interval (raise --repeat) get
no verdict.

Every run flag applies (--files, --sizes, --repeat, --sync, --dir, ...),
except that --repeat is 100 rounds unless given (the preset's is for a
sweep; a paired test on a noisy machine needs more), the preset's --budget
is ignored (every cell runs --repeat rounds) unless given, and each
sample is one batch unless --min-sample is given (its loop count is
calibrated per cell, so BASE and NEW could time different numbers of
batches); the result set is saved only with --out.

Exit status: 0 no regression, 1 at least one regression, 2 usage error.

Examples:
  writebench ab ./base/writebench ./head/writebench --strategies chunked --files 16 --sizes 1MiB
  writebench ab ./base/writebench ./head/writebench --preset ci --threshold 5%
  writebench ab "python3 base/writer.py" "python3 writer.py" --strategies mywriter --files 64 --sizes 64KiB`

// abDefaultRounds is ab's --repeat unless given: the paired sign-test
// interval needs many rounds to catch a 20% slowdown on a noisy machine
// without false alarms (docs/ci.md has the measured rates).
const abDefaultRounds = 100

// abOptions are ab's own flags.
type abOptions struct {
	threshold  string
	confidence float64
	correction string
}

func newABFlags() (*runFlags, *abOptions) {
	f := newRunFlags()
	o := &abOptions{}
	f.fs.StringVar(&o.threshold, "threshold", "10%", "smallest slowdown that fails: a percentage (10%) or a fraction (0.1)")
	f.fs.Float64Var(&o.confidence, "confidence", judge.DefaultConfidence, "confidence of the paired-ratio intervals, over all cells together")
	f.fs.StringVar(&o.correction, "correction", "bonferroni", "multiple-comparison correction of the intervals: bonferroni or none")
	return f, o
}

// abSide is BASE or NEW.
type abSide struct {
	label   string // "base" or "new"
	command string // as given
	argv    string // command run (with " worker" for a binary)
	worker  bool   // a writebench binary: requests name built-in strategies
}

func abCommand(label, cmd string) (abSide, error) {
	words, err := external.SplitCommand(cmd)
	if err != nil {
		return abSide{}, usagef("ab: %s command %q: %v", strings.ToUpper(label), cmd, err)
	}
	if len(words) == 0 {
		return abSide{}, usagef("ab: %s command is empty", strings.ToUpper(label))
	}
	s := abSide{label: label, command: cmd, argv: cmd}
	if len(words) == 1 {
		s.argv = shellQuote(words[0]) + " worker"
		s.worker = true
	}
	return s, nil
}

// checkProgram refuses a side whose program cannot be found, before
// anything runs: a CI job with a wrong path must not pass as "no
// regression".
func (a abSide) checkProgram() error {
	words, _ := external.SplitCommand(a.command)
	switch {
	case len(words) == 0:
		return nil
	case strings.ContainsRune(words[0], '/'):
		if st, err := os.Stat(words[0]); err != nil || st.IsDir() || st.Mode()&0o111 == 0 {
			return usagef("ab: %s: %s is not an executable file", strings.ToUpper(a.label), words[0])
		}
	default:
		if _, err := exec.LookPath(words[0]); err != nil {
			return usagef("ab: %s: program %q not found in PATH", strings.ToUpper(a.label), words[0])
		}
	}
	return nil
}

// shellQuote quotes s for SplitCommand.
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func abCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f, o := newABFlags()
	if err := parseFlags("ab", f.fs, args, stdout); err != nil {
		return err
	}
	th, err := abCheckFlags(f, o)
	if err != nil {
		return err
	}
	var sides [2]abSide
	for i, label := range []string{"base", "new"} {
		if sides[i], err = abCommand(label, f.fs.Arg(i)); err != nil {
			return err
		}
	}
	names, err := abStrategyNames(f)
	if err != nil {
		return err
	}
	execNames, err := abExecs(f, sides, names, stderr)
	if err != nil {
		return err
	}
	if len(execNames) == 0 {
		return usagef("ab: no strategy left to compare (see --strategies)")
	}
	for _, side := range sides {
		if err := side.checkProgram(); err != nil {
			return err
		}
	}
	if err := f.fs.Set("strategies", strings.Join(execNames, ",")); err != nil {
		return usagef("ab: %v", err)
	}
	cfg, err := f.config(args)
	if err != nil {
		return err
	}
	cfg.Command = append([]string{"writebench", "ab"}, args...)
	if !f.fs.Changed("budget") {
		// Every cell runs --repeat rounds: adaptive stopping would look at
		// the data before the final, Bonferroni-corrected verdict.
		cfg.Budget = 0
	}
	if !f.fs.Changed("repeat") {
		cfg.Repeat = abDefaultRounds
	}
	if !f.fs.Changed("min-sample") {
		// One batch per sample on both sides: the loop count is calibrated
		// per cell from its warm-up, so BASE and NEW could otherwise time
		// different numbers of back-to-back batches.
		cfg.MinSample = -1
	}
	if f.dryRun {
		return dryRun(ctx, stdout, cfg)
	}
	var dest *resultset.Output
	if f.out != "" {
		var err error
		if dest, err = checkOut(f.out, false); err != nil {
			return err
		}
	}
	cfg.Log = stderr
	cfg.Progress = newProgress(f.progress, stderr)
	set, runErr := writebench.Run(ctx, cfg)
	if set == nil {
		var ce *writebench.ConfigError
		if errors.As(runErr, &ce) {
			return usagef("ab: %s", flagText(ce))
		}
		return runErr
	}
	if f.out != "" {
		if saved, err := saveSet(f.out, dest, set); err != nil {
			fmt.Fprintf(stderr, "writebench: ab: cannot save the result set: %v\n", err)
		} else if saved != f.out {
			fmt.Fprintf(stderr, "writebench: ab: note: another process saved %s meanwhile; it was kept, and this set was saved as %s\n",
				resultset.Printable(f.out), resultset.Printable(saved))
		}
	}
	if runErr != nil {
		if ie := interruption(ctx); ie != nil {
			return ie
		}
		return runErr
	}
	return abJudge(stdout, set, sides, judge.Options{Threshold: th, Confidence: o.confidence, Correction: o.correction})
}

// abCheckFlags checks ab's own flags and arguments and returns the
// threshold as a fraction.
func abCheckFlags(f *runFlags, o *abOptions) (float64, error) {
	if f.fs.NArg() != 2 {
		return 0, usagef("ab: want two commands, BASE and NEW, got %d argument(s) (usage: writebench ab BASE NEW [flags])", f.fs.NArg())
	}
	th, err := parseThreshold(o.threshold)
	if err != nil {
		return 0, usagef("ab: %v", err)
	}
	if !(o.confidence > 0 && o.confidence < 1) {
		return 0, usagef("ab: --confidence %v: must be between 0 and 1 (exclusive), e.g. 0.95", o.confidence)
	}
	if o.correction != "bonferroni" && o.correction != "none" {
		return 0, usagef("ab: --correction %q: want bonferroni or none", o.correction)
	}
	if f.fs.Changed("exec") || f.fs.Changed("exec-file") {
		return 0, usagef("ab: --exec and --exec-file do not apply: BASE and NEW are the two commands")
	}
	if f.fs.Changed("shared-dir") {
		return 0, usagef("ab: --shared-dir does not apply: ab runs one process (--shared-dir is for MPI runs of 'writebench run'), and an older BASE would not name its files by rank")
	}
	return th, nil
}

// abExecs adds to f.custom, for every strategy of names, one external
// strategy per side (base.X, new.X) and returns their names; a strategy a
// worker cannot serve is left out with a note (an error when named in
// --strategies).
func abExecs(f *runFlags, sides [2]abSide, names []string, stderr io.Writer) ([]string, error) {
	explicit := f.fs.Changed("strategies")
	var execNames []string
	for _, n := range names {
		var knobs []string
		s, err := strategies.Lookup(n)
		if err != nil && (sides[0].worker || sides[1].worker) {
			return nil, usagef("ab: --strategies: %v", err)
		}
		if err == nil {
			why := ""
			if _, ok := s.(strategies.RecordVerifier); ok {
				why = "verifies its records in-process"
			} else if _, ok := s.(strategies.CellOpener); ok {
				why = "keeps per-cell state"
			}
			if why != "" && explicit {
				return nil, usagef("ab: strategy %s %s; ab cannot compare it through a worker", n, why)
			}
			if why != "" {
				fmt.Fprintf(stderr, "writebench: ab: leaving out %s: it %s, which a worker cannot serve\n", n, why)
				continue
			}
			knobs = s.Knobs()
		}
		for _, side := range sides {
			e, err := external.NewExec(side.label+"."+n, side.argv)
			if err != nil {
				return nil, usagef("ab: %v", err)
			}
			e.Target, e.KnobList, e.Timeout, e.StartTimeout = n, knobs, f.execTimeout, f.execStartTimeout
			f.custom = append(f.custom, e)
			execNames = append(execNames, e.Name())
		}
	}
	return execNames, nil
}

// abJudge judges NEW against BASE in set, writes the table and returns the
// run's outcome: a failedError for a regression, a cell failed on both
// sides, or a NEW that was measured nowhere.
func abJudge(stdout io.Writer, set *resultset.Set, sides [2]abSide, o judge.Options) error {
	res := judge.AB(set, o)
	fmt.Fprintf(stdout, "BASE: %s\nNEW:  %s\n", sides[0].argv, sides[1].argv)
	if err := writeAB(stdout, res); err != nil {
		return fmt.Errorf("ab: write output: %w", err)
	}
	if n := len(res.Regressions()); n > 0 {
		return &failedError{msg: fmt.Sprintf("ab: %d regression%s: NEW is slower than BASE", n, textfmt.PluralS(n))}
	}
	if res.FailedBoth > 0 {
		return &failedError{msg: fmt.Sprintf("ab: %d cell%s failed on both sides", res.FailedBoth, textfmt.PluralS(res.FailedBoth))}
	}
	measured := false
	for i := range set.Results {
		c := &set.Results[i]
		measured = measured || (strings.HasPrefix(c.Strategy, "new.") && len(c.Seconds) > 0)
	}
	if !measured {
		// NEW wrote nothing that could be measured (every cell skipped):
		// that is not evidence of no regression.
		return &failedError{msg: "ab: NEW was not measured in any cell (see the skipped cells above)"}
	}
	return nil
}

// abStrategyNames is --strategies, else the preset's, else every built-in.
func abStrategyNames(f *runFlags) ([]string, error) {
	if f.fs.Changed("strategies") {
		return f.strategies, nil
	}
	p, ok := presets[f.preset]
	if !ok {
		return nil, usagef("ab: --preset: unknown preset %q (known: %s)", f.preset, strings.Join(presetNames(), ", "))
	}
	if len(p.Strategies) > 0 {
		return p.Strategies, nil
	}
	return strategies.Names(), nil
}

// abVerdictText words an A/B verdict for the table.
func abVerdictText(c *judge.ABCell) string {
	switch c.Verdict {
	case judge.ABFailedBoth:
		return "FAILED on both sides"
	case judge.ABFailedNew:
		return "FAILED in NEW (regression)"
	case judge.ABFailedBase:
		return "failed in BASE only"
	case judge.ABNoVerdict:
		return fmt.Sprintf("no verdict (%d paired rounds; %d needed at %.4g%%: raise --repeat)", c.Pairs, stats.MinPairs(c.Confidence), 100*c.Confidence)
	case judge.ABSlower:
		return "SLOWER (regression)"
	case judge.ABSlowerWithin:
		return "slower, within --threshold"
	case judge.ABFasterWithin:
		return "faster, within --threshold"
	}
	return string(c.Verdict) // unpaired, skipped, faster, no significant change
}

// writeAB writes the A/B table, the errors and skips of either side, the
// correction used and the closing line.
func writeAB(w io.Writer, r *judge.ABResult) error {
	ew := &abWriter{w: w}
	tw := tabwriter.NewWriter(ew, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "cell\tbase median\tnew median\tnew/base [interval]\tpairs\tverdict")
	for i := range r.Cells {
		c := &r.Cells[i]
		ratio := "-"
		if !math.IsNaN(c.Ratio) {
			ratio = fmt.Sprintf("%.3f", c.Ratio)
			if c.OK {
				ratio += fmt.Sprintf(" [%.3f, %.3f]", c.Lo, c.Hi)
			}
		}
		bm, nm := "-", "-"
		if c.BaseMedian > 0 {
			bm, nm = textfmt.Duration(c.BaseMedian), textfmt.Duration(c.NewMedian)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%d\t%s\n", c.Key, bm, nm, ratio, c.Pairs, abVerdictText(c))
	}
	tw.Flush()
	for i := range r.Cells {
		c := &r.Cells[i]
		if c.BaseErr != "" {
			fmt.Fprintf(ew, "BASE %s: %s\n", c.Key, c.BaseErr)
		}
		if c.NewErr != "" {
			fmt.Fprintf(ew, "NEW  %s: %s\n", c.Key, c.NewErr)
		}
		if c.BaseSkip != "" {
			fmt.Fprintf(ew, "BASE %s skipped: %s\n", c.Key, c.BaseSkip)
		}
		if c.NewSkip != "" {
			fmt.Fprintf(ew, "NEW  %s skipped: %s\n", c.Key, c.NewSkip)
		}
	}
	if len(r.Cells) > 0 {
		corr := "no correction: each cell alone"
		if r.Bonferroni {
			corr = fmt.Sprintf("Bonferroni over %d tested cell%s: all hold together with %.4g%% confidence", r.Tested, textfmt.PluralS(r.Tested), 100*r.Family)
		}
		fmt.Fprintf(ew, "Intervals at %.4g%% per cell (%s); a regression is a ratio above %.4g with the interval above 1.\n",
			100*r.Cells[0].Confidence, corr, 1+r.Cells[0].Threshold)
	}
	if n := len(r.Regressions()); n > 0 {
		fmt.Fprintf(ew, "NEW is slower than BASE in %d of %d cells.\n", n, len(r.Cells))
	} else {
		fmt.Fprintf(ew, "No regression: NEW is not slower than BASE beyond the threshold in any of %d cells.\n", len(r.Cells))
	}
	return ew.err
}

// abWriter remembers the first write error, so a long listing (ab, --dry-run)
// is checked once.
type abWriter struct {
	w   io.Writer
	err error
}

func (e *abWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}
