package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/report/summary"
	"github.com/writebench/writebench/resultset"
	"golang.org/x/perf/benchfmt"
)

// axesSet is one comparison group (1 file of 1 MiB, sync none, 6 rounds):
// cell i is strategy, takes seconds[i] and is set up by set.
func axesSet(strategy string, seconds []float64, set func(i int, c *resultset.Cell)) *resultset.Set {
	s := &resultset.Set{Schema: 1, Tool: "writebench", Complete: true, Env: resultset.Env{GOOS: "linux", GOARCH: "amd64", Repeat: 6}}
	for i, sec := range seconds {
		c := resultset.Cell{Strategy: strategy, Files: 1, FileSize: 1 << 20, Sync: "none", Verified: true}
		set(i, &c)
		for k := range 6 {
			c.Rounds = append(c.Rounds, k)
			c.Seconds = append(c.Seconds, sec*(1+0.01*float64(k%3)))
			c.WriteSyscalls = append(c.WriteSyscalls, 16)
			c.StorageBytes = append(c.StorageBytes, 1<<20)
			c.SyncSeconds = append(c.SyncSeconds, 0)
			c.UserSeconds = append(c.UserSeconds, sec/10)
			c.SysSeconds = append(c.SysSeconds, sec/10)
			c.Allocs = append(c.Allocs, 10)
			c.AllocBytes = append(c.AllocBytes, 1000)
		}
		s.Results = append(s.Results, c)
	}
	return s
}

func render(t *testing.T, sets []*resultset.Set, labels []string, format string) string {
	t.Helper()
	var buf bytes.Buffer
	if err := Render(&buf, sets, labels, format); err != nil {
		t.Fatalf("%s: %v", format, err)
	}
	return buf.String()
}

// benchNames are the distinct benchmark names of a benchfmt text, and how
// many results it has.
func benchNames(t *testing.T, text string) (names []string, results int) {
	t.Helper()
	r := benchfmt.NewReader(strings.NewReader(text), "x.txt")
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			t.Errorf("benchfmt: %v", rec)
		case *benchfmt.Result:
			results++
			if n := string(rec.Name.Full()); !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	return names, results
}

// axisCases are sets whose cells differ only in prealloc (and chunk), only
// in batch, and only in queue_depth: knobs the report's own hand-written
// list of parameters left out, so the table, the verdict lines and the
// benchmark names could not tell the cells apart.
var axisCases = []struct {
	name   string
	axis   string
	set    *resultset.Set
	values []string // the axis's value of every cell, in set order
	labels []string // contender labels, in set order
}{
	{"prealloc", "prealloc", axesSet("chunked", []float64{1, 1.5, 2, 3}, func(i int, c *resultset.Cell) {
		c.Chunk = []int{64 << 10, 64 << 10, 1 << 20, 1 << 20}[i]
		c.Prealloc = []string{"none", "fallocate", "none", "fallocate"}[i]
	}), []string{"none", "fallocate", "none", "fallocate"},
		[]string{"chunk=64KiB prealloc=none", "chunk=64KiB prealloc=fallocate", "chunk=1MiB prealloc=none", "chunk=1MiB prealloc=fallocate"}},
	{"batch", "batch", axesSet("writev", []float64{1, 2}, func(i int, c *resultset.Cell) {
		c.Record, c.Prealloc, c.Batch = 256, "none", []int{16, 64}[i]
	}), []string{"16", "64"}, []string{"batch=16", "batch=64"}},
	{"queue_depth", "queue_depth", axesSet("uring", []float64{1, 2}, func(i int, c *resultset.Cell) {
		c.Chunk, c.Prealloc, c.QueueDepth = 64<<10, "none", []int{1, 32}[i]
	}), []string{"1", "32"}, []string{"queue_depth=1", "queue_depth=32"}},
}

