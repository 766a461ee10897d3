package strategies

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// kernelBatch is a batch in a fresh temporary directory (on the test
// machine's real file system) with latency and sync-time slices.
func kernelBatch(t *testing.T, dir string, files int, size int64, p Params) *Batch {
	t.Helper()
	if dir == "" {
		dir = t.TempDir()
	}
	return &Batch{Dir: dir, Files: files, Size: size, Params: p.WithDefaults(),
		Content: NewContent(1), Latency: make([]time.Duration, files),
		SyncTime: make([]time.Duration, files), Issued: &Issued{}}
}

// checkFiles reads every file of b back and compares it with the content.
func checkFiles(t *testing.T, b *Batch) {
	t.Helper()
	for i := 0; i < b.Files; i++ {
		got, err := os.ReadFile(b.Path(i))
		if err != nil {
			t.Fatal(err)
		}
		want := make([]byte, b.Size)
		b.Content.Expected(want, i, 0)
		if !bytes.Equal(got, want) {
			t.Fatalf("%s: %d bytes differ from the expected %d", b.Path(i), len(got), len(want))
		}
	}
}

// skipIfNoRing skips when this machine cannot set up io_uring at all.
func skipIfNoRing(t *testing.T) {
	t.Helper()
	r, err := newRing(2)
	if err != nil {
		if reason, ok := SkipReason(ringError(err)); ok {
			t.Skipf("io_uring unavailable: %s", reason)
		}
		t.Fatal(err)
	}
	r.close()
}

// openFDs counts this process's open descriptors, and its io_uring
// mappings, from /proc/self.
func openFDs(t *testing.T) (fds, ringMaps int) {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skipf("cannot count descriptors: %v", err)
	}
	maps, err := os.ReadFile("/proc/self/maps")
	if err != nil {
		t.Skipf("cannot read mappings: %v", err)
	}
	return len(ents), strings.Count(string(maps), "[io_uring]")
}

