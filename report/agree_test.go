package report

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/report/internal/testsets"
	"github.com/writebench/writebench/report/summary"
	"github.com/writebench/writebench/resultset"
)

// Table and verdict tell the same story of a drifting run: each
// contender's relative speed in the summaries and the cell table is within
// 10% of its paired ratio, and both name the same fastest (the charts
// package checks its chart points and winner map on the same set).
func TestOutputsAgreeUnderDrift(t *testing.T) {
	dc := testsets.DriftCheck(t)
	sums, bySt := dc.Sums, dc.ByStrategy
	near := func(what, label string, got float64) { t.Helper(); dc.Near(t, what, label, got) }
	// The summaries: fastest flag and Relative.
	for name, sm := range bySt {
		if sm.Fastest != (name == "a") {
			t.Errorf("summary of %s: Fastest = %v", name, sm.Fastest)
		}
		near("summary Relative", name, sm.Relative)
	}
	// The cell table's "vs fastest" column and throughput beside each other.
	header, rows := cellTable(sums, false)
	col := -1
	for i, h := range header {
		if h == "vs fastest" {
			col = i
		}
	}
	for _, r := range rows {
		name, txt := r[0], r[col]
		if name == "a" {
			if txt != "fastest" {
				t.Errorf("table: a is %q, want fastest", txt)
			}
			continue
		}
		f, err := strconv.ParseFloat(strings.Fields(strings.TrimSuffix(strings.Fields(txt)[0], "×"))[0], 64)
		if err != nil {
			t.Fatalf("table: %s vs fastest %q: %v", name, txt, err)
		}
		near("table vs fastest", name, f)
		if name == "c" && !strings.Contains(txt, "7 rounds") {
			t.Errorf("table: c stopped after 7 of 40 rounds, vs fastest %q does not say so", txt)
		}
	}
}

// Every committed result set, re-rendered: each contender's "vs fastest"
// in the cell table is its verdict's paired ratio (within 10%), and the
// cell the table calls fastest is the verdict's fastest.
// WRITEBENCH_AGREE_SETS='/path/*.json' checks those sets instead (e.g. ten
// fresh plain runs).
func TestCommittedSetsAgree(t *testing.T) {
	paths, err := filepath.Glob("../results/*.json")
	if err != nil {
		t.Fatal(err)
	}
	more, _ := filepath.Glob("../results/*/*.json")
	paths = append(paths, more...)
	if g := os.Getenv("WRITEBENCH_AGREE_SETS"); g != "" {
		if paths, err = filepath.Glob(g); err != nil {
			t.Fatalf("WRITEBENCH_AGREE_SETS=%q: %v", g, err)
		}
	}
	if len(paths) == 0 {
		t.Fatal("no committed sets found")
	}
	checked := 0
	for _, p := range paths {
		s, err := resultset.Load(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		sums := summary.Summarize([]*resultset.Set{s}, []string{"x"})
		byCell := map[*resultset.Cell]*summary.Summary{}
		for _, sm := range sums {
			byCell[sm.Cell] = sm
		}
		for _, v := range judge.Verdicts(s, judge.OptionsFor(s)) {
			for _, c := range v.Contenders {
				sm := byCell[&s.Results[c.Cell]]
				if sm == nil || len(sm.Ratios) != 1 || math.IsNaN(c.Ratio) {
					continue // a cell in several groups lists one ratio each
				}
				checked++
				if (c.Verdict == judge.Fastest) != sm.Fastest {
					t.Errorf("%s %s: table fastest %v, verdict %s", p, c.Label, sm.Fastest, c.Verdict)
				}
				if !(math.Abs(sm.Relative/c.Ratio-1) <= 0.10) {
					t.Errorf("%s %s %s: table %.3f, paired ratio %.3f", p, summary.GroupName(&v), c.Label, sm.Relative, c.Ratio)
				}
			}
		}
	}
	t.Logf("%d contenders of %d sets checked", checked, len(paths))
}
