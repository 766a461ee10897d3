package charts

import (
	"math"
	"testing"

	"github.com/writebench/writebench/report/internal/testsets"
	"github.com/writebench/writebench/report/summary"
	"github.com/writebench/writebench/resultset"
)

// The chart points and the winner map of a drifting run tell the story of
// its verdict: each contender's relative speed is within 10% of its paired
// ratio, and the map names the verdict's fastest.
func TestChartsAgreeUnderDrift(t *testing.T) {
	dc := testsets.DriftCheck(t)
	s, sums, bySt, ratio := dc.Set, dc.Sums, dc.ByStrategy, dc.Ratio
	near := func(what, label string, got float64) { t.Helper(); dc.Near(t, what, label, got) }
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
	ws := summary.Winners(sums)
	if len(ws) != 1 || ws[0].Best.Cell.Strategy != "a" {
		t.Fatalf("Winners = %+v, want a", ws)
	}
	d := winnerVerdict(ws[0], indexVerdicts([]*resultset.Set{s}, []string{"x"}), summary.NewKnobView(sums))
	if d.strategy != "a" {
		t.Errorf("winner map names %q, verdict a", d.strategy)
	}
	if want := 1/ratio["b"] - 1; math.Abs(d.margin-want) > 0.01 {
		t.Errorf("winner map margin %.3f over %s, want %.3f over b", d.margin, d.runnerUp, want)
	}
}