// TestURingNoLeak runs uring over good, failing and cancelled batches and
// checks that every ring descriptor and mapping is gone afterwards.
func TestURingNoLeak(t *testing.T) {
	skipIfNoRing(t)
	s := uringStrategy{}
	// Warm up whatever the runtime opens lazily.
	if err := s.Write(context.Background(), kernelBatch(t, "", 1, 10, Params{})); err != nil {
		t.Fatal(err)
	}
	fds0, maps0 := openFDs(t)
	for range 5 {
		b := kernelBatch(t, "", 3, 100<<10, Params{Chunk: 4096, QueueDepth: 8, Sync: SyncData})
		if err := s.Write(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		// Failure on file 1: its path is taken.
		b = kernelBatch(t, "", 3, 10, Params{})
		if err := os.WriteFile(b.Path(1), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := s.Write(context.Background(), b); err == nil {
			t.Fatal("Write over an existing file succeeded")
		}
		// Cancelled inside a file with writes in flight.
		ctx, cancel := context.WithCancel(context.Background())
		cctx := &cancelAfter{Context: ctx, cancel: cancel, n: 2}
		b = kernelBatch(t, "", 1, 4<<20, Params{Chunk: 4096, QueueDepth: 16})
		if err := s.Write(cctx, b); !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled Write = %v, want context.Canceled", err)
		}
		cancel()
		// Setup only.
		r, err := newRing(64)
		if err != nil {
			t.Fatal(err)
		}
		if err := r.close(); err != nil {
			t.Fatal(err)
		}
		if err := r.close(); err != nil {
			t.Fatalf("second close: %v", err)
		}
	}
	fds1, maps1 := openFDs(t)
	if fds1 != fds0 || maps1 != maps0 {
		t.Errorf("after 5 rounds: %d descriptors and %d io_uring mappings, before %d and %d", fds1, maps1, fds0, maps0)
	}
	if maps0 != 0 {
		t.Errorf("%d io_uring mappings left from the warm-up Write", maps0)
	}
}

// cancelAfter cancels itself on the n-th call of Err.
type cancelAfter struct {
	context.Context
	cancel context.CancelFunc
	n      int
}

func (c *cancelAfter) Err() error {
	if c.n--; c.n <= 0 {
		c.cancel()
	}
	return c.Context.Err()
}

// TestURingCounts checks what uring reports in Batch.Issued: one SQE per
// write (and per fsync), and io_uring_enter calls between the submissions
// divided by the queue depth and the submissions divided by half the queue
// depth (each enter waits for half the slots' completions), plus one.
//
// It runs with GOMAXPROCS 1, where the ring is entered through the normal
// system-call path: through the raw path the runtime's preemption signal
// (SIGURG, every 10 ms of a goroutine it sees running) cuts waits short,
// which adds enters in proportion to the time taken, i.e. to the load.
func TestURingCounts(t *testing.T) {
	skipIfNoRing(t)
	defer runtime.GOMAXPROCS(runtime.GOMAXPROCS(1))
	tests := []struct {
		name        string
		size        int64
		p           Params
		sqes        int64
		enters      [2]int64 // inclusive range
		syncRecords bool
	}{
		{"qd1", 64 << 10, Params{Chunk: 4096, QueueDepth: 1}, 16, [2]int64{16, 16}, false},
		{"qd4", 64 << 10, Params{Chunk: 4096, QueueDepth: 4}, 16, [2]int64{4, 9}, false},
		{"qd32-fsync", 64 << 10, Params{Chunk: 4096, QueueDepth: 32, Sync: SyncClose}, 17, [2]int64{1, 3}, true},
		{"empty-fdatasync", 0, Params{QueueDepth: 4, Sync: SyncData}, 1, [2]int64{1, 1}, true},
		{"odd-chunk", 100_000, Params{Chunk: 5003, QueueDepth: 3}, 20, [2]int64{7, 11}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := kernelBatch(t, "", 1, tt.size, tt.p)
			if err := (uringStrategy{}).Write(context.Background(), b); err != nil {
				t.Fatal(err)
			}
			checkFiles(t, b)
			sqes, enters := b.Issued.RingSubmissions.Load(), b.Issued.RingEnters.Load()
			if sqes != tt.sqes {
				t.Errorf("RingSubmissions = %d, want %d", sqes, tt.sqes)
			}
			if enters < tt.enters[0] || enters > tt.enters[1] {
				t.Errorf("RingEnters = %d, want %d..%d", enters, tt.enters[0], tt.enters[1])
			}
			if got := b.SyncTime[0] > 0; got != tt.syncRecords {
				t.Errorf("SyncTime = %v, want recorded: %v", b.SyncTime[0], tt.syncRecords)
			}
		})
	}
}

// TestURingPerWriteFlags writes with RWF_DSYNC and RWF_DONTCACHE on the
// test machine's file system: each either writes the right bytes or is
// skipped with a reason naming the flag, never a failure.
func TestURingPerWriteFlags(t *testing.T) {
	skipIfNoRing(t)
	for _, sync := range []SyncMode{SyncDsync, SyncUncached} {
		t.Run(string(sync), func(t *testing.T) {
			b := kernelBatch(t, "", 2, 40_000, Params{Chunk: 8192, QueueDepth: 4, Sync: sync})
			err := (uringStrategy{}).Write(context.Background(), b)
			if reason, ok := SkipReason(err); ok {
				if !strings.Contains(reason, "RWF_") {
					t.Errorf("skip reason %q does not name the flag", reason)
				}
				t.Skipf("skipped as designed: %s", reason)
			}
			if err != nil {
				t.Fatal(err)
			}
			checkFiles(t, b)
		})
	}
}

