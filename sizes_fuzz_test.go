package writebench

import (
	"strconv"
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

// FuzzParseSizeList checks that a list is accepted exactly when every
// comma-separated item is a size ParseSize accepts, with the same values.
func FuzzParseSizeList(f *testing.F) {
	for _, s := range []string{"4KiB,64KiB,1MiB", "4096", "", ",", "1,,2", "1, 2", "4KiB,-1", "4KB,4KiB", " , "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseSizeList(s)
		if err != nil {
			if got != nil {
				t.Fatalf("ParseSizeList(%q) = %v with error %v", s, got, err)
			}
			return
		}
		items := strings.Split(s, ",")
		if len(got) != len(items) || len(got) == 0 {
			t.Fatalf("ParseSizeList(%q) = %v: want %d items", s, got, len(items))
		}
		for i, it := range items {
			want, err := ParseSize(it)
			if err != nil || want != got[i] {
				t.Fatalf("ParseSizeList(%q)[%d] = %d, ParseSize(%q) = %d, %v", s, i, got[i], it, want, err)
			}
		}
	})
}

// FuzzParseIntList checks that accepted lists hold only values in
// [0, MaxInt32] and that they match strconv on the same items.
func FuzzParseIntList(f *testing.F) {
	for _, s := range []string{"1,16,256", "10_000", "0", "-1", "", "1,,2", "2147483647", "2147483648", "99999999999999999999", "1.5", "+3", " 7 "} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got, err := ParseIntList(s)
		if err != nil {
			if got != nil {
				t.Fatalf("ParseIntList(%q) = %v with error %v", s, got, err)
			}
			return
		}
		items := strings.Split(s, ",")
		if len(got) != len(items) {
			t.Fatalf("ParseIntList(%q) = %v: want %d items", s, got, len(items))
		}
		for i, it := range items {
			if got[i] < 0 || got[i] > 1<<31-1 {
				t.Fatalf("ParseIntList(%q)[%d] = %d, out of range", s, i, got[i])
			}
			want, err := strconv.ParseInt(strings.ReplaceAll(strings.TrimSpace(it), "_", ""), 10, 64)
			if err != nil || int(want) != got[i] {
				t.Fatalf("ParseIntList(%q)[%d] = %d, strconv says %d, %v", s, i, got[i], want, err)
			}
		}
	})
}
