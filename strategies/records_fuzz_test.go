package strategies

import (
	"bytes"
	"context"
	"testing"
)

// fuzzPlan is a small plan: 3 writers of 4 records of 40 body bytes.
var fuzzPlan = recordPlan{writers: 3, perWriter: 4, record: 40, total: RecordHeaderSize + 40}

// cleanFile returns the records of fuzzPlan for file 0, writer by writer.
func cleanFile(c *Content) []byte {
	var out []byte
	rec := make([]byte, fuzzPlan.total)
	for w := range fuzzPlan.writers {
		for seq := range fuzzPlan.perWriter {
			body := make([]byte, fuzzPlan.record)
			c.Expected(body, 0, fuzzPlan.bodyOffset(w, seq))
			encodeRecord(rec, w, seq, body)
			out = append(out, rec...)
		}
	}
	return out
}

// FuzzScanRecords feeds arbitrary data files and indexes to the verifier:
// it must not fail on bytes it can read, its counts must stay within their
// bounds, and appending junk after a clean file must not lose a record.
func FuzzScanRecords(f *testing.F) {
	c := NewContent(9)
	clean := cleanFile(c)
	var idx []byte
	e := make([]byte, IndexEntrySize)
	for k := range fuzzPlan.records() {
		encodeIndex(e, int(k/fuzzPlan.perWriter), k%fuzzPlan.perWriter, k*int64(fuzzPlan.total))
		idx = append(idx, e...)
	}
	f.Add(clean, idx)
	f.Add(clean[:len(clean)/2], idx[:40])
	f.Add(append(bytes.Clone(clean[:100]), clean...), []byte("IX"))
	f.Add([]byte("WR0000#00000000+000028/00000000\n"), []byte{})
	f.Fuzz(func(t *testing.T, data, index []byte) {
		for i, d := range [][]byte{data, append(bytes.Clone(clean), data...)} {
			tl := newTally(fuzzPlan, true)
			if err := scanData(context.Background(), bytes.NewReader(d), 0, c, tl, &scanBuffers{}); err != nil {
				t.Fatalf("scanData: %v", err)
			}
			mis, err := checkIndex(context.Background(), bytes.NewReader(index), tl, &scanBuffers{})
			if err != nil {
				t.Fatalf("checkIndex: %v", err)
			}
			cnt := tl.counts()
			if cnt.Expected != fuzzPlan.records() || cnt.Intact+cnt.Lost > cnt.Expected || cnt.Duplicated < 0 || cnt.Torn < 0 {
				t.Fatalf("counts out of bounds: %+v", cnt)
			}
			if maxMis := cnt.Intact + int64(len(index)/IndexEntrySize) + 1; mis < 0 || mis > maxMis {
				t.Fatalf("mismatched %d outside [0, %d]", mis, maxMis)
			}
			if i == 1 && cnt.Intact != cnt.Expected {
				t.Fatalf("junk appended after a clean file lost records: %+v", cnt)
			}
		}
	})
}
