package textfmt

import (
	"fmt"
	"math"
	"strconv"
)

// Percent formats a fraction as a percentage: "+50.0%", "-3.2%", or
// "5%" when signed is false. NaN is "-", +Inf "+∞".
func Percent(f float64, signed bool) string {
	switch {
	case math.IsNaN(f):
		return "-"
	case math.IsInf(f, 1):
		return "+∞"
	case math.IsInf(f, -1):
		return "-∞"
	}
	if !signed {
		return strconv.FormatFloat(100*f, 'f', -1, 64) + "%"
	}
	return fmt.Sprintf("%+.1f%%", 100*f)
}

// Noise formats a noise half-width fraction as "25%" or "2.5%".
func Noise(f float64) string {
	if math.IsInf(f, 1) {
		return "∞"
	}
	if 100*f < 10 {
		return strconv.FormatFloat(100*f, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(100*f, 'f', 0, 64) + "%"
}
