//go:build linux

package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/writebench/writebench"
	"github.com/writebench/writebench/report"
	"github.com/writebench/writebench/resultset"
)

// These tests run writebench as a real child process (this test binary
// re-executed into TestHelperMain) so that real signals, a real fd limit
// and the real exit status are exercised.

const helperEnv = "WRITEBENCH_TEST_HELPER"

// TestHelperMain is not a test: in a child started by writebenchCmd it
// runs main's body with the arguments after "--" (with
// WRITEBENCH_TEST_SLOW_CLEANUP, it only waits for a signal and then takes
// 10 s to "clean up"). WRITEBENCH_TEST_NOFILE lowers
// the soft and hard RLIMIT_NOFILE first (Go raises the soft limit to the
// hard one at start-up, so only a lower hard limit sticks).
func TestHelperMain(t *testing.T) {
	if os.Getenv(helperEnv) != "1" {
		t.Skip("helper process for the child-process tests")
	}
	args := os.Args
	for i, a := range args {
		if a == "--" {
			args = args[i+1:]
			break
		}
	}
	if n := os.Getenv("WRITEBENCH_TEST_NOFILE"); n != "" {
		v, _ := strconv.ParseUint(n, 10, 64)
		if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: v, Max: v}); err != nil {
			os.Stderr.WriteString("setrlimit: " + err.Error() + "\n")
			os.Exit(3)
		}
	}
	if os.Getenv("WRITEBENCH_TEST_SLOW_CLEANUP") != "1" {
		os.Exit(mainExit(args, os.Stdout, os.Stderr))
	}
	ctx, stop := notifyContext(context.Background())
	defer stop()
	setSecondNote("the scratch directory S may be left behind")
	os.Stdout.WriteString("ready\n")
	<-ctx.Done()
	os.Stdout.WriteString("cancelled\n")
	time.Sleep(10 * time.Second) // a clean-up that takes long
	os.Exit(0)
}

