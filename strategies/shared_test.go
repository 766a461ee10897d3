package strategies_test

import (
	"context"
	"os"
	"runtime"
	"strings"
	"testing"

	"github.com/writebench/writebench/internal/fstest"
	"github.com/writebench/writebench/strategies"
)

// sharedSafe says which record-verifying strategies must never corrupt a
// record (true) and which are the unsafe patterns claim 6 warns about.
var sharedSafe = map[string]bool{
	"shared-unlocked": false,
	"shared-locked":   true,
	"shared-pwrite":   true,
	"shared-queue":    true,
	"paired-unlocked": false,
	"paired-locked":   true,
}

// recordVerifiers returns every registered strategy that verifies records.
func recordVerifiers(t *testing.T) []strategies.Strategy {
	t.Helper()
	var out []strategies.Strategy
	for _, s := range strategies.All() {
		if _, ok := s.(strategies.RecordVerifier); ok {
			out = append(out, s)
		}
	}
	return out
}

// TestSharedSafetyDeclared makes every record verifier state in sharedSafe
// whether it must be safe, so none escapes the safety tests below.
func TestSharedSafetyDeclared(t *testing.T) {
	rvs := recordVerifiers(t)
	if len(rvs) == 0 {
		t.Fatal("no registered strategy implements RecordVerifier")
	}
	for _, s := range rvs {
		if _, ok := sharedSafe[s.Name()]; !ok {
			t.Errorf("%s verifies records but is not in sharedSafe", s.Name())
		}
	}
	for n := range sharedSafe {
		if _, err := strategies.Lookup(n); err != nil {
			t.Errorf("sharedSafe names %s: %v", n, err)
		}
	}
}

// expectedRecords is the documented division of a shared file: each of the
// writers writes size / (writers * (header + record)) whole records.
func expectedRecords(size int64, writers, record int) int64 {
	per := size / (int64(writers) * int64(strategies.RecordHeaderSize+record))
	return per * int64(writers)
}

// checkSharedFiles checks what every record strategy guarantees, safe or
// not: no bytes are lost or added (each shared file holds exactly its
// records' bytes, each index exactly its entries), nothing is duplicated,
// and every expected record is accounted for.
func checkSharedFiles(t *testing.T, s strategies.Strategy, b *strategies.Batch, c strategies.RecordCounts) {
	t.Helper()
	perFile := expectedRecords(b.Size, b.Params.Concurrency, b.Params.Record)
	if c.Expected != perFile*int64(b.Files) {
		t.Errorf("Expected = %d, want %d", c.Expected, perFile*int64(b.Files))
	}
	if c.Duplicated != 0 {
		t.Errorf("Duplicated = %d: no writer writes a record twice", c.Duplicated)
	}
	if c.Intact+c.Lost > c.Expected || c.Intact == 0 {
		t.Errorf("counts %+v do not add up", c)
	}
	paired := hasIndex(b)
	for i := 0; i < b.Files; i++ {
		st, err := os.Stat(b.Path(i))
		if err != nil {
			t.Fatal(err)
		}
		if want := perFile * int64(strategies.RecordHeaderSize+b.Params.Record); st.Size() != want {
			t.Errorf("%s is %d bytes, want %d (every record's bytes, no more)", b.Path(i), st.Size(), want)
		}
		st, err = os.Stat(b.Path(i) + ".idx")
		if paired {
			if err != nil {
				t.Fatal(err)
			}
			if want := perFile * strategies.IndexEntrySize; st.Size() != want {
				t.Errorf("%s.idx is %d bytes, want %d", b.Path(i), st.Size(), want)
			}
		} else if err == nil {
			t.Errorf("%s wrote %s.idx but not file 0's index", s.Name(), b.Path(i))
		}
	}
}

// hasIndex reports whether the batch's strategy wrote index files (pairs).
func hasIndex(b *strategies.Batch) bool {
	_, err := os.Stat(b.Path(0) + ".idx")
	return err == nil
}

// TestSharedSafeVariantsClean runs the safe variants over odd shapes (run
// it with -race), on the temporary directory's filesystem and on tmpfs, xfs
// and btrfs: not one record may be torn, lost, duplicated or mis-indexed.
func TestSharedSafeVariantsClean(t *testing.T) {
	fstest.Each(t, func(t *testing.T, _, dir string) { testSharedSafeVariantsClean(t, dir) })
}

