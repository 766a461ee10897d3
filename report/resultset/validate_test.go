package resultset

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func validSet() *Set {
	return &Set{Schema: SchemaVersion, Tool: Tool, Complete: true, Env: Env{Start: time.Unix(0, 0).UTC()},
		Results: []Cell{{
			Strategy: "chunked", Files: 2, FileSize: 4096, Chunk: 65536, Sync: "none",
			Seconds: []float64{0.1}, WriteSyscalls: []int64{1}, StorageBytes: []int64{-1},
			SyncSeconds: []float64{0}, UserSeconds: []float64{0}, SysSeconds: []float64{0},
			Allocs: []uint64{0}, AllocBytes: []uint64{0},
		}}}
}

// TestLoadRejectsUntrusted saves sets with hostile names and impossible
// values to real files: Load must refuse each, naming the problem, and a
// name with escape sequences must appear escaped in the error.
func TestLoadRejectsUntrusted(t *testing.T) {
	for _, tc := range []struct {
		name string
		mut  func(c *Cell)
		want string
	}{
		{"pipe in name", func(c *Cell) { c.Strategy = "a|b" }, "invalid strategy name"},
		{"newline heading", func(c *Cell) { c.Strategy = "x\n# pwned" }, "invalid strategy name"},
		{"escape sequence", func(c *Cell) { c.Strategy = "\x1b[2Jx" }, `\x1b[2Jx`},
		{"formula", func(c *Cell) { c.Strategy = "=cmd" }, "invalid strategy name"},
		{"space", func(c *Cell) { c.Strategy = "my strategy" }, "invalid strategy name"},
		{"too long", func(c *Cell) { c.Strategy = strings.Repeat("a", 65) }, "invalid strategy name"},
		{"per_file", func(c *Cell) { c.PerFile = "x y" }, "invalid per_file"},
		{"overflow", func(c *Cell) { c.Files, c.FileSize = 1<<20, math.MaxInt64/1000 }, "overflows"},
		{"negative chunk", func(c *Cell) { c.Chunk = -1 }, "negative chunk"},
		{"negative concurrency", func(c *Cell) { c.Concurrency = -5 }, "negative concurrency"},
		{"prealloc", func(c *Cell) { c.Prealloc = "evil" }, "unknown prealloc"},
		{"negative sync seconds", func(c *Cell) { c.SyncSeconds = []float64{-1} }, "invalid sync_seconds"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := validSet()
			tc.mut(&s.Results[0])
			data, _ := json.Marshal(s)
			path := filepath.Join(t.TempDir(), "set.json")
			os.WriteFile(path, data, 0o644)
			_, err := Load(path)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Load = %v, want an error with %q", err, tc.want)
			}
			if strings.ContainsAny(err.Error(), "\x1b\n") {
				t.Errorf("error holds raw control characters: %q", err)
			}
		})
	}
	data, _ := json.Marshal(validSet())
	path := filepath.Join(t.TempDir(), "ok.json")
	os.WriteFile(path, data, 0o644)
	if _, err := Load(path); err != nil {
		t.Errorf("a valid set does not load: %v", err)
	}
}

// TestLoadRefusesDevices: an endless device (/dev/zero) or a directory
// given as a set fails at once instead of filling memory.
func TestLoadRefusesDevices(t *testing.T) {
	for _, p := range []string{"/dev/zero", "/dev/urandom", t.TempDir()} {
		if _, err := os.Stat(p); err != nil {
			continue
		}
		if _, err := Load(p); err == nil || !strings.Contains(err.Error(), "not a result set file") {
			t.Errorf("Load(%s) = %v, want a refusal", p, err)
		}
	}
}

func TestPrintable(t *testing.T) {
	for _, tc := range []struct{ in, out string }{
		{"/tmp/plain", "/tmp/plain"},
		{`C:\dir`, `C:\dir`},
		{"a\x1b[31m\\", `a\x1b[31m\\`},
		{"tab\there", `tab\there`},
		{"\u202eevil", `\u202eevil`},
		{"\u009b", `\u009b`},
		{"\xff", `\xff`},
		{"héllo", "héllo"},
	} {
		if got := Printable(tc.in); got != tc.out {
			t.Errorf("Printable(%q) = %q, want %q", tc.in, got, tc.out)
		}
	}
}