// Cells that differ in any axis of resultset.Axes() are told apart
// everywhere: a table and markdown column for the axis, one contender label
// each in the verdict, one benchmark name each (benchstat would otherwise
// pool their samples), and the axis in the json summary's cells.
func TestReportTellsEveryAxisApart(t *testing.T) {
	for _, tt := range axisCases {
		t.Run(tt.name, func(t *testing.T) {
			sets, labels := []*resultset.Set{tt.set}, []string{"x"}
			n := len(tt.set.Results)

			// Cell table: a column for the axis, with every cell's value.
			header, rows := cellTable(summary.Summarize(sets, labels), false)
			if col := slices.Index(header, tt.axis); col < 0 {
				t.Errorf("cell table header %q has no %s column", header, tt.axis)
			} else {
				var got []string
				for _, r := range rows {
					got = append(got, r[col])
				}
				// Rows are ordered by the parameters, not by set order.
				if want := slices.Sorted(slices.Values(tt.values)); !slices.Equal(slices.Sorted(slices.Values(got)), want) {
					t.Errorf("%s column %q, want the values %q", tt.axis, got, want)
				}
			}
			for _, format := range []string{"table", "markdown"} {
				text := render(t, sets, labels, format)
				for _, l := range tt.labels {
					if format == "markdown" {
						l = escapeMarkdown(l)
					}
					if strings.Count(text, l) < 2 { // the verdict line and the verdict table
						t.Errorf("%s: contender %q is not named in the verdicts:\n%s", format, l, text)
					}
				}
				for _, line := range strings.Split(text, "\n") {
					if strings.Contains(line, "leads") {
						for _, l := range tt.labels {
							if c := strings.Count(line, l+" ") + strings.Count(line, l+","); c > 1 {
								t.Errorf("%s: verdict line names %q %d times: %s", format, l, c, line)
							}
						}
					}
				}
			}

			// Verdict: one distinct label per cell.
			vs := judge.Verdicts(tt.set, judge.Options{})
			if len(vs) != 1 {
				t.Fatalf("%d verdicts, want 1", len(vs))
			}
			seen := make([]string, n)
			for _, c := range vs[0].Contenders {
				seen[c.Cell] = c.Label
			}
			if !slices.Equal(seen, tt.labels) {
				t.Errorf("contender labels %q, want %q", seen, tt.labels)
			}

			// benchfmt: one name per cell, with the axis in it.
			names, results := benchNames(t, render(t, sets, labels, "benchfmt"))
			if len(names) != n || results != 6*n {
				t.Errorf("benchfmt: %d names for %d cells (%d results): %q", len(names), n, results, names)
			}
			for _, v := range tt.values {
				if !slices.ContainsFunc(names, func(name string) bool { return strings.Contains(name, "/"+tt.axis+"="+v+"/") }) {
					t.Errorf("benchfmt: no name with /%s=%s: %q", tt.axis, v, names)
				}
			}

			// csv: the axis's column tells the rows apart.
			recs, err := csv.NewReader(strings.NewReader(render(t, sets, labels, "csv"))).ReadAll()
			if err != nil {
				t.Fatal(err)
			}
			if c := slices.Index(recs[0], tt.axis); c < 0 {
				t.Errorf("csv header %q has no %s", recs[0], tt.axis)
			} else {
				distinct := map[string]bool{}
				for _, r := range recs[1:] {
					distinct[r[slices.Index(recs[0], "chunk")]+"/"+r[c]] = true
				}
				if len(distinct) != n {
					t.Errorf("csv: %d distinct (chunk, %s) for %d cells", len(distinct), tt.axis, n)
				}
			}

			// json: the cells carry the axis (prealloc "none" is left out,
			// as keys leave it out).
			var doc struct {
				Sets []struct {
					Cells []map[string]any `json:"cells"`
				} `json:"sets"`
			}
			if err := json.Unmarshal([]byte(render(t, sets, labels, "json")), &doc); err != nil {
				t.Fatal(err)
			}
			keys, vals := map[string]bool{}, map[string]bool{}
			for _, c := range doc.Sets[0].Cells {
				v, ok := c[tt.axis]
				if !ok && tt.axis != "prealloc" {
					t.Errorf("json cell %v has no %s", c["key"], tt.axis)
				}
				keys[c["key"].(string)] = true
				vals[fmt.Sprint(c["chunk"], v)] = true
			}
			if len(keys) != n || len(vals) != n {
				t.Errorf("json: %d distinct keys and %d distinct (chunk, %s) for %d cells", len(keys), len(vals), tt.axis, n)
			}
		})
	}
}

