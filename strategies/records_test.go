package strategies_test

import (
	"bytes"
	"context"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/writebench/writebench/strategies"
)

// recordBatch is a batch of one shared file: 3 writers of 5 records of 100
// body bytes each (15 records of 132 bytes).
func recordBatch(t *testing.T) *strategies.Batch {
	t.Helper()
	const writers, per, body = 3, 5, 100
	return &strategies.Batch{
		Dir: t.TempDir(), Files: 1, Size: writers * per * (strategies.RecordHeaderSize + body),
		Params:  strategies.Params{Record: body, Buffer: 4096, Concurrency: writers}.WithDefaults(),
		Content: strategies.NewContent(5),
	}
}

const recTotal = strategies.RecordHeaderSize + 100

// writeClean writes b with the named strategy and checks the result is
// clean, so damage a test injects afterwards is the only damage.
func writeClean(t *testing.T, name string, b *strategies.Batch) strategies.RecordVerifier {
	t.Helper()
	s, err := strategies.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	rv, ok := s.(strategies.RecordVerifier)
	if !ok {
		t.Fatalf("%s does not implement RecordVerifier", name)
	}
	if err := s.Write(context.Background(), b); err != nil {
		t.Fatalf("%s.Write: %v", name, err)
	}
	c, err := rv.VerifyRecords(context.Background(), b)
	if err != nil {
		t.Fatal(err)
	}
	want := strategies.RecordCounts{Expected: 15, Intact: 15}
	if c != want {
		t.Fatalf("%s wrote %+v before any damage, want %+v", name, c, want)
	}
	return rv
}

// splice returns p with p[from:to] replaced by ins.
func splice(p []byte, from, to int, ins []byte) []byte {
	out := append([]byte(nil), p[:from]...)
	out = append(out, ins...)
	return append(out, p[to:]...)
}

func rec(p []byte, j int) []byte { return append([]byte(nil), p[j*recTotal:(j+1)*recTotal]...) }

