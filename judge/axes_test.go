package judge

import (
	"slices"
	"strings"
	"testing"

	"github.com/writebench/writebench/resultset"
)

// axisSet is a comparison group of cells (1 file of 4 KiB, sync none, 6
// rounds) that differ only as set does to each: cell i takes seconds[i].
func axisSet(strategy string, seconds []float64, set func(i int, c *resultset.Cell)) *resultset.Set {
	s := &resultset.Set{Schema: 1, Tool: "writebench", Complete: true}
	for i, sec := range seconds {
		c := resultset.Cell{Strategy: strategy, Files: 1, FileSize: 4096, Sync: "none"}
		set(i, &c)
		for k := range 6 {
			c.Rounds = append(c.Rounds, k)
			c.Seconds = append(c.Seconds, sec*(1+0.01*float64(k%3)))
		}
		s.Results = append(s.Results, c)
	}
	return s
}

// Every knob of resultset.Axes() that tells two cells of a group apart is in
// their contender labels and Differs: prealloc, batch and queue_depth as
// much as chunk. Before, cells that differed only in prealloc ("none" is
// left out of Params) got the same label, so the verdict line read
// "chunk=1MiB leads chunk=1MiB".
func TestVerdictLabelsEveryAxis(t *testing.T) {
	for _, tt := range []struct {
		name   string
		set    *resultset.Set
		labels []string // in set order
		differ []string // knob names in every contender's Differs
	}{
		{"prealloc", axisSet("chunked", []float64{1, 1.5, 2, 3}, func(i int, c *resultset.Cell) {
			c.Chunk = []int{65536, 65536, 1 << 20, 1 << 20}[i]
			c.Prealloc = []string{"none", "fallocate", "none", "fallocate"}[i]
		}), []string{"chunk=64KiB prealloc=none", "chunk=64KiB prealloc=fallocate", "chunk=1MiB prealloc=none", "chunk=1MiB prealloc=fallocate"},
			[]string{"chunk", "prealloc"}},
		// A cell that leaves prealloc out (an older or hand-made set) measured
		// "none", as Key says.
		{"prealloc absent", axisSet("chunked", []float64{1, 2, 3}, func(i int, c *resultset.Cell) {
			c.Chunk = 65536
			c.Prealloc = []string{"", "fallocate", "truncate"}[i]
		}), []string{"prealloc=none", "prealloc=fallocate", "prealloc=truncate"}, []string{"prealloc"}},
		{"batch", axisSet("writev", []float64{1, 2}, func(i int, c *resultset.Cell) {
			c.Record, c.Prealloc = 256, "none"
			c.Batch = []int{16, 64}[i]
		}), []string{"batch=16", "batch=64"}, []string{"batch"}},
		{"queue_depth", axisSet("uring", []float64{1, 2}, func(i int, c *resultset.Cell) {
			c.Chunk, c.Prealloc = 65536, "none"
			c.QueueDepth = []int{1, 32}[i]
		}), []string{"queue_depth=1", "queue_depth=32"}, []string{"queue_depth"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			v := only(t, tt.set)
			got := make([]string, len(tt.set.Results))
			for _, c := range v.Contenders {
				got[c.Cell] = c.Label
				var names []string
				for _, p := range c.Differs {
					names = append(names, p.Name)
				}
				if !slices.Equal(names, tt.differ) {
					t.Errorf("%s: Differs %v, want the knobs %v", c.Label, c.Differs, tt.differ)
				}
			}
			if !slices.Equal(got, tt.labels) {
				t.Errorf("labels %q, want %q", got, tt.labels)
			}
			if v.Fastest != tt.labels[0] {
				t.Errorf("fastest %q, want %q", v.Fastest, tt.labels[0])
			}
			for _, p := range v.Group {
				if slices.Contains(tt.differ, p.Name) {
					t.Errorf("group parameters %v list %s, which differs", v.Group, p.Name)
				}
			}
		})
	}
}

// A knob every cell of a group has with one value is a group parameter and
// in no label; prealloc "none" stays out of both, as before, whether the
// cells say it or leave it out. The record size is the workload's, listed
// with the group.
func TestVerdictFixedAxesUnchanged(t *testing.T) {
	for _, prealloc := range []string{"", "none"} {
		s := axisSet("writev", []float64{1, 2}, func(i int, c *resultset.Cell) {
			c.Record, c.Batch, c.Prealloc, c.Chunk = 256, []int{16, 64}[i], prealloc, 4096
		})
		v := only(t, s)
		want := []resultset.Param{{Name: "files", Value: "1"}, {Name: "size", Value: "4KiB"}, {Name: "sync", Value: "none"},
			{Name: "record", Value: "256B"}, {Name: "chunk", Value: "4KiB"}}
		if !slices.Equal(v.Group, want) {
			t.Errorf("prealloc %q: group %v, want %v", prealloc, v.Group, want)
		}
		if got := []string{contender(t, v, "batch=16").Label, contender(t, v, "batch=64").Label}; got[0] == got[1] {
			t.Errorf("prealloc %q: labels %q", prealloc, got)
		}
	}
}

