package writebench

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"

	"github.com/writebench/writebench/internal/scratch"
	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies"
)

// These tests prove the safety guarantees with real failures: a full
// tmpfs for ENOSPC, a read-only mount for EROFS, real cancellation inside a
// multi-GiB cell, real directories full of other people's files.

// mountTmpfs mounts a tmpfs with the given options on a fresh temporary
// directory for the test's duration, or skips the test with the reason.
func mountTmpfs(t *testing.T, opts string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipped: mounting a tmpfs needs root")
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", "tmpfs", "-o", opts, "tmpfs", dir).CombinedOutput(); err != nil {
		t.Skipf("skipped: mount -t tmpfs -o %s failed (no CAP_SYS_ADMIN?): %v: %s", opts, err, bytes.TrimSpace(out))
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// quick is a one-repetition config with no warm-up.
func quick(dir string, strats ...string) Config {
	return Config{Strategies: strats, Dir: dir, Repeat: 1, Warmup: -1, Seed: 1, MinSample: -1}
}

// roundTrip saves set and loads it back, as writebench run and report do.
func roundTrip(t *testing.T, set *resultset.Set) *resultset.Set {
	t.Helper()
	path := filepath.Join(t.TempDir(), "set.json")
	if err := resultset.Save(path, set); err != nil {
		t.Fatalf("save: %v", err)
	}
	got, err := resultset.Load(path)
	if err != nil {
		t.Fatalf("the saved set does not load: %v", err)
	}
	return got
}

func assertEmptyDir(t *testing.T, dir string) {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		t.Errorf("left behind in %s: %s", dir, e.Name())
	}
}

// TestRunENOSPC fills a 16 MiB tmpfs with --no-space-check: every strategy's
// 4 × 8 MiB cell must fail with the OS error and a hint, leave no scratch
// file, and not stop the 4 KiB cells, which succeed; the set stays valid.
// mmap meets the full disk as SIGBUS, which must not kill the run.
func TestRunENOSPC(t *testing.T) {
	dir := mountTmpfs(t, "size=16m")
	cfg := quick(dir, strategies.Names()...)
	cfg.FieldName = func(field string) string { return "--" + field } // as the command names fields
	cfg.Files = []int{1, 4}
	cfg.Sizes = []int64{4 << 10, 8 << 20}
	cfg.Knobs = map[string][]string{"per_file": {"chunked", "mmap"}}
	cfg.NoSpaceCheck = true
	set, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatalf("Run: %v (a failed cell must not fail the run)", err)
	}
	set = roundTrip(t, set)
	ok, full := 0, 0
	// A strategy that cannot write on tmpfs at all (O_DIRECT: tmpfs has no
	// direct I/O) has every cell skipped, with a reason naming tmpfs; its
	// cells are counted as they come, like the others'.
	skips := map[string]int{}
	for _, c := range set.Results {
		if c.Skipped != "" {
			skips[c.Strategy+"/"+c.PerFile]++
		}
	}
	for _, c := range set.Results {
		switch n := skips[c.Strategy+"/"+c.PerFile]; {
		case n > 0:
			cells := len(cfg.Files) * len(cfg.Sizes)
			if n != cells || c.Skipped == "" || !strings.Contains(c.Skipped, "tmpfs") || c.Failed() || len(c.Seconds) != 0 {
				t.Errorf("%s: skipped %q (error %q) with %d of its %d cells skipped; a strategy that cannot write on tmpfs skips every cell naming tmpfs", c.Key(), c.Skipped, c.Error, n, cells)
			}
			if c.FileSize == 4<<10 {
				ok++
			} else if c.Files == 4 {
				full++
			}
		case c.Files == 4 && c.FileSize == 8<<20:
			full++
			if !strings.Contains(c.Error, "no space left on device") || !strings.Contains(c.Error, "(hint: the filesystem of --dir is full") {
				t.Errorf("%s: error %q, want ENOSPC with a hint", c.Key(), c.Error)
			}
			if len(c.Seconds) != 0 || c.Verified {
				t.Errorf("%s: failed cell has samples or is marked verified", c.Key())
			}
		case c.FileSize == 4<<10:
			ok++
			if c.Failed() || len(c.Seconds) != 1 || !c.Verified {
				t.Errorf("%s: small cell did not run after the disk filled: error %q, %d samples", c.Key(), c.Error, len(c.Seconds))
			}
		}
	}
	want := 0 // cells per (files, size): two per-file writers for pool and semaphore
	for _, s := range strategies.All() {
		if slices.Contains(s.Knobs(), "per_file") {
			want += 2
		} else {
			want++
		}
	}
	if full != want || ok != 2*want {
		t.Errorf("got %d full-disk cells and %d small cells, want %d and %d", full, ok, want, 2*want)
	}
	if !set.Complete {
		t.Error("set not marked complete")
	}
	assertEmptyDir(t, dir)
}