// TestRingSkipReason maps the errno values the kernel returns when io_uring
// cannot be used (ENOSYS without io_uring, EPERM with
// kernel.io_uring_disabled=2 or a seccomp filter, ENOMEM over
// RLIMIT_MEMLOCK) to skips, and leaves real failures alone. TestURingSeccomp
// provokes EPERM for real.
func TestRingSkipReason(t *testing.T) {
	tests := []struct {
		errno unix.Errno
		skip  bool
		want  string
	}{
		{unix.ENOSYS, true, "not available"},
		{unix.EPERM, true, "io_uring_disabled"},
		{unix.EACCES, true, "disabled"},
		{unix.ENOMEM, true, "RLIMIT_MEMLOCK"},
		{unix.EINVAL, true, "refuses"},
		{unix.EIO, false, ""},
		{unix.EBADF, false, ""},
		{unix.EFAULT, false, ""},
	}
	for _, tt := range tests {
		err := ringError(&ringSetupError{"io_uring_setup", tt.errno})
		reason, ok := SkipReason(err)
		if ok != tt.skip {
			t.Errorf("%v: skip = %v, want %v (err %v)", tt.errno, ok, tt.skip, err)
			continue
		}
		if ok && (!strings.Contains(reason, tt.want) || !strings.Contains(reason, tt.errno.Error())) {
			t.Errorf("%v: reason %q does not contain %q and the errno", tt.errno, reason, tt.want)
		}
		if !ok && !errors.Is(err, tt.errno) {
			t.Errorf("%v: error %v lost its errno", tt.errno, err)
		}
	}
	// An I/O error that is not a setup error never becomes a skip.
	if _, ok := SkipReason(ringError(fmt.Errorf("write: %w", unix.EPERM))); ok {
		t.Error("a write's EPERM became a skip")
	}
}

// childEnv selects a child mode of TestKernelChild.
const childEnv = "WRITEBENCH_KERNEL_CHILD"

// runChild re-runs this test binary as a child process in mode, where
// TestKernelChild changes process-wide state (a seccomp filter, a file size
// limit) that must not leak into the other tests, and fails unless the
// child passed.
func runChild(t *testing.T, mode string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestKernelChild$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), childEnv+"="+mode, "TMPDIR="+t.TempDir())
	out, err := cmd.CombinedOutput()
	if err != nil || !bytes.Contains(out, []byte("--- PASS: TestKernelChild")) {
		t.Fatalf("child %s: %v\n%s", mode, err, out)
	}
	if i := bytes.Index(out, []byte("CHILD:")); i >= 0 {
		t.Log(strings.TrimSpace(string(out[i:])))
	}
}

// TestURingSeccomp runs uring in a child process whose seccomp filter makes
// io_uring_setup fail with EPERM, as container runtimes' default profiles
// and kernel.io_uring_disabled=2 do: the cell must be skipped, not failed.
func TestURingSeccomp(t *testing.T) {
	if _, ok := auditArch(); !ok {
		t.Skipf("no seccomp filter written for %s", runtime.GOARCH)
	}
	runChild(t, "seccomp")
}

// TestURingShortWrite makes the kernel write short for real: with
// RLIMIT_FSIZE at 10,000 bytes, the third 4 KiB write of a 20,000-byte file
// writes 1,808 bytes. uring must resubmit the rest at offset 10,000 (which
// then fails with EFBIG) and leave exactly 10,000 right bytes.
func TestURingShortWrite(t *testing.T) {
	skipIfNoRing(t)
	runChild(t, "fsize-uring")
}

