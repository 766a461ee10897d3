//go:build linux

package strategies_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"unsafe"

	"golang.org/x/sys/unix"

	"github.com/writebench/writebench/internal/fstest"
	"github.com/writebench/writebench/strategies"
)

// preallocVariants are the variants that create files themselves or
// through a per-file writer with the prealloc knob.
func preallocVariants() []variant {
	var vs []variant
	for _, v := range variants() {
		if slices.Contains(strategies.Knobs(v.s, v.perFile), "prealloc") {
			vs = append(vs, v)
		}
	}
	return vs
}

// usesMmap says whether v stores into a mapping (the strategy or its
// per-file writer is mmap), which passes no per-write flags.
func usesMmap(v variant) bool { return v.s.Name() == "mmap" || v.perFile == "mmap" }

// TestPreallocWrites writes every prealloc variant with each mode, the
// empty file included (fallocate of length 0 is EINVAL, so nothing is
// reserved for it), and verifies every byte: a reserved size must be
// overwritten, never left as zeros.
func TestPreallocWrites(t *testing.T) {
	for _, v := range preallocVariants() {
		for _, m := range strategies.PreallocModes() {
			for _, size := range []int64{0, 4097} {
				t.Run(fmt.Sprintf("%s/prealloc=%s/size=%d", v.name(), m, size), func(t *testing.T) {
					b := newBatch(t, 2, size, strategies.Params{PerFile: v.perFile, Prealloc: m, Record: 1000, Chunk: 3000})
					if err := v.s.Write(context.Background(), b); err != nil {
						if r, ok := strategies.SkipReason(err); ok && m == strategies.PreallocFallocate {
							t.Skipf("skipped: %s", r)
						}
						t.Fatalf("Write: %v", err)
					}
					if err := strategies.Verify(context.Background(), b); err != nil {
						t.Fatalf("Verify: %v", err)
					}
				})
			}
		}
	}
}

// TestPreallocReserves stops each single-goroutine-per-file strategy after
// its first MiB of an 8 MiB file and stats what is left: truncate and
// fallocate have set the whole size at create, and only fallocate has
// allocated the blocks (ext4 counts delayed-allocation reservations of the
// written pages in st_blocks, so none and truncate show about 1 MiB).
// mmap sets the size itself whatever the mode, so none's size is not
// checked. Pool and semaphore cancel through a derived context that the
// countdown cannot reach; they share writeFile and are covered by
// TestPreallocWrites.
func TestPreallocReserves(t *testing.T) {
	fstest.Each(t, testPreallocReserves)
}

func testPreallocReserves(t *testing.T, kind, dir string) {
	const size = 8 << 20
	for _, v := range preallocVariants() {
		if v.perFile != "" {
			continue
		}
		for _, m := range strategies.PreallocModes() {
			t.Run(v.name()+"/prealloc="+string(m), func(t *testing.T) {
				b := newBatch(t, 1, size, strategies.Params{Prealloc: m, Record: 4096, Chunk: 64 << 10})
				b.Dir = subdir(t, dir)
				ctx := newCountdown(2) // the check before create passes, the one after 1 MiB cancels
				defer ctx.cancel()
				err := v.s.Write(ctx, b)
				if r, ok := strategies.SkipReason(err); ok && (m == strategies.PreallocFallocate || v.s.Name() == "direct" && isTmpfs(dir)) {
					t.Skipf("skipped on %s: %s", kind, r)
				}
				if !errors.Is(err, context.Canceled) {
					t.Fatalf("Write = %v, want context.Canceled after the first MiB", err)
				}
				var st unix.Stat_t
				if err := unix.Stat(b.Path(0), &st); err != nil {
					t.Fatal(err)
				}
				allocated := st.Blocks * 512
				switch m {
				case strategies.PreallocFallocate:
					if st.Size != size || allocated < size {
						t.Errorf("fallocate: size %d, %d bytes allocated; want %d and at least %d", st.Size, allocated, size, size)
					}
				case strategies.PreallocTruncate:
					if st.Size != size || allocated >= size {
						t.Errorf("truncate: size %d, %d bytes allocated; want %d and fewer (sparse)", st.Size, allocated, size)
					}
				case strategies.PreallocNone:
					if allocated >= size || (!usesMmap(v) && st.Size >= size) {
						t.Errorf("none: size %d, %d bytes allocated; want both below %d (the file grows as written)", st.Size, allocated, size)
					}
				}
			})
		}
	}
}

