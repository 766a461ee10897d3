package textfmt

import (
	"slices"
	"strings"
	"testing"
)

func TestParseSize(t *testing.T) {
	tests := []struct {
		in   string
		want int64
	}{
		{"0", 0},
		{"1", 1},
		{"4096", 4096},
		{"4096B", 4096},
		{"4096b", 4096},
		{"4KiB", 4 << 10},
		{"4kib", 4 << 10},
		{"4KIB", 4 << 10},
		{"1MiB", 1 << 20},
		{"2GiB", 2 << 30},
		{"1TiB", 1 << 40},
		{"1PiB", 1 << 50},
		{" 64KiB ", 64 << 10},
		{"4 KiB", 4 << 10},
		{"0KiB", 0},
		{"8191PiB", 8191 << 50},
		{"9223372036854775807", 1<<63 - 1},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if err != nil || got != tt.want {
			t.Errorf("ParseSize(%q) = %d, %v; want %d", tt.in, got, err, tt.want)
		}
	}
}

func TestParseSizeRejects(t *testing.T) {
	tests := []struct {
		in   string
		want string // substring of the error
	}{
		{"4KB", "ambiguous unit"},
		{"4kb", "ambiguous unit"},
		{"4K", "ambiguous unit"},
		{"1M", "ambiguous unit"},
		{"2GB", "ambiguous unit"},
		{"1.5MiB", "fractions are not accepted"},
		{"-1", "negative"},
		{"-4KiB", "negative"},
		{"", "empty size"},
		{"   ", "empty size"},
		{"MiB", "does not start with a number"},
		{"+4", "does not start with a number"},
		{"99999999TiB", "too large"},
		{"8192PiB", "too large"},
		{"9223372036854775808", "too large"},
		{"0x10", "unknown unit"},
		{"4KiBs", "unknown unit"},
		{"4EiB", "unknown unit"},
		{"4 K iB", "unknown unit"},
	}
	for _, tt := range tests {
		got, err := ParseSize(tt.in)
		if err == nil {
			t.Errorf("ParseSize(%q) = %d, want an error", tt.in, got)
			continue
		}
		if got != 0 {
			t.Errorf("ParseSize(%q) = %d with an error, want 0", tt.in, got)
		}
		if !strings.Contains(err.Error(), tt.want) {
			t.Errorf("ParseSize(%q) error %q does not contain %q", tt.in, err, tt.want)
		}
		if strings.TrimSpace(tt.in) != "" && !strings.Contains(err.Error(), tt.in) {
			t.Errorf("ParseSize(%q) error %q does not quote the input", tt.in, err)
		}
	}
}

func TestParseList(t *testing.T) {
	tests := []struct {
		in      string
		want    []string
		wantErr string
	}{
		{"a", []string{"a"}, ""},
		{"bufio,chunked", []string{"bufio", "chunked"}, ""},
		{" bufio , chunked ", []string{"bufio", "chunked"}, ""},
		{"", nil, "empty list"},
		{"  ", nil, "empty list"},
		{"a,,b", nil, "empty item"},
		{"a,", nil, "empty item"},
		{",a", nil, "empty item"},
	}
	for _, tt := range tests {
		got, err := ParseList(tt.in)
		checkList(t, "ParseList", tt.in, got, err, tt.want, tt.wantErr)
	}
}

func checkList[T comparable](t *testing.T, fn, in string, got []T, err error, want []T, wantErr string) {
	t.Helper()
	if wantErr != "" {
		if err == nil || !strings.Contains(err.Error(), wantErr) {
			t.Errorf("%s(%q) = %v, %v; want an error containing %q", fn, in, got, err, wantErr)
		}
		return
	}
	if err != nil || !slices.Equal(got, want) {
		t.Errorf("%s(%q) = %v, %v; want %v", fn, in, got, err, want)
	}
}
