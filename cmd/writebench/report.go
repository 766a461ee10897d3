package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"
	"github.com/writebench/writebench/report"
	"github.com/writebench/writebench/report/charts"
	"github.com/writebench/writebench/resultset"
)

type reportConfig struct {
	format   string
	plots    string
	markdown string
	dpi      int
}

func reportFlags(cfg *reportConfig) *pflag.FlagSet {
	fs := pflag.NewFlagSet("report", pflag.ContinueOnError)
	fs.StringVar(&cfg.format, "format", "table", "output format: "+strings.Join(report.Formats(), ", "))
	fs.StringVar(&cfg.plots, "plots", "", "write charts as PNG and SVG into `DIR` (created if missing)")
	fs.StringVar(&cfg.markdown, "markdown", "", "write a self-contained Markdown page to `FILE` (links the charts of --plots)")
	fs.IntVar(&cfg.dpi, "dpi", charts.DefaultDPI, "resolution of the PNG charts (96 is one pixel per CSS pixel; the default is sharp on high-density screens)")
	return fs
}

const reportUsage = `
Usage: writebench report FILE... [--format F] [--plots DIR] [--markdown FILE]

Renders saved result sets without re-running anything: medians with 95%
confidence intervals (golang.org/x/perf/benchmath), the fastest strategy per
(files, size) group, and charts drawn with gonum/plot. With several files,
rows are labelled by file name so runs sit side by side.

Formats: table (default), markdown, csv (raw medians in base units), json
(derived summary), benchfmt (Go benchmark format for benchstat).

Examples:
  writebench report results/run.json
  writebench report --format csv old.json new.json > both.csv
  writebench report --format benchfmt old.json > old.txt   # then: benchstat -col /strategy old.txt
  writebench report run.json --plots docs/plots --markdown docs/RESULTS.md
`

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg reportConfig
	fs := reportFlags(&cfg)
	if err := parseFlags("report", fs, args, stdout); err != nil {
		return err
	}
	if _, err := report.LookupFormat(cfg.format); err != nil {
		return usagef("report: --format: %v", err)
	}
	if cfg.dpi < 24 || cfg.dpi > 1200 {
		return usagef("report: --dpi: %d is out of range (24 to 1200)", cfg.dpi)
	}
	files := fs.Args()
	if len(files) == 0 {
		return usagef("report: no result set given (usage: writebench report FILE...)")
	}
	sets := make([]*resultset.Set, len(files))
	for i, f := range files {
		s, err := resultset.Load(f)
		if err != nil {
			return usagef("report: %s", oneLineErr(err))
		}
		sets[i] = s
	}
	if err := checkReportOutputs(cfg, files); err != nil {
		return err
	}
	labels := reportLabels(files)
	if err := report.Render(stdout, sets, labels, cfg.format); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if cfg.plots != "" {
		if err := ctx.Err(); err != nil {
			return interruption(ctx)
		}
		if err := os.MkdirAll(cfg.plots, 0o755); err != nil {
			return fmt.Errorf("report: --plots: %w", err)
		}
		// Charts can take long: stop on the first signal rather than after
		// the last chart. Each chart file is written atomically, so one
		// cut short leaves nothing behind but its finished siblings.
		type result struct {
			written []string
			notes   []string
			err     error
		}
		done := make(chan result, 1)
		go func() {
			w, n, err := charts.WriteWith(cfg.plots, sets, labels, charts.Options{DPI: cfg.dpi})
			done <- result{w, n, err}
		}()
		var r result
		select {
		case r = <-done:
		case <-ctx.Done():
			return interruption(ctx)
		}
		for _, n := range r.notes {
			fmt.Fprintf(stderr, "writebench: report: %s\n", resultset.Printable(n))
		}
		if r.err != nil {
			return fmt.Errorf("report: --plots: %w", r.err)
		}
		fmt.Fprintf(stderr, "writebench: report: wrote %d chart files to %s\n", len(r.written), resultset.Printable(cfg.plots))
		for _, p := range r.written {
			if b := filepath.Base(p); filepath.Ext(b) == ".png" && (strings.HasPrefix(b, "timeline-") || strings.HasPrefix(b, "write-latency-")) {
				fmt.Fprintf(stderr, "writebench: report: see %s\n", resultset.Printable(p))
			}
		}
	}
	if cfg.markdown != "" {
		if err := ctx.Err(); err != nil {
			return interruption(ctx)
		}
		if err := report.WriteMarkdownPage(cfg.markdown, sets, labels, cfg.plots); err != nil {
			return fmt.Errorf("report: --markdown: %w", err)
		}
		fmt.Fprintf(stderr, "writebench: report: wrote %s\n", resultset.Printable(cfg.markdown))
	}
	return nil
}