// TestKernelChild is the child side of runChild; it does nothing unless
// started by it.
func TestKernelChild(t *testing.T) {
	mode := os.Getenv(childEnv)
	switch mode {
	case "":
		t.Skip("only run as a child of runChild")
	case "seccomp":
		arch, _ := auditArch()
		if err := denyRingSetup(arch); err != nil {
			t.Fatalf("installing the seccomp filter: %v", err)
		}
		b := kernelBatch(t, "", 2, 4096, Params{})
		err := (uringStrategy{}).Write(context.Background(), b)
		reason, ok := SkipReason(err)
		if !ok || !strings.Contains(reason, "disabled") || !strings.Contains(reason, unix.EPERM.Error()) {
			t.Fatalf("Write under a seccomp filter = %v, want a skip naming EPERM", err)
		}
		fmt.Println("CHILD: skip reason:", reason)
	case "fsize-uring", "fsize-direct":
		limit, want := uint64(10_000), "offset 10000"
		var s Strategy = uringStrategy{}
		if mode == "fsize-direct" {
			limit, want = 10_240, "offset 10240"
			s = directStrategy{}
		}
		signal.Ignore(unix.SIGXFSZ)
		if err := unix.Setrlimit(unix.RLIMIT_FSIZE, &unix.Rlimit{Cur: limit, Max: unix.RLIM_INFINITY}); err != nil {
			t.Fatal(err)
		}
		b := kernelBatch(t, "", 1, 20_000, Params{Chunk: 4096, QueueDepth: 1})
		err := s.Write(context.Background(), b)
		if !errors.Is(err, unix.EFBIG) || !strings.Contains(err.Error(), want) {
			t.Fatalf("Write over RLIMIT_FSIZE = %v, want EFBIG at %s (the short write's rest resubmitted)", err, want)
		}
		got, rerr := os.ReadFile(filepath.Join(b.Dir, "f0"))
		if rerr != nil {
			t.Fatal(rerr)
		}
		exp := make([]byte, limit)
		b.Content.Expected(exp, 0, 0)
		if !bytes.Equal(got, exp) {
			t.Fatalf("after the short write the file has %d bytes, want the first %d bytes of its content", len(got), limit)
		}
		fmt.Println("CHILD:", err)
	default:
		t.Fatalf("unknown child mode %q", mode)
	}
}

func auditArch() (uint32, bool) {
	switch runtime.GOARCH {
	case "amd64":
		return unix.AUDIT_ARCH_X86_64, true
	case "arm64":
		return unix.AUDIT_ARCH_AARCH64, true
	}
	return 0, false
}

// denyRingSetup installs, on every thread of the process, a seccomp filter
// that fails io_uring_setup with EPERM and allows everything else.
func denyRingSetup(arch uint32) error {
	const (
		ldAbs = unix.BPF_LD | unix.BPF_W | unix.BPF_ABS
		jeqK  = unix.BPF_JMP | unix.BPF_JEQ | unix.BPF_K
		retK  = unix.BPF_RET | unix.BPF_K
	)
	prog := []unix.SockFilter{
		{Code: ldAbs, K: 4}, // seccomp_data.arch
		{Code: jeqK, Jt: 0, Jf: 3, K: arch},
		{Code: ldAbs, K: 0}, // seccomp_data.nr
		{Code: jeqK, Jt: 0, Jf: 1, K: unix.SYS_IO_URING_SETUP},
		{Code: retK, K: unix.SECCOMP_RET_ERRNO | uint32(unix.EPERM)},
		{Code: retK, K: unix.SECCOMP_RET_ALLOW},
	}
	fprog := unix.SockFprog{Len: uint16(len(prog)), Filter: &prog[0]}
	if err := unix.Prctl(unix.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0); err != nil {
		return fmt.Errorf("prctl(PR_SET_NO_NEW_PRIVS): %w", err)
	}
	_, _, errno := unix.Syscall(unix.SYS_SECCOMP, unix.SECCOMP_SET_MODE_FILTER,
		unix.SECCOMP_FILTER_FLAG_TSYNC, uintptr(unsafe.Pointer(&fprog)))
	if errno != 0 {
		return fmt.Errorf("seccomp(SECCOMP_SET_MODE_FILTER): %w", errno)
	}
	return nil
}

