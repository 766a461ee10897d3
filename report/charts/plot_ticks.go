package charts

import (
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
)

// compact formats v with at most three significant digits and no trailing
// zeros, scaled by 1000 into prefixes: compact(5e9, " B/s", " kB/s",
// " MB/s", " GB/s") is "5 GB/s", not "5.00k MB/s".
func compact(v float64, prefixes ...string) string {
	i := 0
	for math.Abs(v) >= 999.5 && i < len(prefixes)-1 {
		v /= 1000
		i++
	}
	r := math.Abs(v)
	if r >= 999.5 { // beyond the largest prefix
		return strconv.FormatFloat(v, 'f', 0, 64) + prefixes[i]
	}
	// Three significant digits, without an exponent.
	digits := 2
	switch {
	case r >= 99.95:
		digits = 0
	case r >= 9.995:
		digits = 1
	case r < 0.9995 && r > 0:
		digits = 2 - int(math.Floor(math.Log10(r)))
	}
	s := strconv.FormatFloat(v, 'f', digits, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	return s + prefixes[i]
}

// rateTick labels bytes per second in decimal units: "500 MB/s", "5 GB/s".
func rateTick(v float64) string { return compact(v, " B/s", " kB/s", " MB/s", " GB/s", " TB/s") }

// countTick labels a count: "50", "2k", "1.5M".
func countTick(v float64) string { return compact(v, "", "k", "M", "G", "T") }

// durationTick labels seconds: "500 µs", "2 ms", "1.5 s".
func durationTick(sec float64) string {
	switch a := math.Abs(sec); {
	case a == 0:
		return "0"
	case a < 1e-6:
		return compact(sec*1e9, " ns")
	case a < 1e-3:
		return compact(sec*1e6, " µs")
	case a < 1:
		return compact(sec*1e3, " ms")
	}
	return compact(sec, " s")
}

// padLog widens [lo, hi] by factor f on a log scale, and by 2x each way
// when lo == hi so a single point sits mid-axis.
func padLog(lo, hi, f float64) (float64, float64) {
	if lo == hi {
		return lo / 2, hi * 2
	}
	return lo / f, hi * f
}

// niceLogRange returns the range of a log axis that holds [lo, hi] (both
// > 0) with a little room and ends on labelled ticks of logTicks, so every
// value lies within the labelled range: powers of ten when that labels at
// least three of them, else values of the 1-2-5 sequence.
func niceLogRange(lo, hi float64) (float64, float64) {
	lo, hi = padLog(lo, hi, 1.15)
	plo := math.Pow(10, math.Floor(math.Log10(lo)))
	phi := math.Pow(10, math.Ceil(math.Log10(hi)))
	if math.Round(math.Log10(phi/plo)) >= 2 {
		return plo, phi
	}
	return floor125(lo), ceil125(hi)
}

var steps125 = []float64{1, 2, 5, 10}

// floor125 is the largest value of the 1-2-5 sequence (…, 0.5, 1, 2, 5,
// 10, …) not above v.
func floor125(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	out := p
	for _, m := range steps125 {
		if m*p <= v*(1+1e-12) {
			out = m * p
		}
	}
	return out
}

// ceil125 is the smallest value of the 1-2-5 sequence not below v.
func ceil125(v float64) float64 {
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range steps125 {
		if m*p >= v*(1-1e-12) {
			return m * p
		}
	}
	return 10 * p
}

// pow2Ticks marks powers of two, labelled by label (e.g. 4KiB, 1MiB),
// thinning labels to keep at most about 6. When data holds at most 8
// values, exactly those are labelled.
type pow2Ticks struct {
	label func(float64) string
	data  map[float64]bool
}

func (t pow2Ticks) Ticks(min, max float64) []plot.Tick {
	if !(min > 0) || !(max >= min) || math.IsInf(max, 0) {
		return nil
	}
	lo := int(math.Ceil(math.Log2(min)))
	hi := int(math.Floor(math.Log2(max)))
	step := 1
	for (hi-lo)/step+1 > 6 {
		step *= 2
	}
	useData := len(t.data) > 0 && len(t.data) <= 8
	var ticks []plot.Tick
	if useData {
		for _, v := range sortedKeysOf(t.data) {
			if v >= min && v <= max && v != math.Exp2(math.Round(math.Log2(v))) {
				ticks = append(ticks, plot.Tick{Value: v, Label: t.label(v)})
			}
		}
	}
	for e := lo; e <= hi; e++ {
		v := math.Exp2(float64(e))
		tk := plot.Tick{Value: v}
		if (useData && t.data[v]) || (!useData && (e-lo)%step == 0) {
			tk.Label = t.label(v)
		}
		ticks = append(ticks, tk)
	}
	if len(ticks) == 0 { // range within one octave: label the ends
		ticks = append(ticks, plot.Tick{Value: min, Label: t.label(min)}, plot.Tick{Value: max, Label: t.label(max)})
	}
	return ticks
}

// countTicks labels the data values of a count axis (concurrency 1, 2, 10,
// 100) when there are at most 8 of them, else the ticks of logTicks.
type countTicks struct{ data map[float64]bool }

func (t countTicks) Ticks(min, max float64) []plot.Tick {
	if !(min > 0) || !(max >= min) || math.IsInf(max, 0) {
		return nil
	}
	if len(t.data) == 0 || len(t.data) > 8 {
		return logTicks{}.Ticks(min, max)
	}
	var ticks []plot.Tick
	for _, v := range sortedKeysOf(t.data) {
		if v >= min && v <= max {
			ticks = append(ticks, plot.Tick{Value: v, Label: countTick(v)})
		}
	}
	for _, tk := range (logTicks{}).Ticks(min, max) {
		if !t.data[tk.Value] {
			ticks = append(ticks, plot.Tick{Value: tk.Value}) // minor
		}
	}
	return ticks
}

// logTicks labels powers of ten, or 1-2-5 steps when the range spans fewer
// than three decades, or every integer multiple when even that gives fewer
// than two labels; plot.LogTicks can leave a narrow axis without labels.
// label formats a value (countTick when nil).
type logTicks struct{ label func(float64) string }

func (t logTicks) Ticks(min, max float64) []plot.Tick {
	if !(min > 0) || !(max >= min) || math.IsInf(max, 0) {
		return nil
	}
	label := t.label
	if label == nil {
		label = countTick
	}
	lo := int(math.Floor(math.Log10(min)))
	hi := int(math.Ceil(math.Log10(max)))
	// Tolerate rounding at the ends: an axis from log10(200) back to 200
	// may come out as 199.99999.
	eps := 1e-9
	gen := func(labelled func(m int) bool) ([]plot.Tick, int) {
		var ticks []plot.Tick
		n := 0
		for e := lo; e <= hi; e++ {
			for m := 1; m <= 9; m++ {
				v := float64(m) * math.Pow(10, float64(e))
				if v < min*(1-eps) || v > max*(1+eps) {
					continue
				}
				tk := plot.Tick{Value: v}
				if labelled(m) {
					tk.Label = label(v)
					n++
				}
				ticks = append(ticks, tk)
			}
		}
		return ticks, n
	}
	for _, rule := range []func(int) bool{
		func(m int) bool { return m == 1 },
		func(m int) bool { return m == 1 || m == 2 || m == 5 },
		func(m int) bool { return true },
	} {
		ticks, n := gen(rule)
		if n >= 3 || (n >= 2 && rule(3)) {
			return ticks
		}
	}
	ticks, _ := gen(func(int) bool { return true })
	return append(ticks, plot.Tick{Value: min, Label: label(min)}, plot.Tick{Value: max, Label: label(max)})
}

// log10Axis marks a linear axis that holds log10 of the data with the
// ticks of logTicks, labelled in data values by label.
type log10Axis struct{ label func(float64) string }

func (a log10Axis) Ticks(min, max float64) []plot.Tick {
	ticks := logTicks(a).Ticks(math.Pow(10, min), math.Pow(10, max))
	for i := range ticks {
		// Clamp the ends, which may differ from the axis bounds by rounding.
		ticks[i].Value = math.Min(math.Max(math.Log10(ticks[i].Value), min), max)
	}
	return ticks
}

// sortedKeysOf returns the values of a tick set in increasing order: ranging
// over the map itself would order the ticks, and so the SVG a chart is
// written as, differently on every render of the same set.
func sortedKeysOf(m map[float64]bool) []float64 {
	return slices.Sorted(maps.Keys(m))
}