// TestSpaceCheckTmpfs checks the statfs comparison on a filesystem whose
// size is known: 16 MiB holds 2 × 4 MiB with the margin, not 4 × 4 MiB.
func TestSpaceCheckTmpfs(t *testing.T) {
	dir := mountTmpfs(t, "size=16m")
	if err := scratch.CheckSpace(dir, 2, 4<<20); err != nil {
		t.Errorf("2 × 4 MiB on 16 MiB: %v", err)
	}
	err := scratch.CheckSpace(dir, 4, 4<<20)
	if err == nil || !strings.Contains(err.Error(), "4 files × 4.00MiB need about") || !strings.Contains(err.Error(), "has 16.0MiB free") {
		t.Errorf("4 × 4 MiB on 16 MiB: %v", err)
	}
}

// TestWithHint checks the one-line hint of every OS error the issue names.
func TestWithHint(t *testing.T) {
	for errno, want := range map[syscall.Errno]string{
		syscall.ENOSPC: "filesystem of {dir} is full",
		syscall.EDQUOT: "quota",
		syscall.EROFS:  "read-only",
		syscall.EIO:    "I/O error",
		syscall.EMFILE: "lower {concurrency} or raise the fd limit",
		syscall.ENFILE: "fs.file-max",
		syscall.EACCES: "permission denied",
	} {
		err := scratch.WithHint(&os.PathError{Op: "write", Path: "/d/f0", Err: errno})
		msg := err.Error()
		if !strings.HasPrefix(msg, "write /d/f0: "+errno.Error()+" (hint: ") || !strings.Contains(msg, want) || strings.Contains(msg, "\n") {
			t.Errorf("%v: %q", errno, msg)
		}
		if !errors.Is(err, errno) {
			t.Errorf("%v: hint hides the errno", errno)
		}
	}
	if msg := scratch.WithHint(errors.New("plain")).Error(); msg != "plain" {
		t.Errorf("plain error got a hint: %q", msg)
	}
}

// TestRunReadOnlyDir checks that a read-only --dir stops Run before
// anything is written, with a ConfigError naming --dir, the path and the
// OS reason: a read-only tmpfs (EROFS) as root, else a mode 0555 directory
// (EACCES).
func TestRunReadOnlyDir(t *testing.T) {
	var dir, want string
	if os.Geteuid() == 0 {
		dir, want = mountTmpfs(t, "ro,size=1m"), "is not writable: read-only file system"
	} else {
		dir, want = filepath.Join(t.TempDir(), "ro"), "is not writable: permission denied"
		if err := os.Mkdir(dir, 0o555); err != nil {
			t.Fatal(err)
		}
	}
	set, err := Run(context.Background(), quick(dir, "chunked"))
	var ce *ConfigError
	if set != nil || !errors.As(err, &ce) || ce.Field != "dir" || err.Error() != "dir: "+dir+" "+want {
		t.Fatalf("Run(--dir %s) = %v, %v; want no set and \"--dir: %s %s\"", dir, set, err, dir, want)
	}
}

