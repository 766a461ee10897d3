package main

import (
	"strconv"
	"strings"

	"github.com/writebench/writebench"
)

// Comma-separated list flags as pflag.Values, so "--sizes 4KiB,1MiB" is
// parsed and checked at flag-parsing time with an error naming the flag.

type stringList []string

func (l *stringList) String() string { return strings.Join(*l, ",") }
func (l *stringList) Type() string   { return "list" }
func (l *stringList) Set(s string) error {
	v, err := writebench.ParseList(s)
	if err != nil {
		return err
	}
	*l = v
	return nil
}

type intList []int

func (l *intList) String() string {
	s := make([]string, len(*l))
	for i, v := range *l {
		s[i] = strconv.Itoa(v)
	}
	return strings.Join(s, ",")
}
func (l *intList) Type() string { return "ints" }
func (l *intList) Set(s string) error {
	v, err := writebench.ParseIntList(s)
	if err != nil {
		return err
	}
	*l = v
	return nil
}

type sizeList []int64

func (l *sizeList) String() string {
	s := make([]string, len(*l))
	for i, v := range *l {
		s[i] = strconv.FormatInt(v, 10)
	}
	return strings.Join(s, ",")
}
func (l *sizeList) Type() string { return "sizes" }
func (l *sizeList) Set(s string) error {
	v, err := writebench.ParseSizeList(s)
	if err != nil {
		return err
	}
	*l = v
	return nil
}
