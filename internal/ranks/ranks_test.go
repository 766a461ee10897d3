package ranks

import (
	"context"
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies"
)

// vec builds one rank's exchanged vector: every field absent except those
// given (field index -> value).
func vec(vals map[int]float64) []float64 {
	v := make([]float64, 2*len(resultset.SampleArrays()))
	for i, x := range vals {
		v[2*i], v[2*i+1] = 1, x
	}
	return v
}

func fieldIndex(t *testing.T, name string) int {
	t.Helper()
	for i, f := range resultset.SampleArrays() {
		if f.Name == name {
			return i
		}
	}
	t.Fatalf("no sample field %q", name)
	return -1
}

func TestMergeSamples(t *testing.T) {
	sec, sysc, p99, rec := fieldIndex(t, "seconds"), fieldIndex(t, "write_syscalls"), fieldIndex(t, "latency_p99"), fieldIndex(t, "records")
	if sec != 0 {
		t.Fatalf("seconds is sample field %d, merge takes rank_seconds from field 0", sec)
	}
	for _, tc := range []struct {
		name        string
		all         [][]float64
		want        map[int]float64 // field -> merged value (others NaN)
		wantPerRank []float64
	}{
		{"max seconds, summed counters, worst latency",
			[][]float64{vec(map[int]float64{sec: 0.5, sysc: 10, p99: 0.01}), vec(map[int]float64{sec: 0.7, sysc: 12, p99: 0.03}), vec(map[int]float64{sec: 0.2, sysc: 8, p99: 0.02})},
			map[int]float64{sec: 0.7, sysc: 30, p99: 0.03}, []float64{0.5, 0.7, 0.2}},
		{"an unavailable counter on one rank is unavailable in the sum",
			[][]float64{vec(map[int]float64{sec: 1, sysc: 10}), vec(map[int]float64{sec: 1, sysc: -1})},
			map[int]float64{sec: 1, sysc: -1}, []float64{1, 1}},
		{"unavailable on the first rank too",
			[][]float64{vec(map[int]float64{sec: 1, sysc: -1}), vec(map[int]float64{sec: 1, sysc: 5})},
			map[int]float64{sec: 1, sysc: -1}, []float64{1, 1}},
		{"an optional array present on some ranks only",
			[][]float64{vec(map[int]float64{sec: 1, rec: 100}), vec(map[int]float64{sec: 2})},
			map[int]float64{sec: 2, rec: 100}, []float64{1, 2}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			merged, per := mergeSamples(tc.all)
			for i, f := range resultset.SampleArrays() {
				want, ok := tc.want[i]
				if !ok {
					if !math.IsNaN(merged[i]) {
						t.Errorf("%s = %v, want absent (NaN)", f.Name, merged[i])
					}
					continue
				}
				if merged[i] != want {
					t.Errorf("%s = %v, want %v", f.Name, merged[i], want)
				}
			}
			if !slices.Equal(per, tc.wantPerRank) {
				t.Errorf("per-rank seconds %v, want %v", per, tc.wantPerRank)
			}
		})
	}
}

// TestMergeCell: merge writes the aggregate over the last sample, appends
// rank_seconds and leaves earlier samples alone.
func TestMergeCell(t *testing.T) {
	c := &resultset.Cell{Seconds: []float64{9, 0.5}, WriteSyscalls: []int64{9, 10}, Allocs: []uint64{9, 3}, LatencyP50: []float64{9, 0.1},
		RankSeconds: [][]float64{{9, 9}}}
	all := [][]float64{nil, nil}
	for r := range all {
		arrays := resultset.SampleArrays()
		v := make([]float64, 2*len(arrays))
		for i, a := range arrays {
			if a.Len(c) == 2 {
				v[2*i], v[2*i+1] = 1, a.At(c, 1)*float64(r+1)
			}
		}
		all[r] = v
	}
	g := &Group{c: fakeGather{size: 2, all: all}}
	if err := g.Merge(context.Background(), c); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.Seconds, []float64{9, 1}) || !slices.Equal(c.WriteSyscalls, []int64{9, 30}) ||
		!slices.Equal(c.Allocs, []uint64{9, 9}) || !slices.Equal(c.LatencyP50, []float64{9, 0.2}) {
		t.Errorf("merged cell: seconds %v syscalls %v allocs %v p50 %v", c.Seconds, c.WriteSyscalls, c.Allocs, c.LatencyP50)
	}
	if c.Ranks != 2 || len(c.RankSeconds) != 2 || !slices.Equal(c.RankSeconds[1], []float64{0.5, 1}) {
		t.Errorf("ranks %d, rank_seconds %v", c.Ranks, c.RankSeconds)
	}
}

// fakeGather is a Coordinator of size ranks whose gather returns all; it
// stands for rank 0 in unit tests of the merge arithmetic (the real
// exchange is tested under mpirun in mpi_test.go).
type fakeGather struct {
	solo
	size int
	all  [][]float64
}

func (f fakeGather) Size() int { return f.size }
func (f fakeGather) GatherFloat64s(context.Context, []float64) ([][]float64, error) {
	return f.all, nil
}

func TestAgreeSingleProcess(t *testing.T) {
	g := NewGroup(nil)
	ctx := context.Background()
	boom := errors.New("boom")
	if err := g.Agree(ctx, boom); err != boom {
		t.Errorf("agree(boom) = %v, want boom itself", err)
	}
	if err := g.Agree(ctx, nil); err != nil {
		t.Errorf("agree(nil) = %v", err)
	}
	for _, skip := range []error{strategies.Skip("no io_uring"), &SkippedError{"no io_uring"}} {
		if err := g.Agree(ctx, skip); err != skip {
			t.Errorf("agree(%v) = %v, want the skip itself", skip, err)
		}
	}
	seed, err := g.Start(ctx, 42)
	if err != nil || seed != 42 || g.HostRanks() != 1 {
		t.Errorf("start = %d, %v; hostRanks %d", seed, err, g.HostRanks())
	}
	var env resultset.Env
	g.Describe(&env)
	if env.Ranks != 0 || env.Hosts != nil {
		t.Errorf("single process describes ranks %d hosts %v, want none", env.Ranks, env.Hosts)
	}
}
