package charts

import (
	"math"
	"testing"

	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/report/summary"
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

// vcell is a verified cell of n repetitions of about base seconds each.
func vcell(strategy string, chunk int, base float64, n int) resultset.Cell {
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

func vset(cells ...resultset.Cell) *resultset.Set {
	return &resultset.Set{Schema: 1, Tool: "writebench", Complete: true, Env: resultset.Env{Repeat: 10}, Results: cells}
}

// The chart points and the winner map of a drifting run tell the story of
// its verdict: each contender's relative speed is within 10% of its paired
// ratio, and the map names the verdict's fastest.
func TestChartsAgreeUnderDrift(t *testing.T) {
	s := driftSet()
	vs := judge.Verdicts(s, judge.Options{})
	if len(vs) != 1 || vs[0].Fastest != "a" {
		t.Fatalf("verdicts %+v, want one with fastest a", vs)
	}
	ratio := map[string]float64{}
	for _, c := range vs[0].Contenders {
		ratio[c.Label] = c.Ratio
	}
	near := func(what, label string, got float64) {
		t.Helper()
		if want := ratio[label]; !(math.Abs(got/want-1) <= 0.10) {
			t.Errorf("%s: %s at %.3f of the fastest, paired ratio %.3f", what, label, got, want)
		}
	}
	sums := summary.Summarize([]*resultset.Set{s}, []string{"x"})
	bySt := map[string]*summary.Summary{}
	for _, sm := range sums {
		bySt[sm.Cell.Strategy] = sm
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
