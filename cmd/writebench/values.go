package main

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/spf13/pflag"

	"github.com/writebench/writebench/internal/textfmt"
	"github.com/writebench/writebench/resultset"
)

// Comma-separated list flags as pflag.Values, so "--sizes 4KiB,1MiB" is
// parsed and checked at flag-parsing time with an error naming the flag.

type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }
func (l *stringList) Type() string   { return "list" }
func (l *stringList) Set(s string) error {
	v, err := textfmt.ParseList(s)
	if err != nil {
		return err
	}
	*l = v
	return nil
}

// axisFlag is the flag of one sweep axis (resultset.Axes()): a
// comma-separated list parsed as the axis's kind (sizes in IEC units,
// counts, names). Ranges and names are checked by the runner's Validate, so
// every check of an axis lives in one place and names the same flag.
type axisFlag struct {
	axis *resultset.Axis
	vals []string // as given, one per list element
	nums []int64  // parsed, for numeric axes
}

var _ pflag.Value = (*axisFlag)(nil)

func (f *axisFlag) String() string { return strings.Join(f.vals, ",") }

func (f *axisFlag) Type() string {
	switch f.axis.Kind {
	case resultset.KindSize:
		return "sizes"
	case resultset.KindCount:
		return "ints"
	}
	return "list"
}

func (f *axisFlag) Set(s string) error {
	vals, err := textfmt.ParseList(s)
	if err != nil {
		return err
	}
	var nums []int64
	for _, v := range vals {
		switch f.axis.Kind {
		case resultset.KindSize:
			n, err := textfmt.ParseSize(v)
			if err != nil {
				return err
			}
			nums = append(nums, n)
		case resultset.KindCount:
			n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
			if err != nil {
				return fmt.Errorf("%q is not a whole number", v)
			}
			nums = append(nums, n)
		}
	}
	f.vals, f.nums = vals, nums
	return nil
}

// memoryLimitFlag is --memory-limit: a size (the memory the largest cell
// may need) or "off" (no memory check); unset, the machine's figure.
type memoryLimitFlag struct{ v int64 }

var _ pflag.Value = (*memoryLimitFlag)(nil)

func (f *memoryLimitFlag) String() string {
	switch {
	case f.v < 0:
		return "off"
	case f.v == 0:
		return ""
	}
	return resultset.FormatIEC(uint64(f.v))
}

func (f *memoryLimitFlag) Type() string { return "size|off" }

func (f *memoryLimitFlag) Set(s string) error {
	if strings.TrimSpace(s) == "off" {
		f.v = -1
		return nil
	}
	n, err := textfmt.ParseSize(s)
	if err != nil {
		return fmt.Errorf("%v (a size such as 2GiB, or off)", err)
	}
	if n <= 0 {
		return fmt.Errorf("%q: give a size above 0, or off", s)
	}
	f.v = n
	return nil
}
