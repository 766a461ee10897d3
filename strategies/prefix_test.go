package strategies_test

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/writebench/writebench/strategies"
)

// rankBatch is the batch MPI rank r writes under --shared-dir: its rank's
// file-name prefix and a content seed of its own (so ranks' files differ).
func rankBatch(dir string, r, files int, size int64, p strategies.Params) *strategies.Batch {
	return &strategies.Batch{
		Dir: dir, Files: files, Size: size, Params: p.WithDefaults(), Prefix: strategies.RankPrefix(r),
		Content:  strategies.NewContent(uint64(1 + r)),
		Latency:  make([]time.Duration, files),
		SyncTime: make([]time.Duration, files),
		Issued:   &strategies.Issued{},
	}
}

// dirNames lists dir's entries, sorted.
func dirNames(t *testing.T, dir string) []string {
	t.Helper()
	ents, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, e := range ents {
		names = append(names, e.Name())
	}
	return names
}

// TestSharedDirectory: every strategy writes two ranks' batches (prefixes
// r0- and r1-) into one directory; both verify; damage to one rank's files
// is found by that rank's verifier only; cleaning one prefix leaves the
// other rank's files whole.
func TestSharedDirectory(t *testing.T) {
	for _, v := range variants() {
		for _, sync := range []strategies.SyncMode{strategies.SyncNone, strategies.SyncData} {
			t.Run(v.name()+"/sync="+string(sync), func(t *testing.T) {
				p := forRecords(v.s, strategies.Params{PerFile: v.perFile, Sync: sync, Record: 1000, Chunk: 5003})
				dir := t.TempDir()
				const files, size = 12, 9000
				a := rankBatch(dir, 0, files, size, p)
				b := rankBatch(dir, 1, files, size, p)
				if !writeOrSkip(t, v.s, a) || !writeOrSkip(t, v.s, b) {
					return
				}
				if n := len(dirNames(t, dir)); n < 2*files {
					t.Fatalf("directory holds %d entries after two batches of %d files: one overwrote the other", n, files)
				}
				checkWritten(t, v.s, a)
				checkWritten(t, v.s, b)
				if _, ok := v.s.(strategies.RecordVerifier); ok {
					checkRecordsPerRank(t, v.s, a, b)
				} else {
					checkFilesPerRank(t, a, b)
				}
				// Cleaning rank 1's files leaves rank 0's, which still verify.
				if err := strategies.Clean(dir, b.Prefix); err != nil {
					t.Fatal(err)
				}
				for _, n := range dirNames(t, dir) {
					if !strings.HasPrefix(n, a.Prefix) {
						t.Errorf("Clean(%q) left %s", b.Prefix, n)
					}
				}
				checkWritten(t, v.s, a)
			})
		}
	}
}