// TestPreallocUnknownMode checks that a mode outside PreallocModes fails
// the cell naming it instead of being taken as none.
func TestPreallocUnknownMode(t *testing.T) {
	for _, v := range preallocVariants() {
		t.Run(v.name(), func(t *testing.T) {
			b := newBatch(t, 1, 100, strategies.Params{PerFile: v.perFile, Prealloc: "posix"})
			err := v.s.Write(context.Background(), b)
			if err == nil || !strings.Contains(err.Error(), `"posix"`) {
				t.Fatalf("Write with --prealloc posix = %v, want an error naming it", err)
			}
		})
	}
}

// mountFS mounts a filesystem of type fstype on a fresh directory for the
// test, or skips the test with the reason.
func mountFS(t *testing.T, fstype string) string {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skipf("skipped: mounting %s needs root", fstype)
	}
	dir := t.TempDir()
	if out, err := exec.Command("mount", "-t", fstype, fstype, dir).CombinedOutput(); err != nil {
		t.Skipf("skipped: mount -t %s failed: %v: %s", fstype, err, out)
	}
	t.Cleanup(func() {
		if out, err := exec.Command("umount", dir).CombinedOutput(); err != nil {
			t.Errorf("umount %s: %v: %s", dir, err, out)
		}
	})
	return dir
}

// TestPreallocFallocateRefused runs --prealloc fallocate on ramfs, which
// has no fallocate(2): every cell is skipped with the reason, not failed
// and not silently written without the reservation. A strategy that cannot
// write on ramfs at all (its --prealloc none cell is skipped there, as
// O_DIRECT's is) must be skipped for that same reason instead.
func TestPreallocFallocateRefused(t *testing.T) {
	ramfs := mountFS(t, "ramfs")
	for _, v := range preallocVariants() {
		t.Run(v.name(), func(t *testing.T) {
			p := strategies.Params{PerFile: v.perFile, Prealloc: strategies.PreallocFallocate}
			cantRun, cannot := skipsAnyway(t, v, ramfs, 2, 4097, p, func(p *strategies.Params) { p.Prealloc = strategies.PreallocNone })
			b := newBatchIn(t, ramfs, 2, 4097, p)
			err := v.s.Write(context.Background(), b)
			r, ok := strategies.SkipReason(err)
			if cannot {
				if !ok || normalize(r, b.Dir) != cantRun {
					t.Fatalf("Write = %v, want the skip of --prealloc none on ramfs: %q", err, cantRun)
				}
				return
			}
			if !ok || !strings.Contains(r, "fallocate") || !strings.Contains(r, "not supported") {
				t.Fatalf("Write = %v, want a skip naming fallocate and EOPNOTSUPP", err)
			}
		})
	}
}

// newBatchIn is newBatch in a fresh directory under root.
func newBatchIn(t *testing.T, root string, files int, size int64, p strategies.Params) *strategies.Batch {
	t.Helper()
	dir, err := os.MkdirTemp(root, "c")
	if err != nil {
		t.Fatal(err)
	}
	b := newBatch(t, files, size, p)
	b.Dir = dir
	return b
}

// skipsAnyway runs v's cell p with the knob under test set back to its
// plain value by plain, in a fresh directory under root, and returns the
// skip reason when that plain cell is skipped too (the strategy cannot
// write there at all: O_DIRECT on tmpfs or ramfs), with the directory
// replaced by normalize's placeholder. Any other failure of the plain cell
// fails the test.
func skipsAnyway(t *testing.T, v variant, root string, files int, size int64, p strategies.Params, plain func(*strategies.Params)) (string, bool) {
	t.Helper()
	plain(&p)
	b := newBatchIn(t, root, files, size, p)
	err := v.s.Write(context.Background(), b)
	if r, ok := strategies.SkipReason(err); ok {
		return normalize(r, b.Dir), true
	}
	if err != nil {
		t.Fatalf("the plain cell (%+v) failed: %v", b.Params, err)
	}
	return "", false
}

// normalize replaces a batch directory in a skip reason, so reasons of two
// batches compare.
func normalize(reason, dir string) string { return strings.ReplaceAll(reason, dir, "<dir>") }

// isTmpfs reports whether dir is on a tmpfs.
func isTmpfs(dir string) bool {
	var st unix.Statfs_t
	return unix.Statfs(dir, &st) == nil && st.Type == unix.TMPFS_MAGIC
}