// assertUnchanged reports every entry of snapshot before that changed or
// went missing in after, and every entry after added.
func assertUnchanged(t *testing.T, before, after map[string]string) {
	t.Helper()
	for p, v := range before {
		if after[p] != v {
			t.Errorf("%s changed:\n before %s\n after  %s", p, v, after[p])
		}
	}
	for p := range after {
		if _, ok := before[p]; !ok {
			t.Errorf("left behind: %s", p)
		}
	}
}

// statSnapshot records every entry under dir: type, mode, size, mtime,
// symlink target and a hash of regular files' contents (for dir itself, its
// mode only).
func statSnapshot(t *testing.T, dir string) map[string]string {
	t.Helper()
	m := map[string]string{}
	err := filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		v := fmt.Sprintf("%v %d %d", info.Mode(), info.Size(), info.ModTime().UnixNano())
		if p == dir {
			v = info.Mode().String() // making and removing the scratch directory updates its mtime
		}
		switch {
		case info.Mode()&fs.ModeSymlink != 0:
			target, _ := os.Readlink(p)
			v += " -> " + target
		case info.Mode().IsRegular():
			data, err := os.ReadFile(p)
			if err != nil {
				return err
			}
			v += fmt.Sprintf(" %x", sha256.Sum256(data))
		}
		m[p] = v
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return m
}

// TestRunLeavesOtherFilesAlone runs in a directory full of user files,
// several named like writebench's own, and checks every one is byte for
// byte, mode and mtime as it was, that nothing was added, and that none of
// them is reported as a stale scratch directory.
func TestRunLeavesOtherFilesAlone(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(t.TempDir(), "victim")
	os.WriteFile(victim, []byte("precious"), 0o600)
	write := func(rel, content string) {
		p := filepath.Join(dir, rel)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(content), 0o640); err != nil {
			t.Fatal(err)
		}
	}
	write("notes.txt", "user data")
	write("writebench-results.json", `{"mine": true}`)
	write(ScratchPrefix+"123/f0", "a user's directory named like a scratch directory")
	write(ScratchPrefix+"123/c0-1/f0", "nested")
	write(ScratchPrefix+"probe-x/keep", "named like the --dir probe")
	write("writebench-123/f0", "a user's directory named like an older version's scratch directory")
	write("writebench-123/c0-1/f0", "nested")
	write("writebench-probe-x/keep", "named like the --dir probe")
	write(".writebench-scratch", "a marker-named file outside any scratch directory")
	write("f0", "named like file 0")
	write("c0-1", "named like a cell directory")
	if err := os.Symlink(victim, filepath.Join(dir, "writebench-link")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(victim, filepath.Join(dir, ScratchPrefix+"link")); err != nil {
		t.Fatal(err)
	}
	before := statSnapshot(t, dir)
	victimBefore := statSnapshot(t, filepath.Dir(victim))

	var log bytes.Buffer
	cfg := quick(dir, "chunked", "mmap", "pool")
	cfg.Files = []int{1, 3}
	cfg.Sizes = []int64{4 << 10}
	cfg.Log = &log
	set, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range set.Results {
		if c.Failed() {
			t.Errorf("%s: %s", c.Key(), c.Error)
		}
	}
	assertUnchanged(t, before, statSnapshot(t, dir))
	if got := statSnapshot(t, filepath.Dir(victim)); fmt.Sprint(got) != fmt.Sprint(victimBefore) {
		t.Errorf("the symlink's target changed: %v", got)
	}
	if log.Len() != 0 {
		t.Errorf("user files reported as stale scratch directories:\n%s", log.String())
	}
}

// deadPID returns the pid of a process that has exited.
func deadPID(t *testing.T) int {
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skipf("skipped: cannot run true: %v", err)
	}
	pid := cmd.Process.Pid
	if syscall.Kill(pid, 0) == nil {
		t.Skipf("skipped: pid %d was reused at once", pid)
	}
	return pid
}

