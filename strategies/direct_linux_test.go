package strategies

import (
	"context"
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/writebench/writebench/internal/fstest"
)

// TestDirectAlignment checks where the alignment comes from on the
// temporary directory's filesystem and on tmpfs, xfs and btrfs, and that
// the chunk is rounded down to it.
func TestDirectAlignment(t *testing.T) {
	fstest.Each(t, func(t *testing.T, _, dir string) { testDirectAlignment(t, dir) })
}

func testDirectAlignment(t *testing.T, dir string) {
	fd, err := unix.Open(dir+"/probe", unix.O_CREAT|unix.O_WRONLY|unix.O_DIRECT|unix.O_CLOEXEC, 0o644)
	if err == unix.EINVAL {
		t.Skipf("%s refuses O_DIRECT", dir)
	}
	if err != nil {
		t.Fatal(err)
	}
	a, err := dioAlignment(fd, dir+"/probe")
	unix.Close(fd)
	if reason, ok := SkipReason(err); ok {
		t.Skipf("no direct I/O under %s: %s", dir, reason)
	}
	if err != nil {
		t.Fatal(err)
	}
	if a.Bytes < 1 || a.Bytes&(a.Bytes-1) != 0 || a.Source == "" {
		t.Fatalf("alignment %+v, want a power of two and its source", a)
	}
	t.Logf("%s: %d bytes from %s", dir, a.Bytes, a.Source)
	if p, err := ProbeDirectAlignment(dir); err != nil || p != a {
		t.Errorf("ProbeDirectAlignment(%s) = %+v, %v; want %+v", dir, p, err, a)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 1+lostFound(dir) {
		t.Errorf("ProbeDirectAlignment left files behind: %d entries", len(ents))
	}

	tests := []struct {
		chunk     int
		size      int64
		wantChunk int
	}{
		{a.Bytes*3 + 1, 1 << 20, a.Bytes * 3},       // rounded down
		{64 << 10, 100, a.Bytes},                    // clamped to the size rounded up
		{64 << 10, int64(a.Bytes) * 2, a.Bytes * 2}, // exact
		{max(64<<10, a.Bytes), 1 << 20, max(64<<10, a.Bytes)},
	}
	for _, tt := range tests {
		b := kernelBatch(t, mkdirUnder(t, dir), 2, tt.size, Params{Chunk: tt.chunk})
		d := &directRun{b: b, w: newPathWorker(b)}
		for i := range 2 {
			if err := d.file(context.Background(), i); err != nil {
				t.Fatal(err)
			}
		}
		if d.chunk != tt.wantChunk {
			t.Errorf("chunk %d, size %d: wrote in %d-byte pieces, want %d", tt.chunk, tt.size, d.chunk, tt.wantChunk)
		}
		if p := uintptrOf(d.buf.mem()); p%uintptr(a.Bytes) != 0 {
			t.Errorf("buffer at %#x is not %d-aligned", p, a.Bytes)
		}
		checkFiles(t, b)
	}

	// A chunk below the alignment is refused with the reason.
	if a.Bytes > 1 {
		b := kernelBatch(t, mkdirUnder(t, dir), 1, 4096, Params{Chunk: a.Bytes - 1})
		err := (directStrategy{}).Write(context.Background(), b)
		if reason, ok := SkipReason(err); !ok || !strings.Contains(reason, "smaller than the direct-I/O alignment") {
			t.Errorf("chunk %d below alignment %d: %v, want a skip saying so", a.Bytes-1, a.Bytes, err)
		}
	}
}

// TestDirectSyncModes writes with every sync mode: the files are right,
// sync time is recorded for close/data, uncached is skipped with a reason.
func TestDirectSyncModes(t *testing.T) {
	for _, sync := range syncModeList {
		t.Run(string(sync), func(t *testing.T) {
			b := kernelBatch(t, "", 2, 10_000, Params{Chunk: 4096, Sync: sync, Prealloc: PreallocFallocate})
			err := (directStrategy{}).Write(context.Background(), b)
			if reason, ok := SkipReason(err); ok {
				if sync != SyncUncached && !strings.Contains(reason, "O_DIRECT") {
					t.Errorf("unexpected skip: %s", reason)
				}
				t.Skipf("skipped: %s", reason)
			}
			if sync == SyncUncached {
				t.Fatalf("--sync uncached: %v, want a skip", err)
			}
			if err != nil {
				t.Fatal(err)
			}
			checkFiles(t, b)
			synced := sync == SyncClose || sync == SyncData
			if got := b.SyncTime[0] > 0; got != synced {
				t.Errorf("SyncTime %v, want recorded %v", b.SyncTime[0], synced)
			}
		})
	}
}

// TestDirectOnTmpfs mounts a tmpfs (root only) and checks that direct is
// skipped there with the reason, while uring still writes.
func TestDirectOnTmpfs(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("mounting a tmpfs needs root")
	}
	dir := t.TempDir()
	if err := unix.Mount("writebench-test", dir, "tmpfs", 0, "size=16m"); err != nil {
		t.Skipf("cannot mount a tmpfs: %v", err)
	}
	t.Cleanup(func() {
		if err := unix.Unmount(dir, 0); err != nil {
			t.Errorf("unmount %s: %v", dir, err)
		}
	})
	b := kernelBatch(t, dir, 3, 5000, Params{})
	err := (directStrategy{}).Write(context.Background(), b)
	reason, ok := SkipReason(err)
	if !ok || !(strings.Contains(reason, "tmpfs") || strings.Contains(reason, "O_DIRECT")) {
		t.Fatalf("direct on tmpfs = %v, want a skip naming tmpfs or O_DIRECT", err)
	}
	t.Logf("skip reason: %s", reason)
	if _, err := ProbeDirectAlignment(dir); !isSkip(err) {
		t.Errorf("ProbeDirectAlignment on tmpfs = %v, want a skip", err)
	}

	skipIfNoRing(t)
	sub := dir + "/uring"
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	b = kernelBatch(t, sub, 3, 5000, Params{Chunk: 1000, QueueDepth: 2})
	if err := (uringStrategy{}).Write(context.Background(), b); err != nil {
		t.Fatalf("uring on tmpfs: %v", err)
	}
	checkFiles(t, b)

	// RWF_DONTCACHE on tmpfs: written, or skipped naming the flag.
	sub = dir + "/uncached"
	if err := os.Mkdir(sub, 0o755); err != nil {
		t.Fatal(err)
	}
	b = kernelBatch(t, sub, 2, 5000, Params{Sync: SyncUncached})
	err = (uringStrategy{}).Write(context.Background(), b)
	if reason, ok := SkipReason(err); ok {
		if !strings.Contains(reason, "RWF_DONTCACHE") {
			t.Errorf("skip reason %q does not name RWF_DONTCACHE", reason)
		}
		t.Logf("uncached uring on tmpfs: %s", reason)
	} else if err != nil {
		t.Fatalf("uncached uring on tmpfs: %v, want success or a skip", err)
	} else {
		checkFiles(t, b)
	}
}