// TestPerWriteFlags runs --sync dsync and uncached on every variant, on
// the test's own filesystem (ext4 here) and on a tmpfs. A strategy that
// refuses a mode by design (strategies.FlagRefuser: its writes cannot
// carry the flag, as mmap's stores, the shared-file writers' os.File writes
// and O_DIRECT with RWF_DONTCACHE) must skip with the reason it declares,
// naming the mode. A strategy that cannot write on the filesystem at all
// (its --sync none cell is skipped there, as O_DIRECT's is on tmpfs) must
// skip for that same reason. Every other one passes the flag: dsync must
// work (RWF_DSYNC needs nothing of the filesystem); tmpfs has no uncached
// buffered writes, so uncached must be skipped there naming RWF_DONTCACHE
// and Linux 6.14 (a variant that succeeds has not passed the flag);
// elsewhere uncached works or is skipped naming RWF_DONTCACHE.
func TestPerWriteFlags(t *testing.T) {
	dirs := map[string]string{"tempdir": t.TempDir()}
	if shm := "/dev/shm"; isTmpfs(shm) {
		d, err := os.MkdirTemp(shm, "writebench-test-")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { os.RemoveAll(d) })
		dirs["tmpfs"] = d
	} else {
		t.Log("no tmpfs at /dev/shm: the refusal path is not exercised")
	}
	for _, where := range []string{"tempdir", "tmpfs"} {
		root, ok := dirs[where]
		if !ok {
			continue
		}
		tmpfs := isTmpfs(root)
		for _, v := range variants() {
			p := forRecords(v.s, strategies.Params{PerFile: v.perFile, Record: 1000, Chunk: 16 << 10})
			var cantRun string
			var cannot, checked bool
			for _, mode := range []strategies.SyncMode{strategies.SyncDsync, strategies.SyncUncached} {
				t.Run(fmt.Sprintf("%s/%s/sync=%s", where, v.name(), mode), func(t *testing.T) {
					refusal, refuses := refusesFlags(v.s, v.perFile, mode)
					if !refuses && !checked {
						cantRun, cannot = skipsAnyway(t, v, root, 2, 70001, p, func(p *strategies.Params) { p.Sync = strategies.SyncNone })
						checked = true
					}
					p := p
					p.Sync = mode
					b := newBatchIn(t, root, 2, 70001, p)
					err := v.s.Write(context.Background(), b)
					reason, skipped := strategies.SkipReason(err)
					switch {
					case refuses:
						if !skipped || reason != refusal || !strings.Contains(reason, "{sync} "+string(mode)) {
							t.Fatalf("Write = %v, want the skip RefusesFlags declares, naming --sync %s: %q", err, mode, refusal)
						}
					case cannot:
						if !skipped || normalize(reason, b.Dir) != cantRun {
							t.Fatalf("Write = %v, want the skip of --sync none here: %q", err, cantRun)
						}
					case mode == strategies.SyncUncached && tmpfs:
						if !skipped || !strings.Contains(reason, "RWF_DONTCACHE") || !strings.Contains(reason, "6.14") {
							t.Fatalf("Write on tmpfs = %v, want a skip naming RWF_DONTCACHE and Linux 6.14 (success means the flag was not passed)", err)
						}
					case mode == strategies.SyncUncached && skipped:
						if !strings.Contains(reason, "RWF_DONTCACHE") {
							t.Fatalf("skip reason %q does not name RWF_DONTCACHE", reason)
						}
						t.Skipf("skipped: %s", reason)
					default:
						if err != nil {
							t.Fatalf("Write: %v", err)
						}
						checkWritten(t, v.s, b)
					}
				})
			}
		}
	}
	// The declared refusals hold where they are known: mmap stores into a
	// mapping, so the mmap writer, wherever it is used, refuses both modes.
	for _, mode := range []strategies.SyncMode{strategies.SyncDsync, strategies.SyncUncached} {
		for _, v := range variants() {
			if _, refuses := refusesFlags(v.s, v.perFile, mode); usesMmap(v) && !refuses {
				t.Errorf("RefusesFlags(%s, --sync %s) = false, but mmap makes no write to pass the flag to", v.name(), mode)
			}
		}
	}
}

const flagsChildEnv = "WRITEBENCH_TEST_FLAGS_DIR"