// checkReportOutputs checks, before anything is rendered, every file
// report would write: the --markdown page and each chart file under
// --plots must be a regular file (or a symlink to one) or a new name in a
// directory this user can write (resultset.CheckOutput), and none may be
// one of the input sets, however named (./X, a symlink, a hard link).
func checkReportOutputs(cfg reportConfig, inputs []string) error {
	var ins []os.FileInfo
	for _, f := range inputs {
		if st, err := os.Stat(f); err == nil {
			ins = append(ins, st)
		}
	}
	isInput := func(flag, path string) error {
		st, err := os.Stat(path)
		if err != nil {
			return nil
		}
		for i, in := range ins {
			if os.SameFile(st, in) {
				return usagef("report: %s: %s is the input %s; refusing to overwrite an input", flag, resultset.Printable(path), resultset.Printable(inputs[i]))
			}
		}
		return nil
	}
	if cfg.markdown != "" {
		if err := isInput("--markdown", cfg.markdown); err != nil {
			return err
		}
		if err := resultset.CheckOutput(cfg.markdown); err != nil {
			return usagef("report: --markdown: %v", err)
		}
	}
	if cfg.plots == "" {
		return nil
	}
	st, err := os.Stat(cfg.plots)
	switch {
	case err == nil && !st.IsDir():
		return usagef("report: --plots: %s is not a directory", resultset.Printable(cfg.plots))
	case err != nil && !errors.Is(err, os.ErrNotExist):
		return usagef("report: --plots: %v", err)
	case err != nil:
		// Created later with its parents: the nearest existing ancestor
		// must be a directory this user can write.
		anc := filepath.Dir(filepath.Clean(cfg.plots))
		for {
			if _, err := os.Lstat(anc); err == nil || anc == filepath.Dir(anc) {
				break
			}
			anc = filepath.Dir(anc)
		}
		if err := resultset.CheckNew(filepath.Join(anc, "x")); err != nil {
			return usagef("report: --plots: cannot create %s: %v", resultset.Printable(cfg.plots), err)
		}
		return nil
	}
	for _, ch := range charts.All() {
		for _, ext := range []string{".png", ".svg"} {
			p := filepath.Join(cfg.plots, ch.Name+ext)
			if err := isInput("--plots", p); err != nil {
				return err
			}
			if err := resultset.CheckOutput(p); err != nil {
				return usagef("report: --plots: %v", err)
			}
		}
	}
	return nil
}

func oneLineErr(err error) string { return strings.Join(strings.Fields(err.Error()), " ") }

// reportLabels names each set by its file name without ".json"; when two
// files share a name, by their path.
func reportLabels(files []string) []string {
	labels := make([]string, len(files))
	seen := map[string]int{}
	for i, f := range files {
		labels[i] = strings.TrimSuffix(filepath.Base(f), ".json")
		seen[labels[i]]++
	}
	for i, f := range files {
		if seen[labels[i]] > 1 {
			labels[i] = f
		}
	}
	// Identical paths given twice: number them.
	count := map[string]int{}
	for i := range labels {
		count[labels[i]]++
		if count[labels[i]] > 1 {
			labels[i] = fmt.Sprintf("%s#%d", labels[i], count[labels[i]])
		}
	}
	return labels
}
