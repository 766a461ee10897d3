//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// limitUID is the uid the RLIMIT_NPROC tests run as: root ignores
// RLIMIT_NPROC, and the limit counts every task of the uid, so it is one
// no other test uses.
const limitUID = 47111

// limitedRun runs this test binary as writebench (TestHelperMain) with the
// resource limits of prlimit's limitArgs ("--nproc=16", "--as=..."), as
// uid limitUID through setpriv when asUser, and returns its exit status and
// stderr. The binary is copied where that uid can run it; dir is made
// writable for it.
func limitedRun(t *testing.T, asUser bool, limitArgs []string, dir string, args ...string) (int, string) {
	t.Helper()
	prlimit, err := exec.LookPath("prlimit")
	if err != nil {
		t.Skip("skipped: prlimit (util-linux) not installed")
	}
	argv := append([]string{prlimit}, limitArgs...)
	bin := os.Args[0]
	if asUser {
		if os.Geteuid() != 0 {
			t.Skip("skipped: needs root to run a child as another uid")
		}
		setpriv, err := exec.LookPath("setpriv")
		if err != nil {
			t.Skip("skipped: setpriv (util-linux) not installed")
		}
		bin = copyTestBinary(t, otherUserDir(t, "wb-limits-", 0o755))
		os.Chown(dir, limitUID, limitUID)
		os.Chmod(filepath.Dir(dir), 0o755)
		argv = append([]string{setpriv, fmt.Sprintf("--reuid=%d", limitUID), fmt.Sprintf("--regid=%d", limitUID), "--clear-groups"}, argv...)
	}
	argv = append(argv, bin, "-test.run=^TestHelperMain$", "--")
	cmd := exec.Command(argv[0], append(argv[1:], args...)...)
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	return exitStatus(t, cmd.Run()), stderr.String()
}

// nothingWritten fails t when dir holds anything or out exists.
func nothingWritten(t *testing.T, dir, out string) {
	t.Helper()
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("refused run left %v in --dir", names)
	}
	if _, err := os.Stat(out); err == nil {
		t.Errorf("refused run wrote --out %s", out)
	}
}

// oneLine fails t unless stderr is one line holding every want and no Go
// crash.
func oneLine(t *testing.T, stderr string, want ...string) {
	t.Helper()
	if n := strings.Count(strings.TrimSpace(stderr), "\n"); n != 0 || strings.Contains(stderr, "fatal error") || strings.Contains(stderr, "pthread_create") {
		t.Errorf("want one line, got %d more:\n%s", n, stderr)
	}
	for _, w := range want {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr does not name %q:\n%s", w, stderr)
		}
	}
}

// TestThreadLimitRefusedUpFront: under a low RLIMIT_NPROC (ulimit -u) for
// a non-root user, a cell of 64 workers that block in fsync is refused
// before anything is written, with one line naming the limit and
// --concurrency (the Go runtime used to abort with exit 134 when it could
// not create a thread, leaving the scratch directory); a cell that fits
// the same limit runs.
func TestThreadLimitRefusedUpFront(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "set.json")
	code, stderr := limitedRun(t, true, []string{"--nproc=16"}, dir,
		"run", "--strategies", "pool", "--concurrency", "64", "--files", "64", "--sizes", "64KiB", "--sync", "close",
		"--repeat", "2", "--warmup", "1", "--budget", "0", "--dir", dir, "--out", out, "--progress", "never")
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	oneLine(t, stderr, "RLIMIT_NPROC", "ulimit -u", "--concurrency")
	nothingWritten(t, dir, out)

	dir = t.TempDir()
	out = filepath.Join(dir, "set.json")
	code, stderr = limitedRun(t, true, []string{"--nproc=24"}, dir,
		"run", "--strategies", "pool", "--concurrency", "4", "--files", "4", "--sizes", "64KiB",
		"--repeat", "2", "--warmup", "0", "--budget", "0", "--dir", dir, "--out", out, "--progress", "never")
	if code != 0 {
		t.Errorf("a cell within RLIMIT_NPROC: exit %d, want 0; stderr:\n%s", code, stderr)
	}
}

// TestAddressLimitRefusedUpFront: under RLIMIT_AS (ulimit -v) a pool of
// 16 workers with 64 MiB buffers is refused before anything is written,
// naming the limit and the flags (it used to die in the allocator or the
// thread library, exit 134); a small cell runs under a limit it fits.
func TestAddressLimitRefusedUpFront(t *testing.T) {
	if raceEnabled {
		t.Skip("skipped under the race detector: its shadow memory cannot be mapped under RLIMIT_AS")
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "set.json")
	code, stderr := limitedRun(t, false, []string{fmt.Sprintf("--as=%d", 3<<30)}, dir,
		"run", "--strategies", "pool", "--concurrency", "16", "--chunk", "64MiB", "--files", "16", "--sizes", "64MiB",
		"--repeat", "1", "--warmup", "0", "--budget", "0", "--dir", dir, "--out", out, "--progress", "never")
	if code != 2 {
		t.Errorf("exit %d, want 2", code)
	}
	oneLine(t, stderr, "RLIMIT_AS", "ulimit -v", "--concurrency")
	nothingWritten(t, dir, out)

	dir = t.TempDir()
	out = filepath.Join(dir, "set.json")
	code, stderr = limitedRun(t, false, []string{fmt.Sprintf("--as=%d", 5<<29)}, dir,
		"run", "--strategies", "chunked", "--files", "1", "--sizes", "1MiB",
		"--repeat", "1", "--warmup", "0", "--budget", "0", "--dir", dir, "--out", out, "--progress", "never")
	if code != 0 {
		t.Errorf("a cell within RLIMIT_AS: exit %d, want 0; stderr:\n%s", code, stderr)
	}
}

// TestWorkerRefusesOversizedRequests: 'writebench worker' given a 1 TiB
// chunk, or a batch that needs far more memory than the machine has,
// replies "error ..." for each and exits 0 at the end of its input,
// writing nothing (it used to die in the allocator: "fatal error: out of
// memory").
func TestWorkerRefusesOversizedRequests(t *testing.T) {
	dir := t.TempDir()
	reqs := []string{
		"write\tprotocol=1\tstrategy=chunked\tdir=" + dir + "\tfiles=1\tsize=1099511627776\tchunk=1099511627776",
		"write\tprotocol=1\tstrategy=pool\tdir=" + dir + "\tfiles=100000\tsize=1073741824\tchunk=1073741824\tconcurrency=100000\tper_file=chunked",
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperMain$", "--", "worker")
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	cmd.Stdin = strings.NewReader(strings.Join(reqs, "\n") + "\n")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	code := exitStatus(t, cmd.Run())
	if code != 0 || strings.Contains(stderr.String(), "fatal error") {
		t.Fatalf("worker: exit %d, stderr:\n%s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSpace(stdout.String()), "\n")
	if len(lines) != 3 || !strings.HasPrefix(lines[0], "ready") {
		t.Fatalf("worker replied %q, want ready and two replies", lines)
	}
	for i, want := range []string{"chunk", "memory"} {
		if r := lines[i+1]; !strings.HasPrefix(r, "error ") || !strings.Contains(r, want) {
			t.Errorf("reply %d: %q, want an error naming %s", i+1, r, want)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("worker wrote %d entries for refused requests", len(ents))
	}
}