// TestRunReportsStaleScratch leaves a scratch directory as a killed run
// would: it is reported with its path and left exactly as it was, while one
// owned by a live process is not reported.
func TestRunReportsStaleScratch(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, ScratchPrefix+"4242")
	live := filepath.Join(dir, ScratchPrefix+"live")
	for d, pid := range map[string]int{stale: deadPID(t), live: os.Getpid()} {
		if err := os.MkdirAll(filepath.Join(d, "c0-1"), 0o755); err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(d, scratch.Marker), []byte(strconv.Itoa(pid)+"\n"), 0o644)
		os.WriteFile(filepath.Join(d, "c0-1", "f0"), []byte("half-written"), 0o644)
	}
	before := statSnapshot(t, dir)
	var log bytes.Buffer
	cfg := quick(dir, "chunked")
	cfg.Files, cfg.Sizes = []int{1}, []int64{4 << 10}
	cfg.Log = &log
	if _, err := Run(context.Background(), cfg); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(log.String()), "\n")
	if len(lines) != 1 || !strings.Contains(lines[0], "stale scratch directory") || !strings.HasSuffix(lines[0], stale+" (remove it if no writebench is running)") {
		t.Errorf("log %q: want one line naming %s", log.String(), stale)
	}
	assertUnchanged(t, before, statSnapshot(t, dir)) // stale and live scratch directories untouched
}

// TestRunInterruptedInBigCell cancels the context while a 1 GiB cell is
// being written in 256-byte records: Run must return at the strategy's first
// look at the context after the cancellation (no wall-clock bound: the
// context counts its own looks), with ErrInterrupted, a valid partial set
// marked incomplete, and no scratch directory left.
func TestRunInterruptedInBigCell(t *testing.T) {
	dir := t.TempDir()
	cfg := quick(dir, "chunked", "unbuffered")
	cfg.Files, cfg.Sizes = []int{1}, []int64{4096, 1 << 30}
	cfg.Knobs = map[string][]string{"record": {"256"}}
	if err := scratch.CheckSpace(dir, 1, 1<<30); err != nil {
		t.Skipf("skipped: %v", err)
	}
	// Cancelled at its 200th look: the small cells take a few, the big
	// cell's writers look once per MiB, so this is about 200 MiB into it.
	ctx := &looksCtx{Context: context.Background(), limit: 200}
	set, err := Run(ctx, cfg)
	if !errors.Is(err, ErrInterrupted) || !errors.Is(err, context.Canceled) {
		t.Fatalf("Run error %v, want ErrInterrupted wrapping context.Canceled", err)
	}
	// After the cancel: the strategy's look that saw it, the runner's
	// checks on the way out; never another MiB of writing per look.
	if after := ctx.after.Load(); after > 8 {
		t.Errorf("the context was looked at %d times after the cancellation before Run returned, want at most 8 (going on writing would take about 800)", after)
	}
	if set == nil {
		t.Fatal("no partial set")
	}
	set = roundTrip(t, set)
	if set.Complete || set.Interrupted != "context canceled" {
		t.Errorf("complete=%v interrupted=%q, want false and the cause", set.Complete, set.Interrupted)
	}
	for _, c := range set.Results {
		if c.Failed() {
			t.Errorf("%s: an interruption is not a failure: %q", c.Key(), c.Error)
		}
		if c.FileSize == 1<<30 && len(c.Seconds) != 0 {
			t.Errorf("%s: the interrupted repetition was counted", c.Key())
		}
	}
	assertEmptyDir(t, dir)
}

// looksCtx is a context that reports itself cancelled from its limit-th
// call of Err on, and counts the calls made after that.
type looksCtx struct {
	context.Context
	limit int64
	n     atomic.Int64
	after atomic.Int64
}

