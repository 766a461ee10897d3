package report

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/writebench/writebench/internal/textfmt"
	"github.com/writebench/writebench/report/summary"
	"github.com/writebench/writebench/resultset"
)

// Format is one output format of Render: its name, whether it is for
// people (human formats get explanatory notes on stdout; machine formats
// keep stdout parseable) and the function that writes it.
type Format struct {
	Name   string
	Human  bool
	Help   string
	render func(w io.Writer, sets []*resultset.Set, labels []string) error
}

// formatTable is the one table of output formats; Formats, Render, help
// and the command line's checks all read it.
var formatTable = []Format{
	{"table", true, "text tables for a terminal", func(w io.Writer, s []*resultset.Set, l []string) error { return renderTables(w, s, l, false) }},
	{"markdown", true, "the same tables as GitHub-flavoured Markdown", func(w io.Writer, s []*resultset.Set, l []string) error { return renderTables(w, s, l, true) }},
	{"csv", false, "one header row and one row per cell, raw medians in base units", renderCSV},
	{"csv-verdicts", false, "one row per contender of every comparison group: the verdicts as a table", renderVerdictCSV},
	{"json", false, "the derived summary (medians and 95% intervals per cell, verdicts)", renderJSON},
	{"benchfmt", false, "Go benchmark format, one line per repetition, for benchstat", renderBenchfmt},
}

// formatList lists the output formats Render accepts, in the order shown in help.
var formatList = func() []string {
	var out []string
	for _, f := range formatTable {
		out = append(out, f.Name)
	}
	return out
}()

// Formats returns the output formats Render accepts, in the order shown in
// help.
func Formats() []string { return slices.Clone(formatList) }

// LookupFormat returns the format named name, or an error naming the known
// ones.
func LookupFormat(name string) (Format, error) {
	for _, f := range formatTable {
		if f.Name == name {
			return f, nil
		}
	}
	return Format{}, fmt.Errorf("unknown format %q (known: %s)", name, strings.Join(formatList, ", "))
}

// Render writes the result sets in the given format (see formatTable) to
// w. labels[i] names sets[i] (usually its file name); when several sets are
// given, every row carries its label so they can sit side by side. Render
// only writes to w.
func Render(w io.Writer, sets []*resultset.Set, labels []string, format string) error {
	f, err := LookupFormat(format)
	if err != nil {
		return err
	}
	return f.render(w, sets, labels)
}

// renderTables writes the answer first (one verdict line per comparison
// group, the data-safety section), then the per-cell
// table, the verdict table and the notes that explain them.
func renderTables(w io.Writer, sets []*resultset.Set, labels []string, markdown bool) error {
	sums := summary.Summarize(sets, labels)
	multi := len(sets) > 1
	ew := &errWriter{w: w}
	for i, s := range sets {
		if markdown {
			ew.printf("- **%s**: %s\n", escapeMarkdown(summary.Label(labels, i)), escapeMarkdown(envLine(s)))
		} else {
			ew.printf("%s: %s\n", escapeText(summary.Label(labels, i)), escapeText(envLine(s)))
		}
		if d := driftLines(s); len(d) > 0 {
			t := strings.Join(strings.Fields(strings.Join(d, " ")), " ")
			if multi {
				t = summary.Label(labels, i) + ": " + t
			}
			if markdown {
				ew.printf("- %s\n", escapeMarkdown(t))
			} else {
				ew.printf("%s\n", escapeText(t))
			}
		}
	}
	ew.printf("\n")
	if len(sums) == 0 {
		ew.printf("no cells in the result set\n")
		return ew.err
	}
	svs := summary.Verdicts(sets, labels)
	writeAnswer(ew, svs, markdown)
	if ew.err != nil {
		return ew.err
	}
	header, rows := cellTable(sums, multi)
	if err := writeTable(w, header, rows, markdown); err != nil {
		return err
	}
	if vh, vr := verdictTable(svs); len(vr) > 0 {
		if markdown {
			ew.printf("\nVerdict per comparison group:\n\n")
		} else {
			ew.printf("\nVerdict per comparison group:\n")
		}
		if ew.err != nil {
			return ew.err
		}
		if err := writeTable(w, vh, vr, markdown); err != nil {
			return err
		}
	}
	ew.printf("\n")
	for _, n := range tableNotes(sums) {
		if markdown {
			ew.printf("- %s\n", n)
		} else {
			ew.printf("%s\n", n)
		}
	}
	return ew.err
}