// writebenchCmd returns a command running writebench with args in a child.
func writebenchCmd(t *testing.T, env []string, args ...string) (*exec.Cmd, *bytes.Buffer) {
	t.Helper()
	cmd := exec.Command(os.Args[0], append([]string{"-test.run=^TestHelperMain$", "--"}, args...)...)
	cmd.Env = append(append(os.Environ(), helperEnv+"=1"), env...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	return cmd, &stderr
}

func exitStatus(t *testing.T, err error) int {
	t.Helper()
	var ee *exec.ExitError
	if err == nil {
		return 0
	}
	if !errors.As(err, &ee) {
		t.Fatalf("child: %v", err)
	}
	return ee.ExitCode()
}

// waitForWriting waits until a scratch file under dir holds data, so the
// signal arrives in the middle of a cell.
func waitForWriting(t *testing.T, dir string, done <-chan error) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		files, _ := filepath.Glob(filepath.Join(dir, writebench.ScratchPrefix+"*", "d*", "l*", "f*"))
		for _, f := range files {
			if st, err := os.Stat(f); err == nil && st.Size() > 1<<20 {
				return
			}
		}
		select {
		case err := <-done:
			t.Fatalf("writebench ended before writing: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	t.Fatal("writebench did not start writing within 20s")
}

// TestSignalStopsRun sends a real SIGINT, SIGTERM, SIGHUP, SIGQUIT or
// SIGABRT to a run
// inside a 4 GiB cell written in 256-byte records (a minute of work): the
// child must exit 130 or 143 within seconds, remove its scratch directory
// and save a loadable result set marked incomplete with the signal.
func TestSignalStopsRun(t *testing.T) {
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
		name string
	}{{syscall.SIGINT, 130, "SIGINT"}, {syscall.SIGTERM, 143, "SIGTERM"}, {syscall.SIGHUP, 129, "SIGHUP"},
		{syscall.SIGQUIT, 131, "SIGQUIT"}, {syscall.SIGABRT, 134, "SIGABRT"}} {
		t.Run(tc.name, func(t *testing.T) {
			// A signal ignored by this process (SIGHUP under nohup) is
			// ignored by the child too, on purpose: writebench keeps
			// ignoring what it was started ignoring (TestNohupKeepsSIGHUPIgnored).
			if signal.Ignored(tc.sig) {
				t.Skipf("skipped: %s is ignored by the test process (started under nohup?), so the child ignores it too", tc.name)
			}
			dir, out := t.TempDir(), filepath.Join(t.TempDir(), "out.json")
			cmd, stderr := writebenchCmd(t, nil, "run", "--dir", dir, "--out", out, "--progress", "never",
				"--strategies", "unbuffered", "--files", "1", "--sizes", "4GiB", "--record", "256",
				"--repeat", "1", "--warmup", "0")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			// A failing test must not leave the child running (it would
			// outlive the test's directories and save its set elsewhere).
			t.Cleanup(func() { cmd.Process.Kill() })
			done := make(chan error, 1)
			go func() { done <- cmd.Wait() }()
			waitForWriting(t, dir, done)
			sent := time.Now()
			if err := cmd.Process.Signal(tc.sig); err != nil {
				t.Fatal(err)
			}
			var err error
			select {
			case err = <-done:
			case <-time.After(10 * time.Second):
				cmd.Process.Kill()
				<-done
				t.Fatalf("still running 10s after %v; stderr:\n%s", tc.sig, stderr)
			}
			took := time.Since(sent)
			if code := exitStatus(t, err); code != tc.code {
				t.Fatalf("exit %d after %v, want %d; stderr:\n%s", code, tc.sig, tc.code, stderr)
			}
			t.Logf("exited %v after %v", tc.code, took.Round(time.Millisecond))
			if !strings.Contains(stderr.String(), "writebench: interrupted by "+tc.name) ||
				!strings.Contains(stderr.String(), "INCOMPLETE") {
				t.Errorf("stderr does not say the run was interrupted:\n%s", stderr)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("--dir holds %d entries after the signal, want 0 (scratch removed)", len(entries))
			}
			set, err := resultset.Load(out)
			if err != nil {
				t.Fatalf("partial result set: %v", err)
			}
			if set.Complete || set.Interrupted != tc.name || len(set.Results) != 1 || set.Results[0].Failed() {
				t.Errorf("set complete=%v interrupted=%q results=%+v", set.Complete, set.Interrupted, set.Results)
			}
			if err := report.Render(&bytes.Buffer{}, []*resultset.Set{set}, []string{"out"}, "table"); err != nil {
				t.Errorf("render the partial set: %v", err)
			}
			assertNoTemp(t, filepath.Dir(out))
		})
	}
}

// TestSecondInterruptExitsAtOnce checks notifyContext in a real child: the
// first SIGINT cancels the context, and a second one, sent while the child
// is still busy cleaning up (here: a 10 s sleep), exits 130 at once.
func TestSecondInterruptExitsAtOnce(t *testing.T) {
	cmd, stderr := writebenchCmd(t, []string{"WRITEBENCH_TEST_SLOW_CLEANUP=1"})
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	lines := make(chan string, 2)
	go func() {
		buf := make([]byte, 256)
		for {
			n, err := stdout.Read(buf)
			if n > 0 {
				lines <- string(buf[:n])
			}
			if err != nil {
				close(lines)
				return
			}
		}
	}()
	expect := func(want string) {
		t.Helper()
		select {
		case l := <-lines:
			if !strings.Contains(l, want) {
				t.Fatalf("child said %q, want %q", l, want)
			}
		case <-time.After(10 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("child did not say %q; stderr:\n%s", want, stderr)
		}
	}
	expect("ready")
	cmd.Process.Signal(syscall.SIGINT)
	expect("cancelled")
	start := time.Now()
	cmd.Process.Signal(syscall.SIGINT)
	go func() { done <- cmd.Wait() }()
	select {
	case err = <-done:
	case <-time.After(5 * time.Second):
		cmd.Process.Kill()
		<-done
		t.Fatalf("still running 5s after the second SIGINT; stderr:\n%s", stderr)
	}
	if code := exitStatus(t, err); code != 130 || !strings.Contains(stderr.String(), "writebench: second interrupt, exiting at once (SIGINT); the scratch directory S may be left behind") {
		t.Fatalf("exit %d, stderr %q; want 130 and the second-interrupt line saying what is left undone", code, stderr)
	}
	t.Logf("exited %v after the second SIGINT", time.Since(start).Round(time.Millisecond))
}

// TestEMFILE runs semaphore and pool cells with 1000 files in flight under
// a hard fd limit of 40, next to the same cells at concurrency 2. Every
// file is fsynced before it is closed, so a goroutine holds its descriptor
// while it waits for the disk and the others open theirs. Whether a given
// cell crosses the limit depends on how long the fsyncs take (Go runs the
// goroutines a few at a time unless they block), so the test asks for at
// least one EMFILE among the six concurrency-1000 cells — every failure
// must be EMFILE with the hint — while every concurrency-2 cell runs; the
// scratch files are gone, the exit status is 1 and the result set is valid.
func TestEMFILE(t *testing.T) {
	dir, out := diskDir(t), filepath.Join(t.TempDir(), "out.json")
	cmd, stderr := writebenchCmd(t, []string{"WRITEBENCH_TEST_NOFILE=40"}, "run", "--dir", dir, "--out", out,
		"--progress", "never", "--strategies", "semaphore,pool", "--files", "300,301,302", "--sizes", "4096", "--sync", "close",
		"--concurrency", "1000,2", "--repeat", "1", "--warmup", "0", "--seed", "1")
	code := exitStatus(t, cmd.Run())
	if code == 3 {
		t.Skipf("skipped: cannot lower RLIMIT_NOFILE: %s", stderr)
	}
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	set, err := resultset.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	failed := 0
	for _, c := range set.Results {
		switch c.Concurrency {
		case 1000:
			if !c.Failed() {
				continue
			}
			failed++
			if !strings.Contains(c.Error, "too many open files (hint: too many open files in this process: lower --concurrency or raise the fd limit") {
				t.Errorf("%s: error %q, want EMFILE with the hint", c.Key(), c.Error)
			}
		case 2:
			if c.Failed() || len(c.Seconds) != 1 {
				t.Errorf("%s: did not run after the EMFILE cell: %q", c.Key(), c.Error)
			}
		}
	}
	if failed == 0 {
		t.Errorf("no concurrency-1000 cell hit EMFILE under a limit of 40 fds")
	}
	if len(set.Results) != 12 || !set.Complete {
		t.Errorf("%d cells, complete=%v; want 12, true", len(set.Results), set.Complete)
	}
	if !strings.Contains(stderr.String(), fmt.Sprintf("%d of 12 cells failed", failed)) {
		t.Errorf("stderr:\n%s", stderr)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("--dir holds %d entries, want 0", len(entries))
	}
}

// diskDir returns a scratch directory on a disk-backed filesystem, where
// fsync waits for the device: t.TempDir() unless TMPDIR is a tmpfs (fsync
// returns at once there, so no goroutine ever holds its descriptor long),
// else a directory beside this package's source. It skips the test with the
// reason when neither is on a disk.
func diskDir(t *testing.T) string {
	t.Helper()
	dir := t.TempDir()
	if !isTmpfs(dir) {
		return dir
	}
	d, err := os.MkdirTemp(".", ".emfile-test-")
	if err != nil {
		t.Skipf("skipped: TMPDIR is a tmpfs and no directory can be made beside the source: %v", err)
	}
	abs, _ := filepath.Abs(d)
	t.Cleanup(func() { os.RemoveAll(abs) })
	if isTmpfs(abs) {
		t.Skip("skipped: TMPDIR and the source tree are on tmpfs, where fsync returns at once and goroutines never hold descriptors long enough to hit EMFILE")
	}
	return abs
}

// isTmpfs reports whether dir is on a tmpfs (statfs f_type TMPFS_MAGIC).
func isTmpfs(dir string) bool {
	var st syscall.Statfs_t
	return syscall.Statfs(dir, &st) == nil && st.Type == 0x01021994
}

// mountTmpfs mounts a tmpfs with opts on a fresh temporary directory,
// unmounted when the test ends, or skips the test with the reason (not
// root, no CAP_SYS_ADMIN).
func mountTmpfs(t *testing.T, opts string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipped: mounting a tmpfs needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", opts, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("skipped: mount -t tmpfs -o %s failed: %v: %s", opts, err, out)
	}
	t.Cleanup(func() { exec.Command("umount", dir).Run() })
	return dir
}

// TestRunReadOnlyMounts checks, with read-only tmpfs mounts, that an
// unwritable --dir or --out is exit 2 with one line naming the flag, the
// path and EROFS, before anything is measured; and that an existing --out
// in a writable place is left as it was when the run is refused.
func TestRunReadOnlyMounts(t *testing.T) {
	ro := mountTmpfs(t, "ro,size=1m")
	outDir := t.TempDir()
	out := filepath.Join(outDir, "old.json")
	old := []byte("an earlier result set\n")
	os.WriteFile(out, old, 0o644)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--dir", ro, "--out", out}, "writebench: run: --dir: " + ro + " is not writable: read-only file system\n"},
		{[]string{"--dir", t.TempDir(), "--out", filepath.Join(ro, "x.json")}, "writebench: run: --out: " + filepath.Join(ro, "x.json") + ": cannot create files in " + ro + ": read-only file system\n"},
	} {
		code, _, stderr := runCLI(t, append([]string{"run", "--strategies", "chunked", "--files", "1", "--sizes", "4KiB"}, tc.args...)...)
		if code != 2 || stderr != tc.want {
			t.Errorf("%v: exit %d, stderr %q; want 2, %q", tc.args, code, stderr, tc.want)
		}
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, old) {
		t.Errorf("--out was changed by a refused run: %q", got)
	}
	assertNoTemp(t, outDir)
}

