package report

import (
	"bytes"
	"strings"
	"testing"

	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/report/summary"
	"github.com/writebench/writebench/resultset"
)

func TestRankSpread(t *testing.T) {
	for _, tc := range []struct {
		name string
		cell resultset.Cell
		ok   bool
		want RankSpread
		col  string
	}{
		{"single process", resultset.Cell{Seconds: []float64{1}}, false, RankSpread{}, "1"},
		{"ranks without per-rank times", resultset.Cell{Ranks: 4, Seconds: []float64{1}}, false, RankSpread{}, "4"},
		{"rank 2 slowest twice",
			resultset.Cell{Ranks: 3, RankSeconds: [][]float64{{1, 2, 4}, {1, 1, 3}, {2, 1, 1}}}, true,
			RankSpread{Ranks: 3, Slowest: 2, SlowestCount: 2, Samples: 3, Ratio: 3}, "3, r2 slowest 2/3, 3.00x"},
		{"tie goes to the lowest rank, even ratio count takes the mean",
			resultset.Cell{Ranks: 2, RankSeconds: [][]float64{{2, 1}, {1, 3}}}, true,
			RankSpread{Ranks: 2, Slowest: 0, SlowestCount: 1, Samples: 2, Ratio: 2.5}, "2, r0 slowest 1/2, 2.50x"},
		{"zero times give no ratio",
			resultset.Cell{Ranks: 2, RankSeconds: [][]float64{{0, 1}}}, true,
			RankSpread{Ranks: 2, Slowest: 1, SlowestCount: 1, Samples: 1}, "2, r1 slowest 1/1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, ok := rankSpread(&tc.cell)
			if ok != tc.ok || got != tc.want {
				t.Errorf("rankSpread = %+v, %v; want %+v, %v", got, ok, tc.want, tc.ok)
			}
			if col := rankColumn(&summary.Summary{Cell: &tc.cell}); col != tc.col {
				t.Errorf("rankColumn = %q, want %q", col, tc.col)
			}
		})
	}
}

// TestRenderRanksGolden renders a 4-rank set (measured under mpirun, with
// one cell failed on a rank) as a table and as Markdown.
func TestRenderRanksGolden(t *testing.T) {
	set := loadFixture(t, "ranks")
	for _, format := range []string{"table", "markdown"} {
		var buf bytes.Buffer
		if err := Render(&buf, []*resultset.Set{set}, []string{"ranks"}, format); err != nil {
			t.Fatal(err)
		}
		out := buf.String()
		for _, want := range []string{"4 MPI ranks on 2 hosts (vm, node2)", "ranks", "r", "rank 2 (node2)"} {
			if !strings.Contains(out, want) {
				t.Errorf("%s lacks %q", format, want)
			}
		}
		checkGolden(t, "ranks."+format, buf.Bytes())
	}
	// Without ranks the column and the note stay away.
	var buf bytes.Buffer
	if err := Render(&buf, []*resultset.Set{loadFixture(t, "basic")}, nil, "table"); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(buf.String(), "MPI") || strings.Contains(buf.String(), "slowest") {
		t.Errorf("a single-process set mentions ranks:\n%s", buf.String())
	}
}

// TestCompareRanksDiffer: comparing a single-process set with a set of 4
// ranks warns that the environments differ in ranks.
func TestCompareRanksDiffer(t *testing.T) {
	base := loadFixture(t, "basic")
	for _, tc := range []struct {
		ranks int
		diff  bool
	}{{0, false}, {1, false}, {4, true}} {
		new := loadFixture(t, "basic")
		new.Env.Ranks = tc.ranks
		cmp, err := judge.Compare(base, new, judge.Options{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, d := range cmp.EnvDiffs {
			if d.Field == "ranks" {
				found = d.Base == "1" && d.New == "4"
			}
		}
		if found != tc.diff {
			t.Errorf("ranks %d: env diffs %+v, want a ranks difference: %v", tc.ranks, cmp.EnvDiffs, tc.diff)
		}
	}
}

// TestCompareSharedDirDiffers: a set of ranks sharing one directory
// compared with one of a directory per rank is an environment difference.
func TestCompareSharedDirDiffers(t *testing.T) {
	base := loadFixture(t, "basic")
	for _, shared := range []bool{false, true} {
		new := loadFixture(t, "basic")
		new.Env.SharedDir = shared
		cmp, err := judge.Compare(base, new, judge.Options{})
		if err != nil {
			t.Fatal(err)
		}
		found := false
		for _, d := range cmp.EnvDiffs {
			if d.Field == "shared_dir" {
				found = d.Base == "false" && d.New == "true"
			}
		}
		if found != shared {
			t.Errorf("shared_dir %v: env diffs %+v, want a shared_dir difference: %v", shared, cmp.EnvDiffs, shared)
		}
	}
}

// TestAnswerNamesSharedRanks: the answer says how many ranks ran and that
// they shared one directory, whole, however long the machine's line is
// (the ranks were the end of that line and were cut off with it).
func TestAnswerNamesSharedRanks(t *testing.T) {
	set := loadFixture(t, "ranks")
	set.Env.SharedDir = true
	set.Env.CPU = strings.Repeat("a very long processor name ", 4)
	var buf bytes.Buffer
	if err := WriteAnswer(&buf, set, AnswerOptions{}); err != nil {
		t.Fatal(err)
	}
	if want := "4 MPI ranks on 2 hosts (vm, node2) sharing one directory"; !strings.Contains(buf.String(), want) {
		t.Errorf("the answer lacks %q:\n%s", want, buf.String())
	}
}
