// Package testsets builds small synthetic result sets for the tests of
// report and its subpackages: verified cells with a fixed pattern of
// seconds, and a drifting workload whose early and late rounds disagree.
package testsets

import (
	"math"
	"testing"

	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/report/summary"
	"github.com/writebench/writebench/resultset"
)

// Cell builds a successful cell of 256 files × 4 KiB, sync none, whose
// seconds follow base·(1 + 0.01·((k·7) mod 5 - 2)) for rounds 0..n-1: a
// fixed ±2% pattern shared by every cell built with the same n, plus a
// per-cell wobble so ratios are not all equal.
func Cell(strategy string, chunk int, base float64, n int) resultset.Cell {
	c := resultset.Cell{Strategy: strategy, Files: 256, FileSize: 4096, Chunk: chunk, Sync: "none", Verified: true}
	for k := range n {
		x := base * (1 + 0.01*float64((k*7)%5-2)) * (1 + 0.002*float64(int(base*1000+float64(k))%3))
		c.Seconds = append(c.Seconds, x)
		c.WriteSyscalls = append(c.WriteSyscalls, 10)
		c.StorageBytes = append(c.StorageBytes, 1<<20)
		c.SyncSeconds = append(c.SyncSeconds, 0)
		c.UserSeconds = append(c.UserSeconds, 0.001)
		c.SysSeconds = append(c.SysSeconds, 0.001)
		c.Allocs = append(c.Allocs, 1)
		c.AllocBytes = append(c.AllocBytes, 1)
	}
	return c
}

// Set is a complete set of cells.
func Set(cells ...resultset.Cell) *resultset.Set {
	return &resultset.Set{Schema: 1, Tool: "writebench", Complete: true, Env: resultset.Env{Repeat: 10}, Results: cells}
}

// Drift is one workload of three contenders on a machine that slows down
// fivefold over 40 rounds: a is fastest, b runs at 0.85 of a's speed, c at
// 0.80 but stopped after its first 7 rounds (settled at the look), when the
// machine was still fast. c's own median is the fastest of the three;
// paired by round it is the slowest.
func Drift() *resultset.Set {
	mk := func(name string, speed float64, rounds int) resultset.Cell {
		c := Cell(name, 0, 1, rounds)
		for k := range c.Seconds {
			drift := 1 + 0.1*float64(k)                  // early rounds fast, late slow
			wob := 1 + 0.01*float64((k*7+len(name))%5-2) // ±2%, not the same for every cell
			c.Seconds[k] = 0.01 * drift * wob / speed
			c.Rounds = append(c.Rounds, k)
		}
		c.Settled = rounds < 40
		return c
	}
	s := Set(mk("a", 1, 40), mk("b", 0.85, 40), mk("c", 0.80, 7))
	s.Env.Repeat = 40
	return s
}

// DriftCase is Drift judged and summarised: what the table, charts and
// verdicts of a drifting run must agree on.
type DriftCase struct {
	Set        *resultset.Set
	Sums       []*summary.Summary
	ByStrategy map[string]*summary.Summary
	Ratio      map[string]float64 // each contender's paired ratio to a, the fastest
}

// DriftCheck judges Drift and fails t unless its one verdict names a as
// the fastest.
func DriftCheck(t testing.TB) *DriftCase {
	t.Helper()
	s := Drift()
	vs := judge.Verdicts(s, judge.Options{})
	if len(vs) != 1 || vs[0].Fastest != "a" {
		t.Fatalf("verdicts %+v, want one with fastest a", vs)
	}
	d := &DriftCase{Set: s, Ratio: map[string]float64{}, ByStrategy: map[string]*summary.Summary{}}
	for _, c := range vs[0].Contenders {
		d.Ratio[c.Label] = c.Ratio
	}
	d.Sums = summary.Summarize([]*resultset.Set{s}, []string{"x"})
	for _, sm := range d.Sums {
		d.ByStrategy[sm.Cell.Strategy] = sm
	}
	return d
}

// Near fails t when got, a figure of contender label relative to the
// fastest, is not within 10% of its paired ratio.
func (d *DriftCase) Near(t testing.TB, what, label string, got float64) {
	t.Helper()
	if want := d.Ratio[label]; !(math.Abs(got/want-1) <= 0.10) {
		t.Errorf("%s: %s at %.3f of the fastest, paired ratio %.3f", what, label, got, want)
	}
}