// assertNoTemp fails when dir holds a temporary file of an atomic write.
func assertNoTemp(t *testing.T, dir string) {
	t.Helper()
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") || strings.HasPrefix(e.Name(), ".writebench-probe") {
			t.Errorf("temporary file left in %s: %s", dir, e.Name())
		}
	}
}

// TestRunSaveFailsKeepsResults puts --out on a tmpfs that is full by the
// time the sweep ends (an empty probe file still fits, the set does not):
// the measurements must be saved to a file in $TMPDIR, named on stderr,
// the old --out must be untouched, and the exit status must be 1.
func TestRunSaveFailsKeepsResults(t *testing.T) {
	full := mountTmpfs(t, "size=64k")
	out := filepath.Join(full, "out.json")
	old := []byte("an earlier result set\n")
	if err := os.WriteFile(out, old, 0o644); err != nil {
		t.Fatal(err)
	}
	filler, _ := os.Create(filepath.Join(full, "filler"))
	for {
		if _, err := filler.Write(make([]byte, 4096)); err != nil {
			break // ENOSPC: the tmpfs is full
		}
	}
	filler.Close()
	tmp := t.TempDir()
	t.Setenv("TMPDIR", tmp)
	code, _, stderr := runCLI(t, "run", "--dir", t.TempDir(), "--out", out, "--progress", "never",
		"--strategies", "chunked", "--files", "1", "--sizes", "4KiB", "--repeat", "1", "--warmup", "0")
	if code != 1 || !strings.Contains(stderr, "writebench: cannot save the result set: write "+out+": ") ||
		!strings.Contains(stderr, "no space left on device; saved it to "+tmp+"/unsaved-writebench-set-") {
		t.Fatalf("exit %d, stderr:\n%s\nwant 1 and a line naming the fallback file in %s", code, stderr, tmp)
	}
	saved, _ := filepath.Glob(filepath.Join(tmp, "unsaved-writebench-set-*.json"))
	if len(saved) != 1 {
		t.Fatalf("fallback files: %v", saved)
	}
	if set, err := resultset.Load(saved[0]); err != nil || len(set.Results) != 1 || len(set.Results[0].Seconds) != 1 {
		t.Errorf("fallback set: %v, %v", set, err)
	}
	if got, _ := os.ReadFile(out); !bytes.Equal(got, old) {
		t.Errorf("--out changed: %q", got)
	}
	assertNoTemp(t, full)
}

