//go:build linux

package strategies_test

import (
	"fmt"
	"testing"

	"github.com/writebench/writebench/internal/fstest"
	"github.com/writebench/writebench/strategies"
)

// TestFilesystems runs every strategy (O_DIRECT, io_uring and the
// shared-file writers included) on the temporary directory's filesystem
// and on tmpfs, xfs and btrfs (loop devices made by the test; skipped with
// the reason where the machine cannot), with odd sizes, preallocation and
// sync modes, and reads every byte back. What differs per filesystem is
// checked too: O_DIRECT works with the alignment statx reports on every
// disk filesystem and is skipped, with the reason, on tmpfs.
func TestFilesystems(t *testing.T) {
	type shape struct {
		files int
		size  int64
		p     strategies.Params
	}
	shapes := []shape{
		{1, 1<<20 + 3, strategies.Params{}},
		{3, 4097, oddParams},
		{2, 8193, strategies.Params{Prealloc: strategies.PreallocFallocate}},
		{2, 8193, strategies.Params{Prealloc: strategies.PreallocTruncate}},
		{2, 4095, strategies.Params{Sync: strategies.SyncClose}},
		{2, 70000, strategies.Params{Sync: strategies.SyncData}},
	}
	fstest.Each(t, func(t *testing.T, kind, dir string) {
		tmpfs := isTmpfs(dir)
		a, err := strategies.ProbeDirectAlignment(dir)
		_, skipped := strategies.SkipReason(err)
		switch {
		case tmpfs && !skipped:
			t.Errorf("ProbeDirectAlignment on tmpfs = %+v, %v; want a skip (tmpfs has no direct I/O)", a, err)
		case !tmpfs && err != nil:
			t.Errorf("ProbeDirectAlignment on %s: %v", kind, err)
		case !tmpfs && (a.Bytes < 512 || a.Bytes&(a.Bytes-1) != 0):
			t.Errorf("direct-I/O alignment on %s: %+v, want a power of two of at least 512", kind, a)
		}
		for _, v := range variants() {
			for _, sh := range shapes {
				p := sh.p
				p.PerFile = v.perFile
				name := fmt.Sprintf("%s/files=%d/size=%d/sync=%s/prealloc=%s", v.name(), sh.files, sh.size, p.WithDefaults().Sync, p.WithDefaults().Prealloc)
				t.Run(name, func(t *testing.T) {
					b := newBatch(t, sh.files, sh.size, forRecords(v.s, p))
					b.Dir = subdir(t, dir)
					err := v.s.Write(t.Context(), b)
					reason, skip := strategies.SkipReason(err)
					if v.s.Name() == "direct" {
						if tmpfs && !skip {
							t.Fatalf("direct on tmpfs: %v, want a skip", err)
						}
						if !tmpfs && skip {
							t.Fatalf("direct on %s skipped: %s", kind, reason)
						}
					}
					if skip {
						if _, shared := v.s.(strategies.RecordVerifier); shared || v.s.Name() == "direct" || v.s.Name() == "uring" {
							t.Skipf("%s on %s: %s", v.name(), kind, reason)
						}
						t.Fatalf("%s skipped on %s: %s", v.name(), kind, reason)
					}
					if err != nil {
						t.Fatalf("Write on %s: %v", kind, err)
					}
					checkWritten(t, v.s, b)
				})
			}
		}
	})
}