// flagCases are the writes TestPerWriteFlagsReachKernel traces: a strategy,
// a sync mode, the syscall every write of the file must be and the flag it
// must carry, and how many calls one file of flagFileSize takes.
var flagCases = []struct {
	strategy string
	sync     strategies.SyncMode
	call     string // the syscall strace must show
	flag     string // as strace 6.1 prints it ("" for none)
	calls    int
}{
	{"chunked", strategies.SyncNone, "write", "", 5},
	{"chunked", strategies.SyncDsync, "pwritev2", "RWF_DSYNC", 5},
	{"chunked", strategies.SyncUncached, "pwritev2", "0x80", 5},
	{"bufio", strategies.SyncDsync, "pwritev2", "RWF_DSYNC", 9}, // 8 KiB buffer flushes
	{"writev", strategies.SyncNone, "writev", "", 5},
	{"writev", strategies.SyncDsync, "pwritev2", "RWF_DSYNC", 5},
	{"offload", strategies.SyncDsync, "pwritev2", "RWF_DSYNC", 65}, // 1 KiB records
	{"unbounded", strategies.SyncUncached, "pwritev2", "0x80", 5},
}

// flagFileSize is 64 KiB + 1: 5 chunks of 16 KiB, 5 writev(2) of 64
// records of 256 bytes, 9 flushes of an 8 KiB buffer, 65 records of 1 KiB.
const flagFileSize = 64<<10 + 1

