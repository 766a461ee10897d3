package writebench

import (
	"slices"
	"testing"

	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies"
)

// TestModeListsAgree: the sync and prealloc modes are one list each, the
// axis table's; the typed modes of strategies must be exactly its names, and
// every knob of strategies.Params must be an axis that is a Cell field.
func TestModeListsAgree(t *testing.T) {
	for _, tc := range []struct {
		axis string
		got  []string
	}{
		{"sync", toStrings(strategies.SyncModes())},
		{"prealloc", toStrings(strategies.PreallocModes())},
	} {
		if want := resultset.AxisByName(tc.axis).Names; !slices.Equal(tc.got, want) {
			t.Errorf("strategies' %s modes %q, the axis table's %q", tc.axis, tc.got, want)
		}
	}
	for _, n := range strategies.ParamNames() {
		a := resultset.AxisByName(n)
		if a == nil {
			t.Errorf("Params knob %q has no axis", n)
			continue
		}
		var c resultset.Cell
		a.Set(&c, 7, "x") // panics when the Cell has no such field
		var p strategies.Params
		if n, s := a.Get(&c); a.Kind == resultset.KindName {
			p.Set(a.Name, s)
		} else {
			p.SetInt(a.Name, n)
		}
		if v, _ := p.Get(a.Name); v != "7" && v != "x" {
			t.Errorf("knob %s: the cell's value did not reach Params (%q)", a.Name, v)
		}
	}
}

func toStrings[T ~string](xs []T) []string {
	out := make([]string, len(xs))
	for i, x := range xs {
		out[i] = string(x)
	}
	return out
}
