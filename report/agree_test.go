package report

import (
	"math"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/resultset"
)

// driftSet is one workload of three contenders on a machine that slows
// down fivefold over 40 rounds: a is fastest, b runs at 0.85 of a's speed,
// c at 0.80 but stopped after its first 7 rounds (settled at the look), when
// the machine was still fast. c's own median is the fastest of the three;
// paired by round it is the slowest.
func driftSet() *resultset.Set {
	mk := func(name string, speed float64, rounds int) resultset.Cell {
		c := vcell(name, 0, 1, rounds)
		for k := range c.Seconds {
			drift := 1 + 0.1*float64(k)                  // early rounds fast, late slow
			wob := 1 + 0.01*float64((k*7+len(name))%5-2) // ±2%, not the same for every cell
			c.Seconds[k] = 0.01 * drift * wob / speed
			c.Rounds = append(c.Rounds, k)
		}
		c.Settled = rounds < 40
		return c
	}
	s := vset(mk("a", 1, 40), mk("b", 0.85, 40), mk("c", 0.80, 7))
	s.Env.Repeat = 40
	return s
}

// Table, charts, winner map and verdict tell the same story of a drifting
// run: each contender's relative speed in every output is within 10% of
// its paired ratio, and all name the same fastest.
func TestOutputsAgreeUnderDrift(t *testing.T) {
	s := driftSet()
	vs := judge.Verdicts(s, judge.Options{})
	if len(vs) != 1 {
		t.Fatalf("%d verdicts, want 1", len(vs))
	}
	v := vs[0]
	if v.Fastest != "a" {
		t.Fatalf("verdict fastest %q, want a", v.Fastest)
	}
	ratio := map[string]float64{}
	for _, c := range v.Contenders {
		ratio[c.Label] = c.Ratio
	}
	near := func(what, label string, got float64) {
		t.Helper()
		if want := ratio[label]; !(math.Abs(got/want-1) <= 0.10) {
			t.Errorf("%s: %s at %.3f of the fastest, paired ratio %.3f", what, label, got, want)
		}
	}
	sums := Summarize([]*resultset.Set{s}, []string{"x"})
	bySt := map[string]*Summary{}
	for _, sm := range sums {
		bySt[sm.Cell.Strategy] = sm
	}
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
	// Medians beside each other and chart points: throughput and files/s.
	for _, m := range chartMetrics {
		if m.metric != "bytes_per_second" && m.metric != "files_per_second" {
			continue
		}
		y := m.stats(sums)
		for name, sm := range bySt {
			near("chart "+m.name, name, y(sm).Median/y(bySt["a"]).Median)
		}
	}
	// The winner map's square and the JSON winners.
	ws := Winners(sums)
	if len(ws) != 1 || ws[0].Best.Cell.Strategy != "a" {
		t.Fatalf("Winners = %+v, want a", ws)
	}
	d := winnerVerdict(ws[0], indexVerdicts([]*resultset.Set{s}, []string{"x"}), newKnobView(sums))
	if d.strategy != "a" {
		t.Errorf("winner map names %q, verdict a", d.strategy)
	}
	if want := 1/ratio["b"] - 1; math.Abs(d.margin-want) > 0.01 {
		t.Errorf("winner map margin %.3f over %s, want %.3f over b", d.margin, d.runnerUp, want)
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
		sums := Summarize([]*resultset.Set{s}, []string{"x"})
		byCell := map[*resultset.Cell]*Summary{}
		for _, sm := range sums {
			byCell[sm.Cell] = sm
		}
		for _, v := range judge.Verdicts(s, judge.OptionsFor(s)) {
			for _, c := range v.Contenders {
				sm := byCell[&s.Results[c.Cell]]
				if sm == nil || len(sm.rels) != 1 || math.IsNaN(c.Ratio) {
					continue // a cell in several groups lists one ratio each
				}
				checked++
				if (c.Verdict == judge.Fastest) != sm.Fastest {
					t.Errorf("%s %s: table fastest %v, verdict %s", p, c.Label, sm.Fastest, c.Verdict)
				}
				if !(math.Abs(sm.Relative/c.Ratio-1) <= 0.10) {
					t.Errorf("%s %s %s: table %.3f, paired ratio %.3f", p, groupName(&v), c.Label, sm.Relative, c.Ratio)
				}
			}
		}
	}
	t.Logf("%d contenders of %d sets checked", checked, len(paths))
}