// TestDirectShortWrite provokes a short O_DIRECT write (RLIMIT_FSIZE in a
// child process): the aligned rest must be continued at offset 10,240.
func TestDirectShortWrite(t *testing.T) {
	runChild(t, "fsize-direct")
}

// TestDirectNoLeak checks that good and failing direct batches leave no
// descriptor open.
func TestDirectNoLeak(t *testing.T) {
	s := directStrategy{}
	if err := s.Write(context.Background(), kernelBatch(t, "", 1, 10, Params{})); err != nil {
		if reason, ok := SkipReason(err); ok {
			t.Skip(reason)
		}
		t.Fatal(err)
	}
	fds0, _ := openFDs(t)
	for range 3 {
		if err := s.Write(context.Background(), kernelBatch(t, "", 3, 5000, Params{Sync: SyncClose})); err != nil {
			t.Fatal(err)
		}
		b := kernelBatch(t, "", 3, 10, Params{})
		if err := os.WriteFile(b.Path(2), nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := s.Write(context.Background(), b); err == nil {
			t.Fatal("Write over an existing file succeeded")
		}
		b = kernelBatch(t, "", 1, 10, Params{Chunk: 1})
		if _, ok := SkipReason(s.Write(context.Background(), b)); !ok {
			t.Fatal("chunk 1 was not skipped")
		}
	}
	if fds1, _ := openFDs(t); fds1 != fds0 {
		t.Errorf("%d descriptors open after, %d before", fds1, fds0)
	}
}

func isSkip(err error) bool { _, ok := SkipReason(err); return ok }

// mkdirUnder makes a fresh directory under dir, removed when t ends.
func mkdirUnder(t *testing.T, dir string) string {
	t.Helper()
	d, err := os.MkdirTemp(dir, "batch-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	return d
}

// lostFound is 1 when dir holds a lost+found directory (the root of a
// freshly made filesystem), else 0.
func lostFound(dir string) int {
	if _, err := os.Stat(dir + "/lost+found"); err == nil {
		return 1
	}
	return 0
}