// Record sizes are the application's, not rival strategies: cells that
// differ in record are different workloads, and a strategy without a
// record size (chunked writes what it is handed) competes in each of them.
func TestRecordIsWorkload(t *testing.T) {
	s := axisSet("x", []float64{1, 2, 3, 4}, func(i int, c *resultset.Cell) {
		c.Strategy = []string{"bufio", "bufio", "unbuffered", "chunked"}[i]
		c.Record = []int{64, 4096, 64, 0}[i]
		if i == 3 {
			c.Chunk = 65536
		}
	})
	got := Groups(s)
	want := [][]int{{0, 2, 3}, {1, 3}}
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Fatalf("Groups = %v, want %v (one per record size, chunked in both)", got, want)
	}
	for _, v := range Verdicts(s, Options{}) {
		for _, c := range v.Contenders {
			if len(c.Differs) > 0 || c.Label != c.Strategy {
				t.Errorf("contender %q differs in %v: record must not tell contenders apart", c.Label, c.Differs)
			}
		}
	}
	if b := Blocks(s); len(b) != 1 || len(b[0]) != 4 {
		t.Errorf("Blocks = %v, want the two groups merged (they share chunked)", b)
	}
	// --vs record makes record sizes rivals again, by the user's word.
	s.Env.Vs = []string{"strategy", "record"}
	if got := Groups(s); len(got) != 1 || len(got[0]) != 4 {
		t.Errorf("vs strategy,record: Groups = %v, want one group of 4", got)
	}
}

// --vs chunk: the strategy and its other knobs are the workload, contenders
// differ in chunk only.
func TestVsChunk(t *testing.T) {
	s := axisSet("x", []float64{1, 2, 3, 4, 5}, func(i int, c *resultset.Cell) {
		c.Strategy = []string{"chunked", "chunked", "direct", "direct", "bufio"}[i]
		c.Chunk = []int{4096, 65536, 4096, 65536, 0}[i]
		if i == 4 {
			c.Buffer, c.Record = 8192, 256
		}
	})
	s.Env.Vs = []string{"chunk"}
	vs := Verdicts(s, Options{})
	if len(vs) != 2 {
		t.Fatalf("%d verdicts, want 2 (chunked, direct; bufio alone)", len(vs))
	}
	for _, v := range vs {
		if len(v.Contenders) != 2 || v.Contenders[0].Label != "chunk=4KiB" {
			t.Errorf("group %v: contenders %+v, want chunk=4KiB fastest of two", v.Group, v.Contenders)
		}
		if !slices.ContainsFunc(v.Group, func(p resultset.Param) bool { return p.Name == "strategy" }) {
			t.Errorf("group %v does not name its strategy", v.Group)
		}
	}
}

// Drift compares the last rounds with the first for the contender that ran
// longest: a machine that slows down threefold over 40 rounds reads 2.25
// (the medians of the last and first 10 rounds), a steady one about 1; the set records it and old sets get it measured.
func TestDrifts(t *testing.T) {
	steady := axisSet("x", []float64{1, 1.2}, func(i int, c *resultset.Cell) {
		c.Strategy = []string{"a", "b"}[i]
	})
	if d := Drifts(steady); len(d) != 1 || d[0].Ratio < 0.97 || d[0].Ratio > 1.03 {
		t.Errorf("steady set: drift %+v, want one near 1", d)
	}
	s := &resultset.Set{}
	for _, name := range []string{"a", "b"} {
		c := resultset.Cell{Strategy: name, Files: 1, FileSize: 4096, Sync: "none"}
		n := 40
		if name == "b" {
			n = 7 // stopped early: not the one measured
		}
		for k := range n {
			c.Rounds = append(c.Rounds, k)
			c.Seconds = append(c.Seconds, 0.01*(1+2*float64(k)/39))
		}
		s.Results = append(s.Results, c)
	}
	d := Drifts(s)
	if len(d) != 1 || d[0].Rounds != 40 || d[0].Window != 10 || d[0].Ratio < 2.2 || d[0].Ratio > 2.3 || !strings.Contains(d[0].Cell, "strategy=a") {
		t.Fatalf("drift %+v, want a's 40 rounds, last 10 over first 10 = 2.25", d)
	}
	if !strings.Contains(d[0].Group, "files=1/size=4KiB/sync=none") {
		t.Errorf("group %q", d[0].Group)
	}
	s.Env.Drift = []resultset.Drift{{Group: "g", Ratio: 9, Rounds: 1, Window: 1}}
	if got := DriftsOf(s); len(got) != 1 || got[0].Ratio != 9 {
		t.Errorf("DriftsOf = %+v, want the recorded drift", got)
	}
}
