package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/writebench/writebench/report"
)

// These tests check that what runs is what was asked for and what the
// header, --dry-run and the saved set say ran: counted by the kernel
// (strace counts the write calls) where a count of repetitions matters.

// smallCell is one cell whose every repetition makes exactly recordsPerRep
// write(2) calls of recordBytes bytes each, a size no other write of the
// process has (unbuffered writes record by record).
var smallCell = []string{"run", "--strategies", "unbuffered", "--files", "1", "--sizes", "30000", "--record", "3000", "--progress", "never"}

const (
	recordBytes   = "3000"
	recordsPerRep = 10
)

// straceWrites runs writebench args under strace in a child process and
// returns the number of write/pwrite64 calls of recordBytes bytes, stdout
// and the saved set (args must hold --out).
func straceWrites(t *testing.T, out string, args ...string) (int, string, *report.Set) {
	t.Helper()
	strace, err := exec.LookPath("strace")
	if err != nil {
		t.Skip("strace not found in PATH (apt-get install strace): the write calls cannot be counted")
	}
	trace := filepath.Join(t.TempDir(), "trace")
	cmd := exec.Command(strace, append([]string{"-f", "-o", trace, "-e", "trace=write,pwrite64",
		os.Args[0], "-test.run=^TestHelperMain$", "--"}, args...)...)
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		if strings.Contains(stderr.String(), "ptrace") || strings.Contains(stderr.String(), "PTRACE") {
			t.Skipf("strace cannot trace here: %s", stderr.String())
		}
		t.Fatalf("writebench %v: %v\n%s", args, err, stderr.String())
	}
	data, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	for _, line := range strings.Split(string(data), "\n") {
		// "write(5, ..., 3000) = 3000", or split by another thread's call
		// into "write(5, ... <unfinished ...>" and "<... write resumed>) = 3000".
		if strings.Contains(line, "write") && strings.HasSuffix(strings.TrimSpace(line), ") = "+recordBytes) {
			n++
		}
	}
	set, err := report.Load(out)
	if err != nil {
		t.Fatalf("load %s: %v", out, err)
	}
	return n, stdout.String(), set
}

// TestWarmupZeroRunsNoUncountedRepetition: with --warmup 0 the kernel sees
// exactly the writes of the counted repetitions; the first of them is one
// batch (it calibrates the batches per sample), the rest run the
// calibrated number of batches each. The header, --dry-run and the set
// agree that nothing ran uncounted.
func TestWarmupZeroRunsNoUncountedRepetition(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "set.json")
	args := append(append([]string{}, smallCell...), "--repeat", "3", "--warmup", "0", "--dir", dir, "--out", out)
	writes, stdout, set := straceWrites(t, out, args...)
	c := set.Results[0]
	if len(c.Seconds) != 3 {
		t.Fatalf("%d counted samples, want 3", len(c.Seconds))
	}
	loops := max(c.Loops, 1)
	want := recordsPerRep * (1 + 2*loops)
	if writes != want {
		t.Errorf("strace counted %d writes of %s bytes, want %d (3 counted repetitions, no warm-up, %d batches per sample after the first)",
			writes, recordBytes, want, loops)
	}
	if set.Env.Warmup != 0 || set.Env.Repeat != 3 || set.Env.BudgetSeconds != 0 {
		t.Errorf("set says warmup %d, repeat %d, budget %vs; want 0, 3, 0", set.Env.Warmup, set.Env.Repeat, set.Env.BudgetSeconds)
	}
	if !strings.Contains(stdout, "3 repetitions, no warm-up") {
		t.Errorf("header does not say \"3 repetitions, no warm-up\":\n%s", stdout)
	}
	code, dry, errs := runCLI(t, append(append([]string{}, smallCell...), "--repeat", "3", "--warmup", "0", "--dir", dir, "--dry-run")...)
	if code != 0 {
		t.Fatalf("--dry-run: exit %d: %s", code, errs)
	}
	if !strings.Contains(dry, "1 cell, 3 counted repetitions per cell") || strings.Contains(dry, "uncounted") {
		t.Errorf("--dry-run does not plan 3 counted and no uncounted repetitions:\n%s", dry)
	}
}

// TestWarmupAndRepeatCountedByStrace: without --min-sample every
// repetition is one batch, so the kernel sees exactly
// (warmup + repeat) × the writes of one batch.
func TestWarmupAndRepeatCountedByStrace(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "set.json")
	args := append(append([]string{}, smallCell...), "--repeat", "2", "--warmup", "2", "--min-sample", "0", "--dir", dir, "--out", out)
	writes, stdout, set := straceWrites(t, out, args...)
	if want := recordsPerRep * (2 + 2); writes != want {
		t.Errorf("strace counted %d writes of %s bytes, want %d (2 warm-up + 2 counted repetitions)", writes, recordBytes, want)
	}
	if n := len(set.Results[0].Seconds); n != 2 || set.Env.Warmup != 2 {
		t.Errorf("set holds %d samples with warmup %d, want 2 and 2", n, set.Env.Warmup)
	}
	if !strings.Contains(stdout, "2 repetitions + 2 warm-up") {
		t.Errorf("header does not say \"2 repetitions + 2 warm-up\":\n%s", stdout)
	}
}

// TestRepeatWithoutBudgetRunsAllRounds: --repeat N without --budget runs N
// counted rounds although the preset has a budget (which would make
// sampling adaptive and stop a lone cell after --min-rounds).
func TestRepeatWithoutBudgetRunsAllRounds(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "set.json")
	code, stdout, errs := runCLI(t, append(append([]string{}, smallCell...), "--repeat", "9", "--dir", dir, "--out", out)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	set, err := report.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if n := len(set.Results[0].Seconds); n != 9 {
		t.Errorf("--repeat 9 ran %d counted rounds, want 9", n)
	}
	if set.Env.BudgetSeconds != 0 || set.Env.Repeat != 9 {
		t.Errorf("set records budget %vs, repeat %d; want no budget, 9", set.Env.BudgetSeconds, set.Env.Repeat)
	}
	if !strings.Contains(stdout, "9 repetitions + 1 warm-up") {
		t.Errorf("header does not say \"9 repetitions + 1 warm-up\":\n%s", stdout)
	}
	// With --budget as well, --repeat is the cap of adaptive sampling.
	code, dry, errs := runCLI(t, append(append([]string{}, smallCell...), "--repeat", "9", "--budget", "10s", "--dir", dir, "--dry-run")...)
	if code != 0 || !strings.Contains(dry, "7 to 9 counted repetitions (adaptive") {
		t.Errorf("--repeat 9 --budget 10s: exit %d, dry run does not plan 7 to 9 adaptive rounds:\n%s%s", code, dry, errs)
	}
}
