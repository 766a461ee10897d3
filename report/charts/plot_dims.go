package charts

import (
	"strconv"
	"strings"

	"github.com/writebench/writebench/internal/textfmt"
	"github.com/writebench/writebench/report/summary"
	"github.com/writebench/writebench/resultset"
)

// dim is one dimension of a sweep as the charts see it: a numeric
// parameter that can go on an x axis (files, size, record, chunk,
// concurrency...) or a categorical one (set, strategy, per_file, prealloc,
// sync) that can only name series and panels.
type dim struct {
	name  string // as in file names and labels: "chunk", "queue_depth"
	label string // x axis label
	short string // in chart titles: "Throughput vs chunk size"
	bytes bool   // a size in bytes: powers-of-two ticks labelled 4KiB, 1MiB
	// num is the value of a numeric dimension, 0 when it does not apply.
	num func(*resultset.Cell) int64
	// cat is the value of a categorical dimension, "" when it does not
	// apply; rank orders its values (lower first), ties by name.
	cat  func(*summary.Summary) string
	rank func(string) int
}

// dimVal is one value of a dim; the zero value means "does not apply".
type dimVal struct {
	n    int64
	s    string
	rank int
}

func (v dimVal) applies() bool { return v.n != 0 || v.s != "" }

func (d *dim) value(s *summary.Summary) dimVal {
	if d.num != nil {
		return dimVal{n: d.num(s.Cell)}
	}
	v := dimVal{s: d.cat(s)}
	if d.rank != nil && v.s != "" {
		v.rank = d.rank(v.s)
	}
	return v
}

// format is the value as shown in legends and titles.
func (d *dim) format(v dimVal) string {
	switch {
	case !v.applies():
		return "-"
	case d.num == nil:
		return v.s
	case d.bytes:
		return resultset.FormatBytes(v.n)
	}
	return strconv.FormatInt(v.n, 10)
}

// less orders values numerically (numeric dims) or by rank then name;
// "does not apply" sorts first.
func dimLess(a, b dimVal) bool {
	if a.applies() != b.applies() {
		return !a.applies()
	}
	if a.n != b.n {
		return a.n < b.n
	}
	if a.rank != b.rank {
		return a.rank < b.rank
	}
	return a.s < b.s
}

func syncRank(s string) int {
	if a := resultset.AxisByName("sync"); a != nil {
		for i, m := range a.Names {
			if s == m {
				return i
			}
		}
		return len(a.Names)
	}
	return 0
}

// axisLabels are the x axis labels and title words of the axes charts know
// by name; any other axis of resultset.Axes() is labelled by its name.
var axisLabels = map[string][2]string{
	"files":       {"files per repetition", "file count"},
	"size":        {"file size", "file size"},
	"record":      {"record size (bytes per application write)", "record size"},
	"buffer":      {"buffer size", "buffer size"},
	"chunk":       {"chunk size (bytes per write)", "chunk size"},
	"concurrency": {"concurrency (workers or files in flight)", "concurrency"},
	"batch":       {"batch (records per writev)", "batch size"},
	"queue_depth": {"queue depth (io_uring writes in flight)", "queue depth"},
}

// sweepDims returns the dimensions charts know, in the order they are
// considered for series and panels: the set, the strategy, then every axis
// of resultset.Axes() (the one table of parameters) in its order. setOrder
// ranks set labels as given.
func sweepDims(setOrder map[string]int) []*dim {
	dims := []*dim{
		{name: "set", cat: func(s *summary.Summary) string { return s.Label }, rank: func(l string) int { return setOrder[l] }},
		{name: "strategy", cat: func(s *summary.Summary) string { return s.Cell.Strategy }},
	}
	for _, a := range resultset.Axes() {
		d := &dim{name: a.Name, label: strings.ReplaceAll(a.Name, "_", " "), short: strings.ReplaceAll(a.Name, "_", " ")}
		if l, ok := axisLabels[a.Name]; ok {
			d.label, d.short = l[0], l[1]
		}
		switch a.Kind {
		case resultset.KindName:
			d.cat = func(s *summary.Summary) string { _, v := a.Get(s.Cell); return v }
			names := a.Names
			d.rank = func(v string) int {
				for i, n := range names {
					if n == v {
						return i
					}
				}
				return len(names)
			}
		default:
			d.bytes = a.Kind == resultset.KindSize
			d.num = func(c *resultset.Cell) int64 { n, _ := a.Get(c); return n }
		}
		dims = append(dims, d)
	}
	return dims
}

// fileName is the dim's name as used in chart file names ("queue-depth").
func (d *dim) fileName() string { return strings.ReplaceAll(d.name, "_", "-") }

// part describes one value of d in a series or panel name: "16 files",
// "1MiB per file", "chunk=64KiB", "bufio", "sync=none"; "" when d does not
// apply.
func (d *dim) part(v dimVal) string {
	if !v.applies() {
		return ""
	}
	switch d.name {
	case "set", "strategy":
		return v.s
	case "files":
		return textfmt.Plural(int(v.n), "file")
	case "size":
		return resultset.FormatBytes(v.n) + " per file"
	}
	return d.name + "=" + d.format(v)
}
