package main

import (
	"fmt"
	"strings"
	"testing"
)

// TestRun checks the ratios are paired by round: writebench is 0.9 of the
// loop in every round while both drift 10x across rounds, so the paired
// ratio is exactly 0.90 with a tight interval.
func TestRun(t *testing.T) {
	var in strings.Builder
	for k := 1; k <= 8; k++ {
		loop := 0.1 * float64(k) // drifting: 0.1 s .. 0.8 s
		fmt.Fprintf(&in, "case=drift tool=loop round=%d seconds=%g bytes=1000000000\n", k, loop)
		fmt.Fprintf(&in, "case=drift tool=wb round=%d seconds=%g bytes=1000000000 user=0.01 sys=%g\n", k, loop/0.9, 0.1*float64(k))
		fmt.Fprintf(&in, "case=drift tool=fio round=%d seconds=%g bytes=1000000000\n", k, loop/0.5)
	}
	in.WriteString("case=short tool=wb round=1 seconds=1 bytes=1000000\ncase=short tool=loop round=1 seconds=1 bytes=2000000\n")
	var out strings.Builder
	if err := run(strings.NewReader(in.String()), &out); err != nil {
		t.Fatal(err)
	}
	got := out.String()
	for _, want := range []string{
		"| drift | ", "| 0.90 [0.90, 0.90] | 0.50 [0.50, 0.50] | 1.80 [1.80, 1.80] |",
		"| drift | 0.010 + 0.450 | – | – |",
		"| short | 1.0 | – | 2.0 | 0.50 (1 rounds; an interval needs 6) | – | – |",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("output lacks %q:\n%s", want, got)
		}
	}
}

// TestRunReported counts, per tool, the runs during which memory went back
// to the host, and prints no such table when no sample says.
func TestRunReported(t *testing.T) {
	in := "case=a tool=wb round=1 seconds=1 bytes=1 reported=0\n" +
		"case=a tool=wb round=2 seconds=1 bytes=1 reported=4096\n" +
		"case=a tool=fio round=1 seconds=1 bytes=1 reported=0\n" +
		"case=a tool=loop round=1 seconds=1 bytes=1\n"
	var out strings.Builder
	if err := run(strings.NewReader(in), &out); err != nil {
		t.Fatal(err)
	}
	if want := "| a | 1 of 2 | 0 of 1 | – |"; !strings.Contains(out.String(), want) {
		t.Errorf("output lacks %q:\n%s", want, out.String())
	}
	out.Reset()
	if err := run(strings.NewReader("case=a tool=wb round=1 seconds=1 bytes=1\n"), &out); err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out.String(), "free page reporting") {
		t.Errorf("a table of reporting without any reported= sample:\n%s", out.String())
	}
}

func TestRunBadInput(t *testing.T) {
	for _, in := range []string{"", "no samples here\n", "case=a tool=wb round=1 seconds=0 bytes=1\n", "case=a tool=wb round=x seconds=1 bytes=1\n"} {
		if err := run(strings.NewReader(in), &strings.Builder{}); err == nil {
			t.Errorf("run(%q) succeeded", in)
		}
	}
}
