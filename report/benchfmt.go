package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/writebench/writebench/resultset"
	"golang.org/x/perf/benchfmt"
)

// renderBenchfmt writes every counted repetition of every successful cell
// as one line of Go benchmark format, so benchstat can compare two runs and
// slice them by name keys (/strategy, /files, /size, /sync and any parameter
// that varies in the set):
//
//	BenchmarkWrite/strategy=bufio/files=100/size=1MiB/sync=none 1 0.0123 sec/op 8.5e+09 B/s 8130 files/s 1700 syscalls/op
//
// One op is one repetition (the whole batch of files). Units: sec/op, B/s
// (logical bytes, absent for empty files), files/s and syscalls/op (absent
// when the kernel counter was unavailable). Failed cells are listed as
// comments. File configuration lines carry only what makes results
// incomparable (goos, goarch, page-cache, and a "set" key naming each set
// when there are several); the rest of the environment (cpu, kernel, fs,
// device, writebench and Go version) is written as "# key: value" comments,
// so benchstat compares runs from two machines or builds by default instead
// of splitting them into separate tables.
func renderBenchfmt(w io.Writer, sets []*resultset.Set, labels []string) error {
	bw := benchfmt.NewWriter(w)
	metrics := benchMetrics()
	for _, m := range metrics {
		better := "lower"
		if m.Better == resultset.HigherIsBetter {
			better = "higher"
		}
		if err := bw.Write(&benchfmt.UnitMetadata{
			UnitMetadataKey: benchfmt.UnitMetadataKey{Unit: m.Bench, Key: "better"},
			OrigUnit:        m.Bench, Value: better,
		}); err != nil {
			return err
		}
	}
	sums := Summarize(sets, labels)
	for i, set := range sets {
		label := setLabel(labels, i)
		var mine []*Summary
		for _, s := range sums {
			if s.Label == label {
				mine = append(mine, s)
			}
		}
		kv := newKnobView(mine)
		e := set.Env
		// Only keys that make results incomparable are configuration:
		// benchstat puts results whose configuration differs in separate
		// tables and compares nothing across them. What differs between
		// two machines or builds of the same experiment (CPU, kernel,
		// disk, filesystem, writebench version) is written as comments, so
		// `benchstat old.txt new.txt` compares by default.
		cfg := []benchfmt.Config{
			{Key: "goos", Value: []byte(e.GOOS), File: true},
			{Key: "goarch", Value: []byte(e.GOARCH), File: true},
			{Key: "page-cache", Value: []byte(e.PageCache), File: true},
		}
		if len(sets) > 1 {
			cfg = append(cfg, benchfmt.Config{Key: "set", Value: []byte(benchSafe(label)), File: true})
		}
		for i := range cfg { // values end at the end of their line
			cfg[i].Value = []byte(escapeText(string(cfg[i].Value)))
		}
		// Keys with empty values would be written as deletions: drop them.
		kept := cfg[:0]
		for _, c := range cfg {
			if v := strings.TrimSpace(string(c.Value)); v != "" && !strings.ContainsAny(v, "\n") {
				kept = append(kept, c)
			}
		}
		cfg = kept
		for _, kv := range [][2]string{
			{"cpu", e.CPU}, {"kernel", e.Kernel}, {"fs", e.FSType}, {"device", e.Device},
			{"writebench", strings.TrimSpace(e.WritebenchVersion + " " + e.GoVersion)},
		} {
			if v := escapeText(oneLine(kv[1], 200)); v != "" {
				if _, err := fmt.Fprintf(w, "# %s: %s\n", kv[0], v); err != nil {
					return err
				}
			}
		}
		for _, s := range mine {
			c := s.Cell
			name := benchName(c, kv)
			if c.Failed() {
				if _, err := fmt.Fprintf(w, "# skipped failed cell Write%s: %s\n", name, escapeText(oneLine(c.Error, 200))); err != nil {
					return err
				}
				continue
			}
			samples := make([][]float64, len(metrics))
			for k, m := range metrics {
				samples[k] = m.Samples(c)
			}
			for rep := range c.Seconds {
				r := &benchfmt.Result{Config: cfg, Name: benchfmt.Name("Write" + name), Iters: 1}
				for k, m := range metrics {
					if rep < len(samples[k]) { // none when the metric is unavailable for the cell
						r.Values = append(r.Values, benchfmt.Value{Value: samples[k][rep], Unit: m.Bench})
					}
				}
				if err := bw.Write(r); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// benchMetrics are the metrics benchfmt output carries, in the metric
// table's order: those with a benchfmt unit (resultset.Metric.Bench).
// Each is written in its benchfmt unit, per op (one repetition).
func benchMetrics() []*resultset.Metric {
	var out []*resultset.Metric
	for _, m := range resultset.Metrics() {
		if m.Bench != "" {
			out = append(out, m)
		}
	}
	return out
}

// benchName is the sub-benchmark part of a cell's name:
// /strategy=S/files=N/size=Z, then every parameter that varies in the set
// (any axis of resultset.Axes(), in its order) and applies to the cell, then
// /sync=M. A "/" in a value (a directory) is written %2F.
func benchName(c *resultset.Cell, kv *knobView) string {
	var b strings.Builder
	b.WriteString("/strategy=" + benchSafe(c.Strategy))
	b.WriteString("/files=" + strconv.Itoa(c.Files))
	b.WriteString("/size=" + resultset.FormatBytes(c.FileSize))
	for _, name := range kv.varying {
		if v := kv.value(c, name); name != "sync" && v != "-" {
			// A directory's slashes would start new name parts.
			b.WriteString("/" + name + "=" + benchSafe(strings.ReplaceAll(v, "/", "%2F")))
		}
	}
	b.WriteString("/sync=" + benchSafe(c.Sync))
	return b.String()
}
