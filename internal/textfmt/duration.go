package textfmt

import (
	"math"
	"strconv"
)

// Duration formats seconds with a unit and three significant digits:
// "850ns", "12.3µs", "1.20ms", "2.50s", "1234s". Every text writebench
// prints (tables, pages, dry runs, A/B verdicts) writes durations with it.
func Duration(sec float64) string {
	switch a := math.Abs(sec); {
	case a == 0:
		return "0s"
	case a < 1e-6:
		return Scaled(sec*1e9, []string{"ns"})
	case a < 1e-3:
		return Scaled(sec*1e6, []string{"µs"})
	case a < 1:
		return Scaled(sec*1e3, []string{"ms"})
	}
	return Scaled(sec, []string{"s"})
}

// Scaled writes v with three significant digits, divided by 1000 for each
// prefix it moves along (the last one takes any larger value): Scaled(12345,
// ["", "k", "M"]) is "12.3k".
func Scaled(v float64, prefixes []string) string {
	i := 0
	for math.Abs(v) >= 999.5 && i < len(prefixes)-1 {
		v /= 1000
		i++
	}
	var num string
	switch a := math.Abs(v); {
	case a >= 99.95:
		num = strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 9.995:
		num = strconv.FormatFloat(v, 'f', 1, 64)
	default:
		num = strconv.FormatFloat(v, 'f', 2, 64)
	}
	return num + prefixes[i]
}
