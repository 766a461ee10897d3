package report

import (
	"strconv"
	"strings"
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
	num func(*Cell) int64
	// cat is the value of a categorical dimension, "" when it does not
	// apply; rank orders its values (lower first), ties by name.
	cat  func(*Summary) string
	rank func(string) int
}

// dimVal is one value of a dim; the zero value means "does not apply".
type dimVal struct {
	n    int64
	s    string
	rank int
}

func (v dimVal) applies() bool { return v.n != 0 || v.s != "" }

func (d *dim) value(s *Summary) dimVal {
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
		return FormatBytes(v.n)
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

// syncModeOrder is the natural order of sync modes, from no syncing to the
// most syncing, then the per-write and cache-bypassing modes.
var syncModeOrder = []string{"none", "data", "close", "end", "dsync", "uncached"}

func syncRank(s string) int {
	for i, m := range syncModeOrder {
		if s == m {
			return i
		}
	}
	return len(syncModeOrder)
}

// sweepDims returns the dimensions charts know, in the order they are
// considered for series and panels. setOrder ranks set labels as given.
func sweepDims(setOrder map[string]int) []*dim {
	return []*dim{
		{name: "set", cat: func(s *Summary) string { return s.Label }, rank: func(l string) int { return setOrder[l] }},
		{name: "strategy", cat: func(s *Summary) string { return s.Cell.Strategy }},
		{name: "files", label: "files per repetition", short: "file count", num: func(c *Cell) int64 { return int64(c.Files) }},
		{name: "size", label: "file size", short: "file size", bytes: true, num: func(c *Cell) int64 { return c.FileSize }},
		{name: "record", label: "record size (bytes per application write)", short: "record size", bytes: true, num: func(c *Cell) int64 { return int64(c.Record) }},
		{name: "buffer", label: "buffer size", short: "buffer size", bytes: true, num: func(c *Cell) int64 { return int64(c.Buffer) }},
		{name: "chunk", label: "chunk size (bytes per write)", short: "chunk size", bytes: true, num: func(c *Cell) int64 { return int64(c.Chunk) }},
		{name: "concurrency", label: "concurrency (workers or files in flight)", short: "concurrency", num: func(c *Cell) int64 { return int64(c.Concurrency) }},
		{name: "batch", label: "batch (records per writev)", short: "batch size", num: func(c *Cell) int64 { return int64(c.Batch) }},
		{name: "queue_depth", label: "queue depth (io_uring submissions in flight)", short: "queue depth", num: func(c *Cell) int64 { return int64(c.QueueDepth) }},
		{name: "per_file", cat: func(s *Summary) string { return s.Cell.PerFile }},
		{name: "prealloc", cat: func(s *Summary) string { return s.Cell.Prealloc }},
		{name: "sync", cat: func(s *Summary) string { return s.Cell.Sync }, rank: syncRank},
	}
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
		return plural(int(v.n), "file")
	case "size":
		return FormatBytes(v.n) + " per file"
	}
	return d.name + "=" + d.format(v)
}