// TestPerWriteFlagsChild is not a test: run by TestPerWriteFlagsReachKernel
// under strace, it writes one file per flagCases entry into
// $WRITEBENCH_TEST_FLAGS_DIR/<index>.
func TestPerWriteFlagsChild(t *testing.T) {
	root := os.Getenv(flagsChildEnv)
	if root == "" {
		t.Skip("helper process for TestPerWriteFlagsReachKernel")
	}
	for k, c := range flagCases {
		s, err := strategies.Lookup(c.strategy)
		if err != nil {
			t.Fatal(err)
		}
		dir := filepath.Join(root, strconv.Itoa(k))
		if err := os.Mkdir(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		b := newBatch(t, 1, flagFileSize, strategies.Params{Sync: c.sync, Chunk: 16 << 10, Record: 256, Batch: 64})
		if c.strategy == "offload" {
			b.Params.Record = 1024 // 65 records; the last is 1 byte
		}
		b.Dir = dir
		if err := s.Write(context.Background(), b); err != nil {
			t.Fatalf("%s --sync %s: %v", c.strategy, c.sync, err)
		}
	}
}

// TestPerWriteFlagsReachKernel runs TestPerWriteFlagsChild under
// strace -f -y and checks every write-family call on each scratch file:
// plain write(2)/writev(2) for --sync none, pwritev2(2) at offset -1 with
// RWF_DSYNC or RWF_DONTCACHE (0x80, which strace 6.1 cannot name) for
// dsync and uncached, and the expected number of calls.
func TestPerWriteFlagsReachKernel(t *testing.T) {
	if _, err := exec.LookPath("strace"); err != nil {
		t.Skip("skipped: strace is not installed")
	}
	if isTmpfs(os.TempDir()) {
		t.Skip("skipped: the temporary directory is a tmpfs, which refuses RWF_DONTCACHE")
	}
	root := t.TempDir()
	log := filepath.Join(t.TempDir(), "strace.log")
	cmd := exec.Command("strace", "-f", "-y", "-qq", "-s", "0", "-o", log, "-e", "trace=write,writev,pwritev2",
		os.Args[0], "-test.run=^TestPerWriteFlagsChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), flagsChildEnv+"="+root)
	if out, err := cmd.CombinedOutput(); err != nil {
		if strings.Contains(string(out), "PTRACE_TRACEME") || strings.Contains(string(out), "ptrace") {
			t.Skipf("skipped: strace cannot trace here: %s", out)
		}
		t.Fatalf("child under strace: %v\n%s", err, out)
	}
	f, err := os.Open(log)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	got := make([]int, len(flagCases))
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		i := strings.Index(line, "<"+root+"/")
		if i < 0 {
			continue
		}
		rest := line[i+len(root)+2:]
		k, err := strconv.Atoi(rest[:strings.IndexByte(rest, '/')])
		if err != nil || k >= len(flagCases) {
			t.Fatalf("unexpected path in %q", line)
		}
		c := flagCases[k]
		call := strings.Fields(line)[1]
		call = call[:strings.IndexByte(call, '(')]
		if call != c.call {
			t.Errorf("%s --sync %s made %s: %.200s", c.strategy, c.sync, call, line)
			continue
		}
		if c.flag != "" && !strings.Contains(line, ", -1, "+c.flag) {
			t.Errorf("%s --sync %s: %.200s… lacks offset -1 and %s", c.strategy, c.sync, line, c.flag)
		}
		got[k]++
	}
	for k, c := range flagCases {
		if got[k] != c.calls {
			t.Errorf("%s --sync %s: %d %s calls on its file, want %d", c.strategy, c.sync, got[k], c.call, c.calls)
		}
	}
}

// TestWritevBatchBounds checks --batch against IOV_MAX: MaxBatch works and
// gathers that many records into each call, MaxBatch+1 fails the cell
// naming the flag and the limit, and the kernel itself refuses one iovec
// more than MaxBatch (so the bound is the kernel's, not ours).
func TestWritevBatchBounds(t *testing.T) {
	wv, err := strategies.Lookup("writev")
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		batch int
		ok    bool
	}{{1, true}, {7, true}, {strategies.MaxBatch, true}, {strategies.MaxBatch + 1, false}, {1 << 20, false}} {
		t.Run(fmt.Sprintf("batch=%d", tt.batch), func(t *testing.T) {
			b := newBatch(t, 1, 3*strategies.MaxBatch+5, strategies.Params{Record: 3, Batch: tt.batch})
			before := syscw(t)
			err := wv.Write(context.Background(), b)
			calls := syscw(t) - before
			if !tt.ok {
				if err == nil || !strings.Contains(err.Error(), "{batch} "+strconv.Itoa(tt.batch)) || !strings.Contains(err.Error(), "IOV_MAX") {
					t.Fatalf("Write = %v, want an error naming --batch %d and IOV_MAX", err, tt.batch)
				}
				return
			}
			if err != nil {
				t.Fatalf("Write: %v", err)
			}
			if err := strategies.Verify(context.Background(), b); err != nil {
				t.Fatalf("Verify: %v", err)
			}
			// 3*MaxBatch+5 bytes in 3-byte records: MaxBatch+2 records.
			want := int64((strategies.MaxBatch + 2 + tt.batch - 1) / tt.batch)
			if calls < want || calls > want+2 {
				t.Errorf("syscw grew by %d, want %d writev calls (+2 for the runtime)", calls, want)
			}
		})
	}
	t.Run("gather above 1GiB", func(t *testing.T) {
		b := newBatch(t, 1, 2<<30, strategies.Params{Record: 1<<20 + 1, Batch: strategies.MaxBatch})
		err := wv.Write(context.Background(), b)
		if err == nil || !strings.Contains(err.Error(), "{batch} 1024") || !strings.Contains(err.Error(), "{record} 1048577") {
			t.Fatalf("Write = %v, want an error naming --record and --batch", err)
		}
	})
	t.Run("kernel", func(t *testing.T) {
		f, err := os.Create(filepath.Join(t.TempDir(), "f"))
		if err != nil {
			t.Fatal(err)
		}
		defer f.Close()
		p := []byte("x")
		iov := make([]unix.Iovec, strategies.MaxBatch+1)
		for k := range iov {
			iov[k] = unix.Iovec{Base: &p[0]}
			iov[k].SetLen(1)
		}
		for _, n := range []int{strategies.MaxBatch, strategies.MaxBatch + 1} {
			_, _, errno := unix.Syscall(unix.SYS_WRITEV, f.Fd(), uintptr(unsafe.Pointer(&iov[0])), uintptr(n))
			if n == strategies.MaxBatch && errno != 0 {
				t.Errorf("writev of %d iovecs: %v", n, errno)
			}
			if n > strategies.MaxBatch && errno != syscall.EINVAL {
				t.Errorf("writev of %d iovecs: %v, want EINVAL", n, errno)
			}
		}
	})
}

// syscw reads the write-family syscall count of this process.
func syscw(t *testing.T) int64 {
	t.Helper()
	data, err := os.ReadFile("/proc/self/io")
	if err != nil {
		t.Skipf("skipped: %v", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "syscw: "); ok {
			n, _ := strconv.ParseInt(v, 10, 64)
			return n
		}
	}
	t.Skip("skipped: no syscw in /proc/self/io")
	return 0
}

// refusesFlags is s's declared refusal of mode m (strategies.FlagRefuser).
func refusesFlags(s strategies.Strategy, perFile string, m strategies.SyncMode) (reason string, refused bool) {
	if r, ok := s.(strategies.FlagRefuser); ok {
		if reason := r.RefusesFlags(perFile, m); reason != "" {
			return reason, true
		}
	}
	return "", false
}