// checkFilesPerRank: rank 0's and rank 1's files differ in content;
// corrupting, removing or adding a file of rank 1 fails rank 1's Verify,
// naming the file, and never rank 0's.
func checkFilesPerRank(t *testing.T, a, b *strategies.Batch) {
	t.Helper()
	ctx := context.Background()
	fa, err := os.ReadFile(a.Path(3))
	if err != nil {
		t.Fatal(err)
	}
	fb, err := os.ReadFile(b.Path(3))
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Equal(fa[strategies.HeaderSize:], fb[strategies.HeaderSize:]) {
		t.Error("rank 0's and rank 1's file 3 hold the same bytes: dedup could cheat")
	}
	verifyFails := func(what, path, detail string) {
		t.Helper()
		var ve *strategies.VerifyError
		if err := strategies.Verify(ctx, b); !errors.As(err, &ve) || ve.Path != path || !strings.Contains(err.Error(), detail) {
			t.Errorf("%s: rank 1's Verify = %v, want a VerifyError of %s saying %q", what, err, path, detail)
		}
		if err := strategies.Verify(ctx, a); err != nil {
			t.Errorf("%s (rank 1's file): rank 0's Verify = %v, want nil", what, err)
		}
	}
	// A corrupt byte in the middle of rank 1's file 5.
	orig, err := os.ReadFile(b.Path(5))
	if err != nil {
		t.Fatal(err)
	}
	bad := slices.Clone(orig)
	bad[5000] ^= 0xff
	if err := os.WriteFile(b.Path(5), bad, 0o644); err != nil {
		t.Fatal(err)
	}
	verifyFails("corrupt byte", b.Path(5), "offset 5000")
	// Rank 0's content in rank 1's file (what a shared-directory mix-up of
	// the two ranks writes): the body differs, not only the header.
	if err := os.WriteFile(b.Path(5), fa, 0o644); err != nil {
		t.Fatal(err)
	}
	verifyFails("rank 0's bytes", b.Path(5), "expected")
	if err := os.WriteFile(b.Path(5), orig, 0o644); err != nil {
		t.Fatal(err)
	}
	// A missing file of rank 1.
	if err := os.Remove(b.Path(7)); err != nil {
		t.Fatal(err)
	}
	verifyFails("missing file", b.Path(7), "missing")
	// An extra file named as rank 1's.
	extra := filepath.Join(b.Dir, b.Prefix+"f99")
	if err := os.WriteFile(b.Path(7), orig, 0o644); err != nil { // any content: the extra file is found first
		t.Fatal(err)
	}
	if err := os.WriteFile(extra, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	verifyFails("extra file", extra, "unexpected file")
	if err := os.Remove(extra); err != nil {
		t.Fatal(err)
	}
}

// checkRecordsPerRank: removing rank 1's shared files loses rank 1's
// records only; rank 0's counts do not change.
func checkRecordsPerRank(t *testing.T, s strategies.Strategy, a, b *strategies.Batch) {
	t.Helper()
	ctx := context.Background()
	rv := s.(strategies.RecordVerifier)
	before, err := rv.VerifyRecords(ctx, a)
	if err != nil {
		t.Fatal(err)
	}
	saved := map[string][]byte{}
	for i := 0; i < b.Files; i++ {
		for _, path := range []string{b.Path(i), b.Path(i) + ".idx"} {
			if data, err := os.ReadFile(path); err == nil {
				saved[path] = data
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
			}
		}
	}
	gone, err := rv.VerifyRecords(ctx, b)
	if err != nil {
		t.Fatal(err)
	}
	if gone.Lost != gone.Expected || gone.Expected == 0 {
		t.Errorf("rank 1's files removed: rank 1's counts %+v, want every record lost", gone)
	}
	after, err := rv.VerifyRecords(ctx, a)
	if err != nil || after != before {
		t.Errorf("rank 1's files removed: rank 0's counts %+v, %v; want unchanged %+v", after, err, before)
	}
	for path, data := range saved {
		if err := os.WriteFile(path, data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestVerifyPrefixEntries: with a prefix, Verify ignores other prefixes'
// entries (whatever they hold) but refuses a file named as one of the
// batch's files without the prefix, which only a strategy ignoring Prefix
// writes.
func TestVerifyPrefixEntries(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	b := rankBatch(dir, 2, 3, 5000, strategies.Params{})
	if err := strategies.All()[0].Write(ctx, b); err != nil {
		t.Fatal(err)
	}
	// Other ranks' entries, including r21- (r2- is a prefix of "r2" but
	// not of "r21-") and junk of no rank.
	for _, n := range []string{"r21-f0", "r1-f0", "r3-notes", "README"} {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := strategies.Verify(ctx, b); err != nil {
		t.Fatalf("Verify with other ranks' entries present: %v", err)
	}
	// An unprefixed name of the batch.
	if err := os.WriteFile(filepath.Join(dir, "f1"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := strategies.Verify(ctx, b); err == nil || !strings.Contains(err.Error(), "without its prefix") {
		t.Errorf("Verify with an unprefixed f1 = %v, want the missing prefix named", err)
	}
	// Without a prefix the directory is the batch's alone: everything else
	// is an extra file.
	plain := &strategies.Batch{Dir: t.TempDir(), Files: 2, Size: 10, Content: strategies.NewContent(1), Params: strategies.Params{}.WithDefaults()}
	if err := strategies.All()[0].Write(ctx, plain); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(plain.Dir, "r0-f0"), nil, 0o644); err != nil {
		t.Fatal(err)
	}
	if err := strategies.Verify(ctx, plain); err == nil || !strings.Contains(err.Error(), "unexpected file") {
		t.Errorf("Verify without a prefix, with r0-f0 present = %v, want an unexpected file", err)
	}
}

// TestCleanPrefix: Clean removes the entries of its prefix only (a
// subdirectory included), "" removes everything, and a prefix with '/' is
// refused before anything is removed.
func TestCleanPrefix(t *testing.T) {
	dir := t.TempDir()
	names := []string{"r1-f0", "r1-f1", "r1-f0.idx", "r10-f0", "r2-f0", "f0"}
	for _, n := range names {
		if err := os.WriteFile(filepath.Join(dir, n), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.MkdirAll(filepath.Join(dir, "r1-sub", "deep"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := strategies.Clean(dir, "../"); err == nil {
		t.Error(`Clean(dir, "../") accepted a prefix with '/'`)
	}
	if got := len(dirNames(t, dir)); got != len(names)+1 {
		t.Fatalf("refused Clean removed entries: %d left of %d", got, len(names)+1)
	}
	if err := strategies.Clean(dir, "r1-"); err != nil {
		t.Fatal(err)
	}
	if got, want := dirNames(t, dir), []string{"f0", "r10-f0", "r2-f0"}; !slices.Equal(got, want) {
		t.Errorf("after Clean(r1-): %q, want %q", got, want)
	}
	if err := strategies.Clean(dir, ""); err != nil {
		t.Fatal(err)
	}
	if got := dirNames(t, dir); len(got) != 0 {
		t.Errorf(`after Clean(""): %q left`, got)
	}
}

// TestCleanManyFiles: a directory of more entries than one read returns,
// mixed with another prefix's, is cleaned of its prefix's entries only.
func TestCleanManyFiles(t *testing.T) {
	dir := t.TempDir()
	const n = 5000
	for i := range n {
		b := &strategies.Batch{Dir: dir, Files: n, Prefix: strategies.RankPrefix(i % 2)}
		if err := os.WriteFile(b.Path(i), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := strategies.Clean(dir, "r0-"); err != nil {
		t.Fatal(err)
	}
	left := dirNames(t, dir)
	if len(left) != n/2 {
		t.Fatalf("%d entries left, want rank 1's %d", len(left), n/2)
	}
	for _, name := range left {
		if !strings.HasPrefix(name, "r1-") {
			t.Fatalf("Clean(r0-) left %s", name)
		}
	}
}

func TestRankPrefixAndPath(t *testing.T) {
	b := &strategies.Batch{Dir: "/d", Files: 1000, Prefix: strategies.RankPrefix(3)}
	if got := b.Path(42); got != "/d/r3-f042" {
		t.Errorf("Path(42) = %q, want /d/r3-f042", got)
	}
	for r := range 200 {
		for q := range 200 {
			if r != q && strings.HasPrefix(strategies.RankPrefix(q), strategies.RankPrefix(r)) {
				t.Fatalf("RankPrefix(%d) = %q is a prefix of RankPrefix(%d) = %q", r, strategies.RankPrefix(r), q, strategies.RankPrefix(q))
			}
		}
	}
	for _, bad := range []string{"a/b", "x\x00", strings.Repeat("r", strategies.MaxPrefix+1)} {
		if strategies.CheckPrefix(bad) == nil {
			t.Errorf("CheckPrefix(%q) accepted", bad)
		}
	}
}