// Sets that do not vary the new axes render as before: prealloc "none"
// (written by runs since the axis exists) and prealloc left out (older
// sets) give the same tables and benchmark names, with no prealloc column
// and no prealloc in the names or labels.
func TestReportDefaultAxisUnchanged(t *testing.T) {
	mk := func(prealloc string) *resultset.Set {
		return axesSet("chunked", []float64{1, 2}, func(i int, c *resultset.Cell) {
			c.Chunk, c.Prealloc = []int{64 << 10, 1 << 20}[i], prealloc
		})
	}
	for _, format := range []string{"table", "markdown", "benchfmt", "csv-verdicts"} {
		absent := render(t, []*resultset.Set{mk("")}, []string{"x"}, format)
		none := render(t, []*resultset.Set{mk("none")}, []string{"x"}, format)
		if absent != none {
			t.Errorf("%s: prealloc none and prealloc left out render differently:\n%s\n---\n%s", format, absent, none)
		}
		if strings.Contains(none, "prealloc") {
			t.Errorf("%s: a set that does not sweep prealloc mentions it:\n%s", format, none)
		}
	}
}

// A set that left prealloc out, rendered next to one that swept it, reads
// as prealloc none (what it measured, and what its keys say), not as "does
// not apply".
func TestReportAbsentAxisReadsAsDefault(t *testing.T) {
	old := axesSet("chunked", []float64{1}, func(i int, c *resultset.Cell) { c.Chunk = 64 << 10 })
	old.Results = append(old.Results, axesSet("chunked", []float64{2}, func(i int, c *resultset.Cell) { c.Chunk = 1 << 20 }).Results...)
	sets, labels := []*resultset.Set{old, axisCases[0].set}, []string{"old", "new"}
	header, rows := cellTable(summary.Summarize(sets, labels), true)
	col := slices.Index(header, "prealloc")
	if col < 0 {
		t.Fatalf("header %q has no prealloc column", header)
	}
	for _, r := range rows {
		if r[0] == "old" && r[col] != "none" {
			t.Errorf("old set's row %q: prealloc %q, want none", r, r[col])
		}
	}
	// A strategy without the knob still shows that it does not apply.
	s := axesSet("chunked", []float64{1, 2}, func(i int, c *resultset.Cell) { c.Prealloc = []string{"none", "fallocate"}[i] })
	s.Results = append(s.Results, axesSet("shared-x", []float64{3}, func(int, *resultset.Cell) {}).Results...)
	header, rows = cellTable(summary.Summarize([]*resultset.Set{s}, labels), false)
	col = slices.Index(header, "prealloc")
	for _, r := range rows {
		if r[0] == "shared-x" && r[col] != "-" {
			t.Errorf("shared-x row %q: prealloc %q, want -", r, r[col])
		}
	}
}

// Knobs that do not vary are listed under the table, the new ones too.
func TestReportFixedAxes(t *testing.T) {
	s := axesSet("writev", []float64{1, 2}, func(i int, c *resultset.Cell) {
		c.Record, c.Batch, c.QueueDepth, c.Prealloc = []int{256, 4096}[i], 16, 0, "fallocate"
	})
	notes := tableNotes(summary.Summarize([]*resultset.Set{s}, []string{"x"}))
	if want := "Fixed parameters: batch=16, prealloc=fallocate, sync=none."; notes[0] != want {
		t.Errorf("notes[0] = %q, want %q", notes[0], want)
	}
}

// The json summary's cells have a field for every axis of resultset.Axes()
// (the knobs read from the cell by name), so a new axis cannot be left out
// of it unnoticed.
func TestJSONCellHasEveryAxis(t *testing.T) {
	c := &resultset.Cell{Strategy: "x", Files: 1, FileSize: 4096, Sync: "none"}
	for _, a := range resultset.Axes() {
		switch {
		case a.Name == "files" || a.Name == "size" || a.Name == "sync":
		case a.Kind == resultset.KindName:
			a.Set(c, 0, "v")
		default:
			a.Set(c, 3, "")
		}
	}
	data, err := json.Marshal(JSONCell{Key: c.Key(), Strategy: c.Strategy, Files: c.Files, FileSize: c.FileSize, Knobs: jsonKnobs(c), Sync: c.Sync, Dir: c.Dir})
	if err != nil {
		t.Fatal(err)
	}
	var fields map[string]any
	if err := json.Unmarshal(data, &fields); err != nil {
		t.Fatalf("%s: %v", data, err)
	}
	for _, a := range resultset.Axes() {
		if name := csvAxisName(a); fields[name] == nil {
			t.Errorf("the json summary's cell has no field %q for axis %s: %s", name, a.Name, data)
		}
	}
}