// TestRunENOSPCExit1 fills a 16 MiB tmpfs through the command line with
// --no-space-check: the big cell fails with ENOSPC and its hint, the small
// one runs, the tmpfs is left empty, the set is saved and the exit is 1.
// Without --no-space-check the big cell is not started at all.
func TestRunENOSPCExit1(t *testing.T) {
	dir := mountTmpfs(t, "size=16m")
	for _, tc := range []struct {
		flag, want string
	}{
		{"--no-space-check", "no space left on device (hint: the filesystem of --dir is full"},
		{"--seed=1", "not started: 3 files × 8.00MiB need about"},
	} {
		out := filepath.Join(t.TempDir(), "out.json")
		code, _, stderr := runCLI(t, "run", "--dir", dir, "--out", out, "--progress", "never", tc.flag,
			"--strategies", "chunked", "--files", "3", "--sizes", "4KiB,8MiB", "--repeat", "1", "--warmup", "0")
		if code != 1 || !strings.Contains(stderr, tc.want) || !strings.Contains(stderr, "1 of 2 cells failed") || !strings.Contains(stderr, "2 cells, complete, 1 failed;") {
			t.Errorf("%s: exit %d, stderr:\n%s\nwant 1 and %q", tc.flag, code, stderr, tc.want)
		}
		set, err := resultset.Load(out)
		if err != nil {
			t.Fatal(err)
		}
		if small := set.Results[0]; small.Failed() || len(small.Seconds) != 1 {
			t.Errorf("%s: 4KiB cell %q", tc.flag, small.Error)
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 0 {
			t.Errorf("%s: the tmpfs holds %d entries after the run", tc.flag, len(entries))
		}
	}
}