func (c *looksCtx) Err() error {
	if c.n.Add(1) > c.limit {
		c.after.Add(1)
		return context.Canceled
	}
	return nil
}

// countdownCtx is a context whose Err turns to Canceled after n calls: a
// deterministic way to cancel in the middle of a file.
type countdownCtx struct {
	context.Context
	n *int
}

func (c countdownCtx) Err() error {
	*c.n--
	if *c.n < 0 {
		return context.Canceled
	}
	return nil
}

// TestVerifyCancelsInsideFile checks that Verify of one large file looks at
// the context between reads, not only between files.
func TestVerifyCancelsInsideFile(t *testing.T) {
	b := &strategies.Batch{Dir: t.TempDir(), Files: 1, Size: 32 << 20,
		Params: strategies.Params{}.WithDefaults(), Content: strategies.NewContent(1)}
	s, _ := strategies.Lookup("chunked")
	if err := s.Write(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	if err := strategies.Verify(context.Background(), b); err != nil {
		t.Fatalf("Verify of a good file: %v", err)
	}
	n := 3 // the check before the file, then two inside it
	if err := strategies.Verify(countdownCtx{context.Background(), &n}, b); !errors.Is(err, context.Canceled) {
		t.Fatalf("Verify = %v, want context.Canceled from inside the file", err)
	}
}

// remounter is a test strategy that writes its batch, then remounts the
// filesystem of --dir read-only, as a failing disk or an administrator may
// do in the middle of a run.
type remounter struct{ mnt string }

func (r *remounter) Name() string     { return "remount" }
func (r *remounter) Describe() string { return "writes its files, then remounts --dir read-only" }
func (r *remounter) Knobs() []string  { return nil }
func (r *remounter) Write(ctx context.Context, b *strategies.Batch) error {
	for i := 0; i < b.Files; i++ {
		if err := os.WriteFile(b.Path(i), b.Content.NewBuffer(int(b.Size)).Bytes(i, 0, int(b.Size)), 0o644); err != nil {
			return err
		}
	}
	if out, err := exec.Command("mount", "-o", "remount,ro", r.mnt).CombinedOutput(); err != nil {
		return fmt.Errorf("remount: %v: %s", err, out)
	}
	return nil
}

// TestRunEROFSMidRun remounts --dir read-only during the sweep: every cell
// after that fails with EROFS and its hint, the run still returns a valid
// set, and the scratch directory that cannot be removed is reported, in
// the log and as a *ScratchLeftError (the CLI exits 1 on it).
func TestRunEROFSMidRun(t *testing.T) {
	dir := mountTmpfs(t, "size=16m")
	t.Cleanup(func() { exec.Command("mount", "-o", "remount,rw", dir).Run() }) // before the umount
	var log bytes.Buffer
	cfg := quick(dir, "remount", "chunked", "bufio")
	cfg.Custom = []strategies.Strategy{&remounter{mnt: dir}}
	cfg.Files, cfg.Sizes = []int{1}, []int64{4 << 10}
	cfg.Repeat = 2
	cfg.Log = &log
	cfg.FieldName = func(field string) string { return "--" + field }
	set, err := Run(context.Background(), cfg)
	var left *ScratchLeftError
	if !errors.As(err, &left) || !strings.HasPrefix(left.Dir, dir+"/"+ScratchPrefix) || set == nil {
		t.Fatalf("Run: %v, want a *ScratchLeftError naming the scratch directory and a set", err)
	}
	set = roundTrip(t, set)
	for _, c := range set.Results {
		if !strings.Contains(c.Error, "read-only file system (hint: the filesystem of --dir is read-only") {
			t.Errorf("%s: error %q, want EROFS with its hint", c.Key(), c.Error)
		}
	}
	if !strings.Contains(log.String(), "warning: could not remove the scratch directory "+dir+"/"+ScratchPrefix) {
		t.Errorf("log %q does not report the scratch directory left behind", log.String())
	}
}