type errWriter struct {
	w   io.Writer
	err error
}

// Write makes errWriter an io.Writer that stops at the first error and
// keeps it, so a renderer can print freely and check once.
func (e *errWriter) Write(p []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(p)
	e.err = err
	return n, err
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}

// storageText is the one scratch directory's storage, "ext4 on /dev/vda"
// or "tmpfs (memory, not a disk)", or "" when the set does not say.
func storageText(e resultset.Env) string {
	switch {
	case e.InMemory():
		return e.FSType + " (memory, not a disk)"
	case e.FSType != "" || e.Device != "":
		return strings.TrimSpace(e.FSType + " on " + orDash(e.Device))
	}
	return ""
}

// envLine is a one-line description of where a set was measured.
func envLine(s *resultset.Set) string {
	e := s.Env
	var parts []string
	switch {
	case len(e.Dirs) > 1:
		var ds []string
		for _, d := range e.Dirs {
			ds = append(ds, fmt.Sprintf("%s (%s on %s)", resultset.Printable(d.Dir), orDash(d.FSType), orDash(d.Device)))
		}
		h := "directories " + strings.Join(ds, ", ")
		if s.VsDir() {
			h += flagText(" compared ({vs} dir)")
		} else {
			h += ", each its own workload"
		}
		parts = append(parts, h)
	case storageText(e) != "":
		parts = append(parts, storageText(e))
	}
	if e.Kernel != "" {
		k := e.Kernel
		if e.GOOS != "" && !strings.HasPrefix(k, e.GOOS) {
			k = e.GOOS + " " + k
		}
		parts = append(parts, k)
	}
	if e.CPU != "" {
		parts = append(parts, e.CPU+" ("+coresText(e)+")")
	}
	parts = append(parts, repetitionsText(s)+warmupText(e))
	if e.PageCache != "" {
		parts = append(parts, "page cache "+e.PageCache)
	}
	if e.PageReporting != "" {
		p := "free page reporting " + e.PageReporting
		if e.ReportedBytes > 0 {
			p += ", " + textfmt.Scaled(float64(e.ReportedBytes), []string{" B", " kB", " MB", " GB", " TB"}) + " returned to the host during the sweep"
		}
		parts = append(parts, p)
	}
	if r := ranksEnv(s); r != "" {
		parts = append(parts, r)
	}
	if e.TimelineIntervalSeconds > 0 {
		parts = append(parts, "timelines every "+textfmt.Duration(e.TimelineIntervalSeconds))
	}
	if e.WriteLatency {
		parts = append(parts, "write-call latency recorded (two clock reads per call, inside the timing)")
	}
	if !s.Complete {
		parts = append(parts, "INCOMPLETE (interrupted"+prefixed(" by ", s.Interrupted)+")")
	}
	return strings.Join(parts, ", ")
}

// coresText says how many CPUs the host has, and how many of them the
// measuring process could use when fewer ("2 cores, 1 usable by the
// process": an MPI rank bound to one core).
func coresText(e resultset.Env) string {
	if e.HostCores > e.Cores {
		return fmt.Sprintf("%d cores, %d usable by the process", e.HostCores, e.Cores)
	}
	return textfmt.Plural(e.Cores, "core")
}

// warmupText says what ran uncounted: " + 2 warm-up", or ", no warm-up"
// (the first counted round then also calibrated the batches per sample).
func warmupText(e resultset.Env) string {
	if e.Warmup == 0 {
		return ", no warm-up"
	}
	return fmt.Sprintf(" + %d warm-up", e.Warmup)
}