// TestVerifyRecordsCountsDamage injects each kind of damage into a real
// shared file written by shared-locked and checks that each is counted
// exactly, in its own category.
func TestVerifyRecordsCountsDamage(t *testing.T) {
	tests := []struct {
		name   string
		damage func(p []byte) []byte
		want   strategies.RecordCounts
	}{
		{"none", func(p []byte) []byte { return p },
			strategies.RecordCounts{Expected: 15, Intact: 15}},
		{"torn: record 4 cut short", func(p []byte) []byte {
			return splice(p, 4*recTotal+90, 5*recTotal, nil)
		}, strategies.RecordCounts{Expected: 15, Intact: 14, Torn: 1}},
		{"torn: one body byte changed", func(p []byte) []byte {
			p[7*recTotal+strategies.RecordHeaderSize+50] ^= 0x20
			return p
		}, strategies.RecordCounts{Expected: 15, Intact: 14, Torn: 1}},
		{"torn: checksum of the last record wrong", func(p []byte) []byte {
			h := 14*recTotal + 23 // first checksum digit
			if p[h] == '0' {
				p[h] = '1'
			} else {
				p[h] = '0'
			}
			return p
		}, strategies.RecordCounts{Expected: 15, Intact: 14, Torn: 1}},
		{"torn: file cut inside the last record", func(p []byte) []byte {
			return p[:len(p)-7]
		}, strategies.RecordCounts{Expected: 15, Intact: 14, Torn: 1}},
		{"interleaved: record 9 moved into the middle of record 2", func(p []byte) []byte {
			r9 := rec(p, 9)
			p = splice(p, 9*recTotal, 10*recTotal, nil)
			return splice(p, 2*recTotal+60, 2*recTotal+60, r9)
		}, strategies.RecordCounts{Expected: 15, Intact: 14, Torn: 1}},
		{"interleaved: record 11 inside record 3, as two writers' flushes interleave", func(p []byte) []byte {
			r3, r11 := rec(p, 3), rec(p, 11)
			p = splice(p, 11*recTotal, 12*recTotal, nil)
			p = splice(p, 3*recTotal, 4*recTotal, nil)
			// r3[:80] r11 r3[80:] at the start.
			mixed := append(append(append([]byte(nil), r3[:80]...), r11...), r3[80:]...)
			return splice(p, 0, 0, mixed)
		}, strategies.RecordCounts{Expected: 15, Intact: 14, Torn: 1}},
		{"lost: record 6 removed", func(p []byte) []byte {
			return splice(p, 6*recTotal, 7*recTotal, nil)
		}, strategies.RecordCounts{Expected: 15, Intact: 14, Lost: 1}},
		{"lost: record cut inside its header", func(p []byte) []byte {
			return splice(p, 5*recTotal+20, 6*recTotal, nil)
		}, strategies.RecordCounts{Expected: 15, Intact: 14, Lost: 1}},
		{"lost: the whole file emptied", func(p []byte) []byte { return nil },
			strategies.RecordCounts{Expected: 15, Lost: 15}},
		{"duplicated: record 8 written twice", func(p []byte) []byte {
			return append(p, rec(p, 8)...)
		}, strategies.RecordCounts{Expected: 15, Intact: 15, Duplicated: 1}},
		{"duplicated: record 0 three times", func(p []byte) []byte {
			r := rec(p, 0)
			return append(append(p, r...), r...)
		}, strategies.RecordCounts{Expected: 15, Intact: 15, Duplicated: 2}},
		{"junk between records is not a record", func(p []byte) []byte {
			return splice(p, recTotal, recTotal, []byte("WRxxxx#junk junk junk\n"))
		}, strategies.RecordCounts{Expected: 15, Intact: 15}},
		{"a stray header naming no writer of the file", func(p []byte) []byte {
			r := rec(p, 0)
			copy(r[2:6], "00ff") // writer 255: the file has 3
			return append(p, r...)
		}, strategies.RecordCounts{Expected: 15, Intact: 15, Torn: 1}},
		{"all at once", func(p []byte) []byte {
			p[7*recTotal+strategies.RecordHeaderSize+50] ^= 0x20 // torn
			p = append(p, rec(p, 8)...)                          // duplicated
			return splice(p, 6*recTotal, 7*recTotal, nil)        // lost
		}, strategies.RecordCounts{Expected: 15, Intact: 13, Torn: 1, Lost: 1, Duplicated: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := recordBatch(t)
			rv := writeClean(t, "shared-locked", b)
			p, err := os.ReadFile(b.Path(0))
			if err != nil {
				t.Fatal(err)
			}
			if len(p) != 15*recTotal {
				t.Fatalf("shared file is %d bytes, want %d", len(p), 15*recTotal)
			}
			if err := os.WriteFile(b.Path(0), tt.damage(p), 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := rv.VerifyRecords(context.Background(), b)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("VerifyRecords = %+v, want %+v", got, tt.want)
			}
			if wantCorrupt := tt.want.Torn + tt.want.Lost + tt.want.Duplicated; got.Corrupt() != wantCorrupt {
				t.Errorf("Corrupt() = %d, want %d", got.Corrupt(), wantCorrupt)
			}
		})
	}
}

// indexOffset and setIndexOffset read and write the data offset of a
// paired index entry (14 hex digits after '@').
func indexOffset(t *testing.T, e []byte) int64 {
	t.Helper()
	at := bytes.IndexByte(e, '@')
	v, err := strconv.ParseInt(string(e[at+1:strategies.IndexEntrySize-1]), 16, 64)
	if err != nil {
		t.Fatalf("index entry %q: %v", e, err)
	}
	return v
}

func setIndexOffset(e []byte, off int64) {
	at := bytes.IndexByte(e, '@')
	s := strconv.FormatInt(off, 16)
	s = strings.Repeat("0", strategies.IndexEntrySize-2-at-len(s)) + s
	copy(e[at+1:], s)
}

