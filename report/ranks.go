package report

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/writebench/writebench/internal/textfmt"
	"github.com/writebench/writebench/report/summary"
	"github.com/writebench/writebench/resultset"
)

// Sets measured by several MPI ranks (env.ranks > 1) hold, per cell, the
// aggregate time of every repetition in seconds and every rank's own time
// in rank_seconds. The tables show one extra column for them, built here.

// anyRanks reports whether any summarized cell was written by several ranks.
func anyRanks(sums []*summary.Summary) bool {
	return slices.ContainsFunc(sums, func(s *summary.Summary) bool { return s.Cell.RankCount() > 1 })
}

// RankSpread describes how the ranks of a cell differed: the rank that was
// slowest most often (lowest rank on a tie) and in how many of the samples,
// and the median over samples of the slowest rank's time over the fastest's.
type RankSpread struct {
	Ranks        int
	Slowest      int     // rank
	SlowestCount int     // samples in which it was the slowest
	Samples      int     // samples with per-rank times
	Ratio        float64 // median slowest/fastest; 0 when not computable
}

// rankSpread computes c's RankSpread; ok false when c has no per-rank times.
func rankSpread(c *resultset.Cell) (RankSpread, bool) {
	if c.RankCount() < 2 || len(c.RankSeconds) == 0 {
		return RankSpread{}, false
	}
	sp := RankSpread{Ranks: c.RankCount(), Samples: len(c.RankSeconds)}
	counts := make([]int, sp.Ranks)
	var ratios []float64
	for _, rs := range c.RankSeconds {
		if len(rs) == 0 {
			continue
		}
		hi, lo := 0, 0
		for r, v := range rs {
			if v > rs[hi] {
				hi = r
			}
			if v < rs[lo] {
				lo = r
			}
		}
		if hi < len(counts) {
			counts[hi]++
		}
		if rs[lo] > 0 {
			ratios = append(ratios, rs[hi]/rs[lo])
		}
	}
	for r, n := range counts {
		if n > counts[sp.Slowest] {
			sp.Slowest = r
		}
	}
	sp.SlowestCount = counts[sp.Slowest]
	if len(ratios) > 0 {
		sort.Float64s(ratios)
		m := len(ratios) / 2
		sp.Ratio = ratios[m]
		if len(ratios)%2 == 0 {
			sp.Ratio = (ratios[m-1] + ratios[m]) / 2
		}
	}
	return sp, true
}

// rankColumn is the ranks column of a cell: "1" for a single process, else
// the ranks, the slowest rank and the spread, e.g. "4, r2 slowest 5/6, 1.31x".
func rankColumn(s *summary.Summary) string {
	sp, ok := rankSpread(s.Cell)
	if !ok {
		return strconv.Itoa(s.Cell.RankCount())
	}
	out := fmt.Sprintf("%d, r%d slowest %d/%d", sp.Ranks, sp.Slowest, sp.SlowestCount, sp.Samples)
	if sp.Ratio > 0 {
		out += ", " + resultset.FormatSig(sp.Ratio) + "x"
	}
	return out
}

// ranksEnv describes the ranks of a set for its env line ("" for one).
func ranksEnv(s *resultset.Set) string {
	if s.Env.Ranks < 2 {
		return ""
	}
	var hosts []string
	for _, h := range s.Env.Hosts {
		if !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	out := fmt.Sprintf("%d MPI ranks", s.Env.Ranks)
	if len(hosts) > 0 {
		out += fmt.Sprintf(" on %s (%s)", textfmt.Plural(len(hosts), "host"), strings.Join(hosts, ", "))
	}
	if s.Env.SharedDir {
		out += " sharing one directory"
	}
	return out
}

// ranksNote explains the ranks column.
const ranksNote = "With several MPI ranks, every rank writes files x size in each repetition; throughput and files/s count all ranks' files over the aggregate time (from the barrier that starts the repetition to the last rank's end), and counters are summed over ranks. The ranks column gives the rank that was slowest most often and the median ratio of the slowest rank's own time to the fastest's."
