//go:build linux

package writebench

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/writebench/writebench/strategies"
)

const unboundedChildEnv = "WRITEBENCH_TEST_UNBOUNDED_CHILD"

// TestUnboundedEMFILE runs the unbounded strategy under a real, lowered
// RLIMIT_NOFILE in a child process (this test binary re-executed), because
// the limit cannot be raised back for the other tests.
//
// Why it is deterministic without fsync: the files are large (16 × 256
// MiB). Writing one takes far longer than Go's 10 ms scheduling slice, and
// the Go scheduler preempts a goroutine that runs longer than that (and
// hands the P of one blocked in write(2) to another), running the next
// goroutine, which opens its file before it writes. So before the first
// file could be finished, more files are open than the 4 descriptors the
// limit leaves free, and the fifth create fails with EMFILE. The cell then
// stops: nothing near the 4 GiB is written (about 4-5 files × 10 ms of
// writing). If EMFILE ever failed to happen the cell would succeed and the
// test fail; a 2-minute context bounds that case.
//
// The child checks, through the real runner: the cell failed with EMFILE
// and the existing hint; every goroutine has ended and every descriptor
// opened is closed (the fd table is as before); the scratch directory is
// empty; and a bounded run (semaphore, concurrency 4: every free
// descriptor) under the same limit succeeds afterwards. Before lowering the
// limit it also cancels an unbounded batch mid-write and checks the same
// clean-up.
func TestUnboundedEMFILE(t *testing.T) {
	if os.Getenv(unboundedChildEnv) == "1" {
		unboundedChild(t)
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestUnboundedEMFILE$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), unboundedChildEnv+"=1")
	out, err := cmd.CombinedOutput()
	if strings.Contains(string(out), "--- SKIP") {
		t.Skipf("child skipped:\n%s", out)
	}
	if err != nil {
		t.Fatalf("child: %v\n%s", err, out)
	}
	t.Logf("child:\n%s", out)
}

// openFDs returns the number of open descriptors and the highest one (the
// directory read to count them excluded).
func openFDs(t *testing.T) (n, highest int) {
	t.Helper()
	d, err := os.Open("/proc/self/fd")
	if err != nil {
		t.Skipf("skipped: %v", err)
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		t.Fatal(err)
	}
	self := int(d.Fd())
	for _, s := range names {
		var fd int
		for _, c := range s {
			fd = fd*10 + int(c-'0')
		}
		if fd == self {
			continue
		}
		n++
		highest = max(highest, fd)
	}
	return n, highest
}

// waitGoroutines waits until at most want goroutines exist (an ended
// goroutine may take a moment to be gone from the count) and returns the
// count.
func waitGoroutines(want int) int {
	n := runtime.NumGoroutine()
	for i := 0; i < 200 && n > want; i++ {
		time.Sleep(5 * time.Millisecond)
		n = runtime.NumGoroutine()
	}
	return n
}

// stopAfter is a context whose Err reports Canceled from its n-th call on;
// safe for the concurrent calls of unbounded's goroutines.
type stopAfter struct {
	context.Context
	left atomic.Int64
}

func (c *stopAfter) Err() error {
	if c.left.Add(-1) < 0 {
		return context.Canceled
	}
	return c.Context.Err()
}

func unboundedChild(t *testing.T) {
	const spare = 4 // descriptors the limit leaves free
	// The limit caps descriptor numbers, and the test harness may leave a
	// high one open: fill the holes below it with /dev/null so that exactly
	// spare numbers are free under the limit.
	_, highest := openFDs(t)
	for {
		f, err := os.Open(os.DevNull)
		if err != nil {
			t.Fatal(err)
		}
		if int(f.Fd()) > highest {
			f.Close()
			break
		}
		defer f.Close()
	}
	fds, highest := openFDs(t)
	goroutines := runtime.NumGoroutine()

	// Cancellation mid-write, before the limit is lowered: 16 × 64 MiB,
	// cancelled after 48 checks (one per MiB written, per goroutine).
	un, err := strategies.Lookup("unbounded")
	if err != nil {
		t.Fatal(err)
	}
	b := &strategies.Batch{Dir: t.TempDir(), Files: 16, Size: 64 << 20, Content: strategies.NewContent(1),
		Params: strategies.Params{Chunk: 1 << 20}.WithDefaults()}
	ctx := &stopAfter{Context: context.Background()}
	ctx.left.Store(48)
	if err := un.Write(ctx, b); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled unbounded Write = %v, want context.Canceled", err)
	}
	if n := waitGoroutines(goroutines); n > goroutines {
		t.Errorf("%d goroutines after the cancelled Write, want %d", n, goroutines)
	}
	if n, _ := openFDs(t); n != fds {
		t.Errorf("%d descriptors open after the cancelled Write, want %d", n, fds)
	}
	os.RemoveAll(b.Dir)

	limit := uint64(max(fds, highest+1) + spare)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &syscall.Rlimit{Cur: limit, Max: limit}); err != nil {
		t.Skipf("skipped: cannot lower RLIMIT_NOFILE: %v", err)
	}
	t.Logf("RLIMIT_NOFILE %d with %d descriptors open", limit, fds)

	dir := t.TempDir()
	runCtx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cfg := Config{Strategies: []string{"unbounded"}, Dir: dir, Repeat: 1, Warmup: -1, Seed: 1, MinSample: -1,
		Files: []int{16}, Sizes: []int64{256 << 20}, Knobs: map[string][]string{"chunk": {"1MiB"}}}
	set, err := Run(runCtx, cfg)
	if err != nil {
		t.Fatalf("Run: %v (a failed cell must not fail the run)", err)
	}
	if len(set.Results) != 1 {
		t.Fatalf("%d cells, want 1", len(set.Results))
	}
	c := set.Results[0]
	const hint = "too many open files (hint: too many open files in this process: lower concurrency or raise the fd limit" // Config.FieldName nil: fields by name
	if !c.Failed() || !strings.Contains(c.Error, hint) {
		t.Errorf("unbounded 16 × 256 MiB under %d free descriptors: error %q, want EMFILE with the hint", spare, c.Error)
	}
	t.Logf("cell error: %s", c.Error)
	if n := waitGoroutines(goroutines); n > goroutines {
		t.Errorf("%d goroutines after the failed cell, want %d", n, goroutines)
	}
	if n, _ := openFDs(t); n != fds {
		t.Errorf("%d descriptors open after the failed cell, want %d", n, fds)
	}
	assertEmptyDir(t, dir)

	// Bounded concurrency using every free descriptor runs: so the cell
	// above had more than spare files open at once.
	cfg.Strategies, cfg.Files, cfg.Sizes = []string{"semaphore"}, []int{64}, []int64{4096}
	cfg.Knobs = map[string][]string{"concurrency": {"4"}}
	set, err = Run(runCtx, cfg)
	if err != nil {
		t.Fatalf("Run: %v", err)
	}
	if c := set.Results[0]; c.Failed() || c.Skipped != "" || len(c.Seconds) != 1 {
		t.Errorf("semaphore at concurrency 4 (= the free descriptors) under the same limit: error %q, skipped %q", c.Error, c.Skipped)
	}
	assertEmptyDir(t, dir)
}