func testSharedSafeVariantsClean(t *testing.T, dir string) {
	shapes := []struct {
		name  string
		files int
		size  int64
		p     strategies.Params
	}{
		{"8 writers 300B records 4KiB buffer", 1, 1 << 20, strategies.Params{Record: 300, Buffer: 4096, Concurrency: 8}},
		{"odd sizes, 2 files", 2, 300_001, strategies.Params{Record: 1000, Buffer: 3000, Concurrency: 3, Sync: strategies.SyncData}},
		{"buffer smaller than a record", 1, 100_000, strategies.Params{Record: 700, Buffer: 512, Concurrency: 5}},
		{"one writer", 1, 50_000, strategies.Params{Record: 1, Buffer: 64, Concurrency: 1, Sync: strategies.SyncClose}},
		{"one record per writer", 3, 4 * (strategies.RecordHeaderSize + 256), strategies.Params{Concurrency: 4}},
	}
	for _, s := range recordVerifiers(t) {
		if !sharedSafe[s.Name()] {
			continue
		}
		for _, sh := range shapes {
			t.Run(s.Name()+"/"+sh.name, func(t *testing.T) {
				b := newBatch(t, sh.files, sh.size, sh.p)
				b.Dir = subdir(t, dir)
				if err := s.Write(context.Background(), b); err != nil {
					t.Fatal(err)
				}
				c, err := s.(strategies.RecordVerifier).VerifyRecords(context.Background(), b)
				if err != nil {
					t.Fatal(err)
				}
				if c.Corrupt() != 0 || c.Intact != c.Expected {
					t.Errorf("%s corrupted records: %+v", s.Name(), c)
				}
				checkSharedFiles(t, s, b, c)
				for i := range b.Latency {
					if b.Latency[i] <= 0 {
						t.Errorf("Latency[%d] = %v, want > 0", i, b.Latency[i])
					}
					synced := sh.p.Sync == strategies.SyncData || sh.p.Sync == strategies.SyncClose
					if synced != (b.SyncTime[i] > 0) {
						t.Errorf("SyncTime[%d] = %v with --sync %s", i, b.SyncTime[i], b.Params.Sync)
					}
				}
			})
		}
	}
}

// TestUnsafeVariantsCorrupt checks that the unsafe patterns really corrupt
// records on this machine, with the figures' shape (8 writers, 300-byte
// records, 4 KiB buffers). Whether a repetition corrupts depends on how the
// writers happen to overlap, which grows with the file, so the test runs up
// to 8 repetitions from 1 MiB, doubling the size up to 16 MiB, and passes at
// the first corrupt one (docs/figures.md has how often repetitions tear).
// Writers only overlap when they run in parallel, hence the GOMAXPROCS skip.
func TestUnsafeVariantsCorrupt(t *testing.T) {
	if runtime.GOMAXPROCS(0) < 2 {
		t.Skip("the writers of one shared file overlap only when they run in parallel; GOMAXPROCS is 1")
	}
	for _, s := range recordVerifiers(t) {
		if sharedSafe[s.Name()] {
			continue
		}
		t.Run(s.Name(), func(t *testing.T) {
			var seen []strategies.RecordCounts
			for rep := range 8 {
				size := int64(1<<20) << min(rep, 4)
				b := newBatch(t, 1, size, strategies.Params{Record: 300, Buffer: 4096, Concurrency: 8})
				if err := s.Write(context.Background(), b); err != nil {
					t.Fatal(err)
				}
				c, err := s.(strategies.RecordVerifier).VerifyRecords(context.Background(), b)
				if err != nil {
					t.Fatal(err)
				}
				checkSharedFiles(t, s, b, c)
				if hasIndex(b) && (c.Torn != 0 || c.Lost != 0) {
					t.Errorf("%s tore records (%+v): every data write is one whole O_APPEND write", s.Name(), c)
				}
				if c.Corrupt() > 0 {
					return
				}
				seen = append(seen, c)
			}
			t.Errorf("%s corrupted nothing in %d repetitions: %+v", s.Name(), len(seen), seen)
		})
	}
}

// TestSharedSkips checks the cells these strategies cannot run: each is
// skipped with a reason naming the flag, before any file is created.
func TestSharedSkips(t *testing.T) {
	tests := []struct {
		name string
		size int64
		p    strategies.Params
		want string
	}{
		{"size below one record per writer", 8*(strategies.RecordHeaderSize+300) - 1, strategies.Params{Record: 300, Concurrency: 8}, "{sizes} 2655 bytes is too small for {concurrency} 8 writers of one {record} 300 record"},
		{"empty file", 0, strategies.Params{}, "{sizes} 0 bytes is too small"},
		{"record too large for the header", 1 << 30, strategies.Params{Record: 1 << 24, Concurrency: 1}, "{record} 16777216"},
		{"too many writers", 1 << 30, strategies.Params{Record: 1, Concurrency: 1<<16 + 1}, "{concurrency} 65537"},
		{"too many records per writer", 1 << 40, strategies.Params{Record: 1, Concurrency: 1}, "more than the 4294967296 a record header can number"},
		{"dsync", 1 << 20, strategies.Params{Sync: strategies.SyncDsync}, "{sync} dsync"},
		{"uncached", 1 << 20, strategies.Params{Sync: strategies.SyncUncached}, "{sync} uncached"},
	}
	for _, s := range recordVerifiers(t) {
		for _, tt := range tests {
			t.Run(s.Name()+"/"+tt.name, func(t *testing.T) {
				b := newBatch(t, 1, tt.size, tt.p)
				err := s.Write(context.Background(), b)
				reason, ok := strategies.SkipReason(err)
				if !ok || !strings.Contains(reason, tt.want) {
					t.Fatalf("Write = %v, want a skip whose reason contains %q", err, tt.want)
				}
				if n := countFiles(t, b.Dir); n != 0 {
					t.Errorf("a skipped cell created %d files", n)
				}
			})
		}
	}
}
