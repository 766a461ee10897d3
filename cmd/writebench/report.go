package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"
	"github.com/writebench/writebench/report"
)

type reportConfig struct {
	format   string
	plots    string
	markdown string
}

func reportFlags(cfg *reportConfig) *pflag.FlagSet {
	fs := pflag.NewFlagSet("report", pflag.ContinueOnError)
	fs.StringVar(&cfg.format, "format", "table", "output format: "+strings.Join(report.Formats, ", "))
	fs.StringVar(&cfg.plots, "plots", "", "write charts as PNG and SVG into `DIR` (created if missing)")
	fs.StringVar(&cfg.markdown, "markdown", "", "write a self-contained Markdown page to `FILE` (links the charts of --plots)")
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

func init() {
	commands["report"] = &command{
		summary: "render saved result sets as tables, Markdown, CSV, JSON, benchfmt and charts",
		usage:   reportUsage,
		run:     runReport,
	}
	flagSets["report"] = func() *pflag.FlagSet { return reportFlags(&reportConfig{}) }
}

func runReport(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	var cfg reportConfig
	fs := reportFlags(&cfg)
	if err := parseFlags("report", fs, args, stdout); err != nil {
		return err
	}
	if _, err := report.LookupFormat(cfg.format); err != nil {
		return usagef("report: --format: %v", err)
	}
	files := fs.Args()
	if len(files) == 0 {
		return usagef("report: no result set given (usage: writebench report FILE...)")
	}
	sets := make([]*report.Set, len(files))
	for i, f := range files {
		s, err := report.Load(f)
		if err != nil {
			return usagef("report: %s", oneLineErr(err))
		}
		sets[i] = s
	}
	labels := reportLabels(files)
	if err := report.Render(stdout, sets, labels, cfg.format); err != nil {
		return fmt.Errorf("report: %w", err)
	}
	if cfg.plots != "" {
		if err := os.MkdirAll(cfg.plots, 0o755); err != nil {
			return fmt.Errorf("report: --plots: %w", err)
		}
		written, notes, err := report.WritePlots(cfg.plots, sets, labels)
		for _, n := range notes {
			fmt.Fprintf(stderr, "writebench: report: %s\n", n)
		}
		if err != nil {
			return fmt.Errorf("report: --plots: %w", err)
		}
		fmt.Fprintf(stderr, "writebench: report: wrote %d chart files to %s\n", len(written), cfg.plots)
	}
	if cfg.markdown != "" {
		if err := report.WriteMarkdownPage(cfg.markdown, sets, labels, cfg.plots); err != nil {
			return fmt.Errorf("report: --markdown: %w", err)
		}
		fmt.Fprintf(stderr, "writebench: report: wrote %s\n", cfg.markdown)
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
