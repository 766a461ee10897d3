package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/resultset"
)

// FuzzLoad feeds arbitrary bytes to Load's decoder, as a user may hand any
// file to "writebench report" or "compare". It must never panic and must
// fail with a one-line error; a set it accepts must render in every format
// and compare with itself without panicking, and must decode again after
// being encoded the way Save encodes it. Seed corpus: testdata/fuzz/FuzzLoad/ plus the
// fixtures in testdata/*.json.
func FuzzLoad(f *testing.F) {
	fixtures, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, p := range fixtures {
		data, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		f.Add(data[:len(data)/2]) // truncated
	}
	for _, s := range []string{"", "   \n", "null", "[]", "{}", `{"tool":"writebench"}`, `{"schema":1}`,
		`{"schema":2,"tool":"writebench"}`, `{"schema":0,"tool":"writebench"}`, `{"schema":"1","tool":"writebench"}`,
		`{"schema":1,"tool":"writebench","results":[{"strategy":"x","sync":"none","seconds":[1]}]}`,
		`{"schema":1,"tool":"writebench","results":[{"strategy":"x","files":-1,"sync":"none"}]}`,
		`{"schema":1,"tool":"fio"}`, "\x00\x01\x02"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		// Load is os.ReadFile plus Decode and the file name; the fuzzer
		// calls Decode so that no file is written per input (on a busy disk
		// that alone stalls the fuzzer).
		s, err := resultset.Decode(bytes.NewReader(data))
		if err != nil {
			if s != nil {
				t.Fatalf("Decode returned a set and error %v", err)
			}
			if msg := err.Error(); msg == "" || strings.ContainsAny(msg, "\n\r") {
				t.Fatalf("Decode error %q: want one non-empty line", msg)
			}
			return
		}
		for _, format := range formatList {
			if err := Render(io.Discard, []*resultset.Set{s}, []string{"a"}, format); err != nil && !isWriteErr(err) {
				t.Fatalf("Render %s of a set Load accepted: %v", format, err)
			}
		}
		if _, err := judge.Compare(s, s, judge.Options{}); err != nil {
			t.Fatalf("Compare of a set Load accepted with itself: %v", err)
		}
		// Save without its fsync (which can stall for seconds on a busy
		// disk): the same encoding, decoded again.
		data2, err := json.MarshalIndent(s, "", "  ")
		if err != nil {
			t.Fatalf("encode a loaded set: %v", err)
		}
		if _, err := resultset.Decode(bytes.NewReader(data2)); err != nil {
			t.Fatalf("a set Load accepted does not decode again after encoding: %v", err)
		}
	})
}

func isWriteErr(err error) bool { return errors.Is(err, io.ErrShortWrite) }
