// Package textfmt parses the sizes, counts and lists writebench reads from
// flags and preset knobs ("4KiB", "1,16,64"), formats percentages and
// plurals, and renders the {field} references of configuration errors
// (FieldRefs). Sizes are binary: 4K and 4KiB are both 4096 bytes.
package textfmt

import (
	"errors"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParseSize parses a byte size: plain bytes ("4096", "4096B") or an integer
// with an IEC unit ("4KiB", "1MiB", "2GiB", "1TiB"; the unit is
// case-insensitive). Decimal units (KB, MB) and bare K/M/G are refused
// because they are ambiguous; so are fractions and negative numbers.
func ParseSize(s string) (int64, error) {
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, errors.New("empty size")
	}
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	num, unit := t[:i], strings.ToLower(strings.TrimSpace(t[i:]))
	if num == "" {
		if strings.HasPrefix(t, "-") {
			return 0, fmt.Errorf("negative size %q", s)
		}
		return 0, fmt.Errorf("size %q does not start with a number", s)
	}
	n, err := strconv.ParseInt(num, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	var shift uint
	switch unit {
	case "", "b":
	case "kib":
		shift = 10
	case "mib":
		shift = 20
	case "gib":
		shift = 30
	case "tib":
		shift = 40
	case "pib":
		shift = 50
	default:
		if strings.HasPrefix(unit, ".") {
			return 0, fmt.Errorf("size %q: fractions are not accepted, use a smaller unit", s)
		}
		switch unit {
		case "k", "kb", "m", "mb", "g", "gb", "t", "tb":
			return 0, fmt.Errorf("size %q: ambiguous unit %q, use IEC units (KiB, MiB, GiB, TiB) or plain bytes", s, t[i:])
		}
		return 0, fmt.Errorf("size %q: unknown unit %q (use B, KiB, MiB, GiB, TiB or PiB)", s, t[i:])
	}
	if n > math.MaxInt64>>shift {
		return 0, fmt.Errorf("size %q is too large", s)
	}
	return n << shift, nil
}

// ParseList splits a comma-separated list, refusing empty lists and empty
// items ("1,,2").
func ParseList(s string) ([]string, error) {
	if strings.TrimSpace(s) == "" {
		return nil, errors.New("empty list")
	}
	parts := strings.Split(s, ",")
	for i, p := range parts {
		parts[i] = strings.TrimSpace(p)
		if parts[i] == "" {
			return nil, fmt.Errorf("empty item in list %q", s)
		}
	}
	return parts, nil
}
