package report

import (
	"sort"
	"strings"

	"github.com/writebench/writebench/report/summary"
	"github.com/writebench/writebench/resultset"
)

// varyingParams lists the parameter names (beyond strategy, files and size)
// that take more than one value among the cells of sums (see summary.KnobView), in
// the order of resultset.Axes(). "sync" is listed when it varies.
func varyingParams(sums []*summary.Summary) []string { return summary.NewKnobView(sums).Varying }

// fixedParams describes the parameters that do not vary, as
// "name=value (strategies)", in the order of resultset.Axes(). Values keys
// leave out (prealloc "none") are left out here too.
func fixedParams(sums []*summary.Summary) []string {
	varying := map[string]bool{}
	for _, v := range varyingParams(sums) {
		varying[v] = true
	}
	type entry struct {
		value      string
		strategies map[string]bool
	}
	found := map[string]*entry{}
	allStrategies := map[string]bool{}
	for _, s := range sums {
		allStrategies[s.Cell.Strategy] = true
		for _, p := range s.Cell.Params() {
			if varying[p.Name] {
				continue
			}
			e := found[p.Name]
			if e == nil {
				e = &entry{value: p.Value, strategies: map[string]bool{}}
				found[p.Name] = e
			}
			e.strategies[s.Cell.Strategy] = true
		}
	}
	var out []string
	for _, a := range resultset.Axes() {
		e := found[a.Name]
		if e == nil {
			continue
		}
		str := a.Name + "=" + e.value
		if len(e.strategies) < len(allStrategies) {
			str += " (" + strings.Join(sortedKeys(e.strategies), ", ") + ")"
		}
		out = append(out, str)
	}
	return out
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
