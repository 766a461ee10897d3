package summary

// One estimate per cell: within a comparison group, every figure that puts
// contenders side by side (the cell table's medians and "vs fastest", the
// charts' points, the winner map, the JSON and CSV summaries) comes from
// the paired per-round ratios the verdicts use, so no output can rank the
// contenders of a workload differently from the verdict.

import (
	"math"

	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/stats"
)

// GroupRatio is a cell's standing in one comparison group: its paired speed
// ratio to the group's fastest contender (1 for the fastest; NaN without
// rounds in common) and whether it is that fastest.
type GroupRatio struct {
	Group   string  // the group's name (GroupName)
	Ratio   float64 // paired speed ratio to the group's fastest; NaN without rounds in common
	Fastest bool    // the cell is the group's fastest contender
}

// pairSummaries rewrites the summaries of every cell that is a contender of
// a comparison group of its set. The group's reference is its fastest
// contender F (the verdict's), which is never stopped early, so its rounds
// span the sweep. A contender c's estimate of each metric is then F's
// median times the median of c's per-round ratios to F, and its interval
// F's median times the sign-test interval of those ratios: for speeds this
// is exactly the verdict's paired ratio, and a contender that stopped
// after the first rounds is put on the scale of the whole sweep instead of
// keeping the medians of the rounds it ran. Relative is the verdict's
// ratio. A cell in several groups (one a workload axis does not apply to)
// takes its first group as reference and lists its ratio in each (Ratios).
func pairSummaries(sums []*Summary, sets []*resultset.Set, labels []string) {
	byCell := map[*resultset.Cell]*Summary{}
	for _, s := range sums {
		byCell[s.Cell] = s
	}
	for _, sv := range Verdicts(sets, labels) {
		for j := range sv.Verdicts {
			v := &sv.Verdicts[j]
			if v.Fastest == "" {
				continue
			}
			f := &sv.Set.Results[v.Contenders[0].Cell]
			name := GroupName(v)
			for _, ct := range v.Contenders {
				s := byCell[&sv.Set.Results[ct.Cell]]
				if s == nil || s.Failed() || ct.Verdict == judge.Skipped {
					continue
				}
				first := s.Ratios == nil
				s.Ratios = append(s.Ratios, GroupRatio{Group: name, Ratio: ct.Ratio, Fastest: ct.Verdict == judge.Fastest})
				if !first {
					continue
				}
				s.Group = s.Label + "|" + name
				s.Relative, s.Fastest = 0, ct.Verdict == judge.Fastest
				if r := ct.Ratio; r > 0 && !math.IsNaN(r) {
					s.Relative = r
				}
				s.Rounds, s.RefRounds = len(s.Cell.Seconds), len(f.Seconds)
				if s.Cell != f {
					s.anchor(f, v.PairConfidence)
				}
			}
		}
	}
	for _, s := range sums {
		if s.Ratios == nil && !s.Failed() {
			// Alone in its workload: nothing to be relative to.
			s.Relative, s.Fastest = 0, false
		}
	}
}

// anchor replaces every metric of s by the reference cell f's median times
// the median of the per-round ratios of s to f (and the interval likewise),
// where every paired value is positive; a metric without such pairs keeps
// its own median.
func (s *Summary) anchor(f *resultset.Cell, conf float64) {
	for _, m := range resultset.Metrics() {
		ref := s.refStat(f, m)
		if !ref.OK() {
			continue
		}
		rs := pairedMetricRatios(m.Samples(f), f, m.Samples(s.Cell), s.Cell)
		if len(rs) == 0 {
			continue
		}
		est, lo, hi, ok := stats.RatioInterval(rs, conf)
		st := Stat{N: len(rs), Median: ref.Median * est}
		if ok {
			st.Lo, st.Hi, st.HasCI = ref.Median*lo, ref.Median*hi, true
		}
		s.Metrics[m.Name] = st
	}
	s.syncFields()
}

// refStat is the reference cell's own summary of metric m.
func (s *Summary) refStat(f *resultset.Cell, m *resultset.Metric) Stat { return newStat(m.Samples(f)) }

// pairedMetricRatios pairs the samples of two cells by round and returns
// c's value over f's for every round where both are positive.
func pairedMetricRatios(fv []float64, f *resultset.Cell, cv []float64, c *resultset.Cell) []float64 {
	if len(fv) != len(f.Seconds) || len(cv) != len(c.Seconds) {
		return nil
	}
	at := make(map[int]float64, len(fv))
	for k, x := range fv {
		at[f.Round(k)] = x
	}
	var out []float64
	for k, x := range cv {
		if r, ok := at[c.Round(k)]; ok && r > 0 && x > 0 && !math.IsInf(x, 0) && !math.IsInf(r, 0) {
			out = append(out, x/r)
		}
	}
	return out
}
