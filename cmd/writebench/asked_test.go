package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/writebench/writebench/resultset"
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

// writeReturned matches the end of a strace line of a call that returned
// recordBytes.
var writeReturned = regexp.MustCompile(`\)\s+= ` + recordBytes + `\s*$`)

// straceWrites runs writebench args under strace in a child process and
// returns the number of write/pwrite64 calls of recordBytes bytes, stdout
// and the saved set (args must hold --out).
func straceWrites(t *testing.T, out string, args ...string) (int, string, *resultset.Set) {
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
		// strace pads short lines before " = ".
		if strings.Contains(line, "write") && writeReturned.MatchString(line) {
			n++
		}
	}
	set, err := resultset.Load(out)
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
	set, err := resultset.Load(out)
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

// runChild runs writebench args in a child process with working directory
// wd and returns the exit status, stdout and stderr.
func runChild(t *testing.T, wd string, args ...string) (int, string, string) {
	t.Helper()
	cmd, stderr := writebenchCmd(t, nil, args...)
	cmd.Dir = wd
	var stdout bytes.Buffer
	cmd.Stdout = &stdout
	err := cmd.Run()
	return exitStatus(t, err), stdout.String(), stderr.String()
}

// TestDefaultScratchInCurrentDirectory: without --dir the scratch
// directory is made in the current directory (the set records it), is gone
// after the run, and the safety rules hold there: a stale scratch
// directory of a dead process is named, not removed, and a user's
// entries named like scratch directories are left alone.
func TestDefaultScratchInCurrentDirectory(t *testing.T) {
	wd := t.TempDir()
	out := filepath.Join(t.TempDir(), "set.json")
	stale := filepath.Join(wd, ".writebench-scratch-stale")
	mustMkdir(t, stale)
	mustWrite(t, filepath.Join(stale, ".writebench-scratch"), "999999999\n") // no such process
	mustWrite(t, filepath.Join(stale, "f0"), "a dead run's file")
	mustMkdir(t, filepath.Join(wd, ".writebench-scratch-user"))
	mustWrite(t, filepath.Join(wd, ".writebench-scratch-user", "keep"), "the user's")
	mustWrite(t, filepath.Join(wd, "data.txt"), "the user's")

	code, stdout, stderr := runChild(t, wd, append(append([]string{}, smallCell...), "--repeat", "2", "--out", out)...)
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, stderr)
	}
	set, err := resultset.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if real, _ := filepath.EvalSymlinks(wd); set.Env.Dir != real {
		t.Errorf("scratch went under %q, want the current directory %q", set.Env.Dir, real)
	}
	if !strings.Contains(stderr, "stale scratch directory") || !strings.Contains(stderr, ".writebench-scratch-stale") {
		t.Errorf("the stale scratch directory is not named:\n%s", stderr)
	}
	entries, _ := os.ReadDir(wd)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if got := strings.Join(names, " "); got != ".writebench-scratch-stale .writebench-scratch-user data.txt" {
		t.Errorf("current directory after the run holds %q, want only what was there before", got)
	}
	for _, f := range []string{filepath.Join(stale, "f0"), filepath.Join(wd, ".writebench-scratch-user", "keep")} {
		if _, err := os.Stat(f); err != nil {
			t.Errorf("%s was touched: %v", f, err)
		}
	}
	if !strings.Contains(stdout, "set: ") && !strings.Contains(stdout, "repetitions") {
		t.Errorf("no summary:\n%s", stdout)
	}
}