// TestVerifyRecordsCountsPairDamage injects damage into a real pair
// written by paired-locked: index entries pointing at the wrong record,
// missing or repeated, junk, and a damaged data record (counted once, in
// the data's category, not again as a mismatch).
func TestVerifyRecordsCountsPairDamage(t *testing.T) {
	const E = strategies.IndexEntrySize
	entry := func(x []byte, j int) []byte { return x[j*E : (j+1)*E] }
	tests := []struct {
		name   string
		damage func(t *testing.T, data, index []byte) ([]byte, []byte)
		want   strategies.RecordCounts
	}{
		{"none", func(t *testing.T, d, x []byte) ([]byte, []byte) { return d, x },
			strategies.RecordCounts{Expected: 15, Intact: 15}},
		{"two entries' offsets swapped", func(t *testing.T, d, x []byte) ([]byte, []byte) {
			a, b := indexOffset(t, entry(x, 2)), indexOffset(t, entry(x, 9))
			setIndexOffset(entry(x, 2), b)
			setIndexOffset(entry(x, 9), a)
			return d, x
		}, strategies.RecordCounts{Expected: 15, Intact: 15, Mismatched: 2}},
		{"an entry pointing one record early (the unlocked race)", func(t *testing.T, d, x []byte) ([]byte, []byte) {
			off := indexOffset(t, entry(x, 5))
			if off < recTotal {
				t.Fatalf("entry 5 points at offset %d: a locked pair's index is in data order", off)
			}
			setIndexOffset(entry(x, 5), off-recTotal)
			return d, x
		}, strategies.RecordCounts{Expected: 15, Intact: 15, Mismatched: 1}},
		{"an entry missing", func(t *testing.T, d, x []byte) ([]byte, []byte) {
			return d, splice(x, 4*E, 5*E, nil)
		}, strategies.RecordCounts{Expected: 15, Intact: 15, Mismatched: 1}},
		{"an entry repeated", func(t *testing.T, d, x []byte) ([]byte, []byte) {
			return d, append(x, entry(x, 7)...)
		}, strategies.RecordCounts{Expected: 15, Intact: 15, Mismatched: 1}},
		{"a junk entry and a cut one", func(t *testing.T, d, x []byte) ([]byte, []byte) {
			junk := bytes.Repeat([]byte("?"), E)
			return d, append(append(x, junk...), entry(x, 0)[:10]...)
		}, strategies.RecordCounts{Expected: 15, Intact: 15, Mismatched: 2}},
		{"the index file emptied", func(t *testing.T, d, x []byte) ([]byte, []byte) { return d, nil },
			strategies.RecordCounts{Expected: 15, Intact: 15, Mismatched: 15}},
		{"a torn data record is torn, not also mismatched", func(t *testing.T, d, x []byte) ([]byte, []byte) {
			d[3*recTotal+strategies.RecordHeaderSize+1] ^= 0x40
			return d, x
		}, strategies.RecordCounts{Expected: 15, Intact: 14, Torn: 1}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b := recordBatch(t)
			rv := writeClean(t, "paired-locked", b)
			d, err := os.ReadFile(b.Path(0))
			if err != nil {
				t.Fatal(err)
			}
			x, err := os.ReadFile(b.Path(0) + ".idx")
			if err != nil {
				t.Fatal(err)
			}
			if len(x) != 15*E {
				t.Fatalf("index is %d bytes, want %d", len(x), 15*E)
			}
			d, x = tt.damage(t, d, x)
			if err := os.WriteFile(b.Path(0), d, 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(b.Path(0)+".idx", x, 0o644); err != nil {
				t.Fatal(err)
			}
			got, err := rv.VerifyRecords(context.Background(), b)
			if err != nil {
				t.Fatal(err)
			}
			if got != tt.want {
				t.Errorf("VerifyRecords = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// TestVerifyRecordsMissingAndUnreadable checks that a missing file counts
// its records lost (or unindexed) and that only an unreadable file is an
// error.
func TestVerifyRecordsMissingAndUnreadable(t *testing.T) {
	b := recordBatch(t)
	rv := writeClean(t, "paired-locked", b)
	if err := os.Remove(b.Path(0) + ".idx"); err != nil {
		t.Fatal(err)
	}
	got, err := rv.VerifyRecords(context.Background(), b)
	if want := (strategies.RecordCounts{Expected: 15, Intact: 15, Mismatched: 15}); err != nil || got != want {
		t.Errorf("without the index: %+v, %v; want %+v", got, err, want)
	}
	if err := os.Remove(b.Path(0)); err != nil {
		t.Fatal(err)
	}
	got, err = rv.VerifyRecords(context.Background(), b)
	if want := (strategies.RecordCounts{Expected: 15, Lost: 15}); err != nil || got != want {
		t.Errorf("without the data file: %+v, %v; want %+v", got, err, want)
	}
	if err := os.Mkdir(b.Path(0), 0o755); err != nil {
		t.Fatal(err)
	}
	if _, err := rv.VerifyRecords(context.Background(), b); err == nil || !strings.Contains(err.Error(), b.Path(0)) {
		t.Errorf("a directory in place of the data file: err = %v, want an error naming %s", err, b.Path(0))
	}
}
