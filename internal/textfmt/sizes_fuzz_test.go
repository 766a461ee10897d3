package textfmt

import (
	"strings"
	"testing"

	"github.com/writebench/writebench/resultset"
)

// Fuzz targets for the parsers every size and list flag goes through. Seed
// corpora live in testdata/fuzz/<FuzzName>/; CI runs each target briefly
// (.ci/run).

// FuzzParseSize checks that ParseSize never panics, never returns a negative
// size with a nil error, and that every size it accepts survives a round
// trip through resultset.FormatBytes (the form writebench prints sizes in).
func FuzzParseSize(f *testing.F) {
	for _, s := range []string{"0", "4096", "4096B", "4KiB", "1mib", " 2GiB ", "1TiB", "1PiB", "8191PiB",
		"-1", "4KB", "4k", "1.5MiB", "", "KiB", "9223372036854775807", "9223372036854775808", "4 KiB", "0x10"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := ParseSize(s)
		if err != nil {
			if n != 0 {
				t.Fatalf("ParseSize(%q) = %d with error %v", s, n, err)
			}
			if strings.ContainsRune(err.Error(), '\n') {
				t.Fatalf("ParseSize(%q): multi-line error %q", s, err)
			}
			return
		}
		if n < 0 {
			t.Fatalf("ParseSize(%q) = %d, negative", s, n)
		}
		back, err := ParseSize(resultset.FormatBytes(n))
		if err != nil || back != n {
			t.Fatalf("ParseSize(%q) = %d, but FormatBytes gives %q which parses to %d, %v", s, n, resultset.FormatBytes(n), back, err)
		}
	})
}
