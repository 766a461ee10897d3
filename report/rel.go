package report

import (
	"math"
	"slices"
	"strings"

	"github.com/writebench/writebench/internal/textfmt"
	"github.com/writebench/writebench/report/summary"
)

// relText is the "vs fastest" of a summary: "fastest", "0.93×", a ratio
// per group for a cell in several ("0.93× / 0.80×"), "-" when it is not
// compared; a contender that stopped before its reference says after how
// many rounds ("0.42× (7 rounds)").
func relText(s *summary.Summary) string {
	if len(s.Ratios) == 0 {
		return "-"
	}
	var parts []string
	for _, r := range s.Ratios {
		switch {
		case r.Fastest:
			parts = append(parts, "fastest")
		case math.IsNaN(r.Ratio) || !(r.Ratio > 0):
			parts = append(parts, "-")
		default:
			parts = append(parts, ratioText(r.Ratio))
		}
	}
	if len(slices.Compact(slices.Clone(parts))) == 1 {
		parts = parts[:1] // the same in every group
	}
	t := strings.Join(parts, " / ")
	if s.Rounds > 0 && s.Rounds < s.RefRounds {
		t += " (" + textfmt.Plural(s.Rounds, "round") + ")"
	}
	return t
}
