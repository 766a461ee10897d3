package judge

import (
	"slices"
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
// cells say it or leave it out.
func TestVerdictFixedAxesUnchanged(t *testing.T) {
	for _, prealloc := range []string{"", "none"} {
		s := axisSet("writev", []float64{1, 2}, func(i int, c *resultset.Cell) {
			c.Record, c.Batch, c.Prealloc = []int{256, 4096}[i], 64, prealloc
		})
		v := only(t, s)
		want := []resultset.Param{{Name: "files", Value: "1"}, {Name: "size", Value: "4KiB"}, {Name: "sync", Value: "none"}, {Name: "batch", Value: "64"}}
		if !slices.Equal(v.Group, want) {
			t.Errorf("prealloc %q: group %v, want %v", prealloc, v.Group, want)
		}
		if got := []string{contender(t, v, "record=256B").Label, contender(t, v, "record=4KiB").Label}; got[0] == got[1] {
			t.Errorf("prealloc %q: labels %q", prealloc, got)
		}
	}
}