// repetitionsText says how many counted repetitions the cells got: the
// --repeat of a fixed sweep ("10 repetitions"), or for an adaptive one the
// range that ran and the cap ("7-50 of up to 200 repetitions (adaptive,
// 45.0s budget)"), so a header never shows a cap as what ran.
func repetitionsText(s *resultset.Set) string {
	e := s.Env
	if !(e.BudgetSeconds > 0) {
		return textfmt.Plural(e.Repeat, "repetition")
	}
	return fmt.Sprintf("%s of up to %s (adaptive, %s budget)", countedRange(s), textfmt.Plural(e.Repeat, "repetition"), textfmt.Duration(e.BudgetSeconds))
}

// countedRange is the fewest and most counted samples of s's cells, "7-50"
// ("10" when equal, "none" without samples).
func countedRange(s *resultset.Set) string {
	lo, hi := -1, 0
	for i := range s.Results {
		if n := len(s.Results[i].Seconds); n > 0 {
			if lo < 0 || n < lo {
				lo = n
			}
			hi = max(hi, n)
		}
	}
	switch {
	case lo < 0:
		return "none"
	case lo == hi:
		return strconv.Itoa(lo)
	}
	return fmt.Sprintf("%d-%d", lo, hi)
}

func prefixed(p, s string) string {
	if s == "" {
		return ""
	}
	return p + s
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// cellTable builds the main table: one row per cell.
func cellTable(sums []*summary.Summary, multi bool) ([]string, [][]string) {
	kv := summary.NewKnobView(sums)
	varying := kv.Varying
	var header []string
	if multi {
		header = append(header, "set")
	}
	header = append(header, "strategy", "files", "size")
	header = append(header, varying...)
	header = append(header, "throughput", "files/s", "syscalls/MiB", "storage/logical", "sync share", "CPU/MiB", "p99 latency", "vs fastest")
	wlat := anyWriteLatency(sums)
	if wlat {
		header = append(header, "write p50", "write p99", "write p99.9", "write max")
	}
	ranks := anyRanks(sums)
	if ranks {
		header = append(header, "ranks")
	}
	var rows [][]string
	for _, s := range sums {
		c := s.Cell
		var r []string
		if multi {
			r = append(r, s.Label)
		}
		r = append(r, c.Strategy, strconv.Itoa(c.Files), resultset.FormatBytes(c.FileSize))
		for _, name := range varying {
			r = append(r, kv.Value(c, name))
		}
		if s.Failed() {
			r = append(r, "FAILED: "+oneLine(c.Error, 60), "-", "-", "-", "-", "-", "-", "-")
			if wlat {
				r = append(r, "-", "-", "-", "-")
			}
			if ranks {
				r = append(r, strconv.Itoa(c.RankCount()))
			}
			rows = append(rows, r)
			continue
		}
		tput, fps := "-", formatCount(s.FilesPerSec.Median)+"/s"
		if s.BytesPerSec.OK() {
			tput = formatRate(s.BytesPerSec.Median) + ciSuffix(s.BytesPerSec)
		} else if s.FilesPerSec.OK() {
			fps += ciSuffix(s.FilesPerSec)
		}
		if !s.FilesPerSec.OK() {
			fps = "-"
		}
		r = append(r,
			tput,
			fps,
			statOr(s.SyscallsPerMiB, resultset.FormatSig),
			statOr(s.StorageRatio, func(v float64) string { return resultset.FormatSig(v) + "x" }),
			syncShareText(s),
			statOr(s.CPUPerMiB, textfmt.Duration),
			statOr(s.LatencyP99, textfmt.Duration),
			relText(s),
		)
		if wlat {
			for _, m := range writeLatencyMetrics {
				r = append(r, statOr(s.Metrics[m], textfmt.Duration))
			}
		}
		if ranks {
			r = append(r, rankColumn(s))
		}
		rows = append(rows, r)
	}
	return header, rows
}

// syncShareText is the sync share; above 100% (syncs of several workers
// overlapped) it says over how many workers it is summed: "180% (10
// workers)".
func syncShareText(s *summary.Summary) string {
	t := statOr(s.SyncShare, resultset.FormatPercent)
	if s.SyncShare.OK() && s.SyncShare.Median > 1 {
		if w := s.Cell.Concurrency; w > 1 {
			return t + " (" + textfmt.Plural(w, "worker") + ")"
		}
		return t + " (summed over workers)"
	}
	return t
}

// tableNotes explains the columns and lists the fixed parameters.
func tableNotes(sums []*summary.Summary) []string {
	var notes []string
	if fixed := fixedParams(sums); len(fixed) > 0 {
		notes = append(notes, "Fixed parameters: "+strings.Join(fixed, ", ")+".")
	}
	minN := math.MaxInt
	for _, s := range sums {
		if !s.Failed() && s.N < minN {
			minN = s.N
		}
	}
	notes = append(notes,
		"Throughput is logical bytes (files x size) per second, median over repetitions, in decimal units (1 MB/s = 10^6 bytes/s); sizes are binary (1 MiB = 2^20 bytes).",
		"± is the 95% confidence interval of the median (golang.org/x/perf/benchmath, no distribution assumed), as the larger distance from the median; it needs at least 6 repetitions, so cells with fewer say \"n=N, no CI\".",
		"Sync share is time spent in fsync/fdatasync/syncfs over wall time; it is summed over workers, so it can exceed 100% for pool and semaphore when syncs overlap.",
		"Within a workload (files, size, sync and record: a comparison group) every figure comes from the rounds the contenders share: vs fastest is the verdict's paired ratio (median of the per-round speed ratios to the group's fastest safe contender, 95% sign-test interval in the verdict table), and a contender's medians are the fastest's medians times its paired ratios, so a contender that stopped early (marked with its rounds) is put on the scale of the whole sweep. A group is decided when no contender may be faster than its fastest by more than the tie; cells with corrupt records are never recommended; see docs/verdicts.md.",
		"Syscalls/MiB and storage/logical come from /proc/self/io (syscw, write_bytes); n/a means the counter was unavailable or does not apply (empty files). Storage bytes below 1x usually mean data still sat in the page cache.",
	)
	if anyRanks(sums) {
		notes = append(notes, ranksNote)
	}
	if anyWriteLatency(sums) {
		notes = append(notes, "write p50/p99/p99.9/max: latency of one write-family call (write, pwrite, writev, pwritev2; io_uring: submission to completion) at that quantile of each repetition's histogram, median over repetitions; buckets are at most 12.5% wide and a quantile reads as its bucket's upper bound. - where no call was made (mmap stores) or the writes ran in another program.")
	}
	return notes
}

// writeLatencyMetrics are the metrics of the write-latency columns.
var writeLatencyMetrics = []string{"write_latency_p50", "write_latency_p99", "write_latency_p999", "write_latency_max"}

// anyWriteLatency reports whether any cell has write-call latencies.
func anyWriteLatency(sums []*summary.Summary) bool {
	for _, s := range sums {
		if s.Metrics["write_latency_p50"].OK() {
			return true
		}
	}
	return false
}

func statOr(s summary.Stat, f func(float64) string) string {
	if !s.OK() {
		return "n/a"
	}
	return f(s.Median)
}

// ciSuffix is " ±3%" for a stat with an interval, else " (n=3, no CI)".
func ciSuffix(s summary.Stat) string {
	if !s.HasCI {
		return fmt.Sprintf(" (n=%d, no CI)", s.N)
	}
	p := 100 * s.RelCI()
	if p < 1 {
		return fmt.Sprintf(" ±%.1f%%", p)
	}
	return fmt.Sprintf(" ±%.0f%%", p)
}

func oneLine(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		s = string(r[:max-1]) + "…"
	}
	return s
}

// formatRate formats bytes per second in decimal units: "850 MB/s",
// "1.23 GB/s".
func formatRate(bps float64) string {
	return textfmt.Scaled(bps, []string{" B/s", " kB/s", " MB/s", " GB/s", " TB/s"})
}

// formatCount formats a count with an SI suffix: "850", "12.3k", "1.23M".
func formatCount(v float64) string {
	if math.Abs(v) < 999.5 {
		return resultset.FormatSig(v)
	}
	return textfmt.Scaled(v, []string{"", "k", "M", "G", "T"})
}