// TestMemoryScratchWarned: a --dir on tmpfs is named as memory in a plain
// warning (run and --dry-run) and in the header, never as "tmpfs on tmpfs".
func TestMemoryScratchWarned(t *testing.T) {
	dir := t.TempDir()
	if !onTmpfs(dir) {
		if !onTmpfs("/dev/shm") {
			t.Skip("no tmpfs directory here (neither TMPDIR nor /dev/shm is on tmpfs)")
		}
		sub, err := os.MkdirTemp("/dev/shm", "writebench-test-")
		if err != nil {
			t.Skipf("cannot write to /dev/shm: %v", err)
		}
		t.Cleanup(func() { os.RemoveAll(sub) })
		dir = sub
	}
	out := filepath.Join(t.TempDir(), "set.json")
	code, stdout, stderr := runCLI(t, append(append([]string{}, smallCell...), "--repeat", "2", "--dir", dir, "--out", out)...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	if !strings.Contains(stderr, "is on tmpfs: its files live in memory, so this measures memory, not a disk") {
		t.Errorf("no memory warning on stderr:\n%s", stderr)
	}
	if !strings.Contains(stdout, "tmpfs (memory, not a disk)") || strings.Contains(stdout, "tmpfs on tmpfs") {
		t.Errorf("header does not name tmpfs as memory:\n%s", stdout)
	}
	_, dry, _ := runCLI(t, append(append([]string{}, smallCell...), "--dir", dir, "--dry-run")...)
	if !strings.Contains(dry, "this measures memory, not a disk") {
		t.Errorf("--dry-run does not warn about tmpfs:\n%s", dry)
	}
}

// TestHeaderCountsHostCores: a process bound to one CPU of a host with
// more (as mpirun binds a rank) reports the host's cores and the usable
// ones, not "1 cores".
func TestHeaderCountsHostCores(t *testing.T) {
	taskset, err := exec.LookPath("taskset")
	if err != nil {
		t.Skip("taskset not found (util-linux): cannot bind a process to one CPU")
	}
	online, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil || strings.TrimSpace(string(online)) == "0" {
		t.Skip("a single-CPU host: nothing to tell apart")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "set.json")
	cmd := exec.Command(taskset, append([]string{"-c", "0", os.Args[0], "-test.run=^TestHelperMain$", "--"},
		append(append([]string{}, smallCell...), "--repeat", "2", "--dir", dir, "--out", out)...)...)
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	stdout, err := cmd.Output()
	if err != nil {
		t.Fatalf("taskset -c 0 writebench: %v", err)
	}
	set, err := resultset.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if set.Env.Cores != 1 || set.Env.HostCores < 2 {
		t.Errorf("set records cores %d, host_cores %d; want 1 usable of the host's %d+", set.Env.Cores, set.Env.HostCores, 2)
	}
	if want := "cores, 1 usable by the process)"; !strings.Contains(string(stdout), want) {
		t.Errorf("header lacks %q:\n%s", want, stdout)
	}
}

// onTmpfs reports whether dir is on tmpfs.
func onTmpfs(dir string) bool {
	var st unix.Statfs_t
	return unix.Statfs(dir, &st) == nil && st.Type == unix.TMPFS_MAGIC
}

func mustMkdir(t *testing.T, p string) {
	t.Helper()
	if err := os.Mkdir(p, 0o755); err != nil {
		t.Fatal(err)
	}
}

func mustWrite(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestDryRunWarnsUnreachableVerdict: --dry-run says when the budget cannot
// give every cell the rounds a verdict needs, and which budget would; and
// when --repeat alone is too few for any verdict.
func TestDryRunWarnsUnreachableVerdict(t *testing.T) {
	dir := t.TempDir()
	base := []string{"run", "--strategies", "bufio,chunked", "--files", "64", "--sizes", "1MiB", "--dir", dir, "--dry-run"}
	code, out, errs := runCLI(t, append(base, "--budget", "100ms")...)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !regexp.MustCompile(`warning: --budget 100ms cannot reach the 7 rounds every cell needs before a verdict \(estimated [^)]+\): --budget \S+ would`).MatchString(out) {
		t.Errorf("no unreachable-budget warning with a suggestion:\n%s", out)
	}
	_, out, _ = runCLI(t, append(base, "--repeat", "3")...)
	if !strings.Contains(out, "warning: --repeat 3 is fewer than the 6 rounds a verdict needs") {
		t.Errorf("no too-few-rounds warning:\n%s", out)
	}
	_, out, _ = runCLI(t, append(base, "--repeat", "8")...)
	if strings.Contains(out, "warning:") {
		t.Errorf("a sweep of 8 fixed rounds warned:\n%s", out)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("--dry-run left %d entries under --dir", len(entries))
	}
}

// TestDefaultScratchReadOnly: a current directory that cannot take the
// scratch directory is a usage error naming --dir and the directory, with
// nothing written.
func TestDefaultScratchReadOnly(t *testing.T) {
	wd := t.TempDir()
	if err := unix.Mount("writebench-test", wd, "tmpfs", unix.MS_RDONLY, "size=1m"); err != nil {
		t.Skipf("cannot mount a read-only tmpfs here (needs root): %v", err)
	}
	t.Cleanup(func() { unix.Unmount(wd, 0) })
	out := filepath.Join(t.TempDir(), "set.json")
	code, _, stderr := runChild(t, wd, append(append([]string{}, smallCell...), "--repeat", "2", "--out", out)...)
	if code != 2 || !strings.Contains(stderr, "--dir: the current directory, where the scratch directory goes by default, cannot be used: "+wd) {
		t.Errorf("exit %d, stderr %q; want 2 and a line naming --dir and %s", code, stderr, wd)
	}
	if _, err := os.Stat(out); err == nil {
		t.Error("a set was written")
	}
}