// TestURingSessionGoroutines writes one session's repetitions from
// goroutines locked to different threads, as a runner may: a ring that
// only its creating thread may enter (IORING_SETUP_SINGLE_ISSUER) must
// still serve every call.
func TestURingSessionGoroutines(t *testing.T) {
	skipIfNoRing(t)
	sess, err := (uringStrategy{}).OpenCell(context.Background(), Params{Chunk: 4096, QueueDepth: 8}.WithDefaults())
	if err != nil {
		t.Fatal(err)
	}
	content := NewContent(1)
	for rep := range 3 {
		b := kernelBatch(t, "", 2, 64<<10, Params{Chunk: 4096, QueueDepth: 8})
		b.Content = content
		errc := make(chan error)
		go func() {
			runtime.LockOSThread() // a thread of its own, ended with the goroutine
			errc <- sess.Write(context.Background(), b)
		}()
		if err := <-errc; err != nil {
			t.Fatalf("repetition %d from another thread: %v", rep, err)
		}
		checkFiles(t, b)
	}
	if r := sess.(*uringSession).st.r; r != nil && r.flags&ringSetupSingleIssuer == 0 {
		t.Logf("this kernel refused IORING_SETUP_SINGLE_ISSUER (setup flags %#x): the thread binding is not exercised", r.flags)
	}
	if err := sess.Close(); err != nil {
		t.Fatal(err)
	}
	if err := sess.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	if err := sess.Write(context.Background(), kernelBatch(t, "", 1, 10, Params{})); !errors.Is(err, errSessionClosed) {
		t.Fatalf("Write after Close = %v, want errSessionClosed", err)
	}
}

// TestURingSession checks the per-cell session: repetitions of one shape
// reuse the ring, each reports its own counts, another shape or an error
// sets up afresh, and Close leaves no descriptor or mapping.
func TestURingSession(t *testing.T) {
	skipIfNoRing(t)
	fds0, maps0 := openFDs(t)
	sess, err := (uringStrategy{}).OpenCell(context.Background(), Params{Chunk: 4096, QueueDepth: 4}.WithDefaults())
	if err != nil {
		t.Fatal(err)
	}
	us := sess.(*uringSession)
	content := NewContent(1) // one per run, as the runner's
	var first *ring
	for rep := range 3 {
		b := kernelBatch(t, "", 2, 64<<10, Params{Chunk: 4096, QueueDepth: 4})
		b.Content = content
		if err := sess.Write(context.Background(), b); err != nil {
			t.Fatal(err)
		}
		checkFiles(t, b)
		if got := b.Issued.RingSubmissions.Load(); got != 32 {
			t.Errorf("repetition %d: RingSubmissions = %d, want 32 (its own writes only)", rep, got)
		}
		if rep == 0 {
			first = us.st.r
		} else if us.st.r != first {
			t.Errorf("repetition %d set up a new ring", rep)
		}
	}
	// Another shape (fewer pieces than the depth) needs other slots.
	b := kernelBatch(t, "", 1, 4096, Params{Chunk: 4096, QueueDepth: 4})
	b.Content = content
	if err := sess.Write(context.Background(), b); err != nil {
		t.Fatal(err)
	}
	checkFiles(t, b)
	if us.st.r == first || len(us.st.slots) != 1 {
		t.Errorf("a 1-piece file reused the 4-slot ring (%d slots)", len(us.st.slots))
	}
	// A failed repetition drops the ring.
	b = kernelBatch(t, "", 2, 10, Params{Chunk: 4096, QueueDepth: 4})
	if err := os.WriteFile(b.Path(1), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := sess.Write(context.Background(), b); err == nil {
		t.Fatal("Write over an existing file succeeded")
	}
	if us.st.r != nil {
		t.Error("the ring outlived a failed repetition")
	}
	if u, ok := sess.Usage(); ok || u != (ChildUsage{}) {
		t.Errorf("Usage() = %+v, %v; want none (in-process)", u, ok)
	}
	if err := sess.Close(); err != nil {
		t.Fatal(err)
	}
	if fds1, maps1 := openFDs(t); fds1 != fds0 || maps1 != maps0 {
		t.Errorf("after Close: %d descriptors and %d io_uring mappings, before %d and %d", fds1, maps1, fds0, maps0)
	}
}
