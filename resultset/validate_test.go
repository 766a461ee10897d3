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
		{"timelines count", func(c *Cell) { c.Timelines = []Timeline{{}, {}} }, "timelines has 2 samples"},
		{"timeline lengths", func(c *Cell) {
			c.Timelines = []Timeline{{Seconds: []float64{0, 1}, Bytes: []int64{0}, Dirty: []int64{0, 0}, Writeback: []int64{0, 0}}}
		}, "t, bytes, dirty and writeback have 2, 1"},
		{"timeline backwards", func(c *Cell) {
			c.Timelines = []Timeline{{Seconds: []float64{0, 1, 0.5}, Bytes: []int64{0, 1, 2}, Dirty: []int64{0, 0, 0}, Writeback: []int64{0, 0, 0}}}
		}, "not a time after"},
		{"timeline bytes shrink", func(c *Cell) {
			c.Timelines = []Timeline{{Seconds: []float64{0, 1}, Bytes: []int64{5, 1}, Dirty: []int64{0, 0}, Writeback: []int64{0, 0}}}
		}, "below the previous"},
		{"timeline too long", func(c *Cell) {
			n := MaxTimelinePoints + 1
			c.Timelines = []Timeline{{Seconds: make([]float64, n), Bytes: make([]int64, n), Dirty: make([]int64, n), Writeback: make([]int64, n)}}
		}, "more than 512"},
		{"latency buckets overlap", func(c *Cell) {
			c.WriteLatency = []WriteLatency{{Buckets: [][3]int64{{8, 9, 1}, {9, 10, 1}}, Max: 1e-8}}
		}, "write_latency sample 0: bucket 1"},
		{"latency zero count", func(c *Cell) {
			c.WriteLatency = []WriteLatency{{Buckets: [][3]int64{{8, 9, 0}}}}
		}, "positive count"},
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

// nSamples gives the one cell of validSet n samples of 0.1 s in rounds
// 0..n-1.
func nSamples(c *Cell, n int) {
	c.Seconds, c.WriteSyscalls, c.StorageBytes = nil, nil, nil
	c.SyncSeconds, c.UserSeconds, c.SysSeconds, c.Allocs, c.AllocBytes = nil, nil, nil, nil, nil
	c.Rounds = nil
	for k := range n {
		c.Rounds = append(c.Rounds, k)
		c.Seconds = append(c.Seconds, 0.1)
		c.WriteSyscalls = append(c.WriteSyscalls, 1)
		c.StorageBytes = append(c.StorageBytes, -1)
		c.SyncSeconds = append(c.SyncSeconds, 0)
		c.UserSeconds = append(c.UserSeconds, 0)
		c.SysSeconds = append(c.SysSeconds, 0)
		c.Allocs = append(c.Allocs, 0)
		c.AllocBytes = append(c.AllocBytes, 0)
	}
}

// loadCells saves a set of cells to a file and loads it.
func loadCells(t *testing.T, cells ...Cell) (string, error) {
	t.Helper()
	s := validSet()
	s.Results = cells
	data, err := json.Marshal(s)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "set.json")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	_, err = Load(path)
	return path, err
}

// TestValidateSampleRules: samples and shapes the runner never records
// (a zero, huge or subnormal time, no files, rounds out of order) are
// refused with one line naming the file, the cell and the field, and the
// edge values it can record still load.
func TestValidateSampleRules(t *testing.T) {
	for _, tc := range []struct {
		name string
		mut  func(c *Cell)
		want string // "" = must load
	}{
		{"seconds 1e308", func(c *Cell) { c.Seconds[0] = 1e308 }, "invalid seconds sample 1e+308 (sample 0)"},
		{"seconds 0", func(c *Cell) { c.Seconds[0] = 0 }, "invalid seconds sample 0 (sample 0): want a time from 1e-12 to 1e+09 s"},
		{"seconds negative", func(c *Cell) { c.Seconds[0] = -0.5 }, "invalid seconds sample -0.5"},
		{"seconds subnormal", func(c *Cell) { c.Seconds[0] = 5e-324 }, "invalid seconds sample 5e-324"},
		{"seconds above the maximum", func(c *Cell) { c.Seconds[0] = 2 * MaxSeconds }, "invalid seconds sample 2e+09"},
		{"second sample bad", func(c *Cell) { nSamples(c, 3); c.Seconds[2] = 0 }, "invalid seconds sample 0 (sample 2)"},
		{"sync_seconds huge", func(c *Cell) { c.SyncSeconds[0] = 1e300 }, "invalid sync_seconds sample 1e+300 (sample 0): want a time from 0 to 1e+09 s"},
		{"latency huge", func(c *Cell) { c.LatencyMax = []float64{1e300} }, "invalid latency_max sample 1e+300"},
		{"files 0", func(c *Cell) { c.Files = 0 }, "files is 0"},
		{"files 0 skipped", func(c *Cell) { nSamples(c, 0); c.Files, c.Skipped = 0, "no io_uring" }, "files is 0"},
		{"rounds negative", func(c *Cell) { c.Rounds = []int{-1} }, "invalid rounds entry -1 (sample 0)"},
		{"rounds duplicated", func(c *Cell) { nSamples(c, 3); c.Rounds = []int{0, 1, 1} }, "invalid rounds entry 1 (sample 2): not after the previous sample's round 1"},
		{"rounds decreasing", func(c *Cell) { nSamples(c, 3); c.Rounds = []int{2, 1, 3} }, "invalid rounds entry 1 (sample 1)"},

		{"seconds at the minimum", func(c *Cell) { c.Seconds[0] = MinSeconds }, ""},
		{"seconds at the maximum", func(c *Cell) { c.Seconds[0] = MaxSeconds }, ""},
		{"zero sync and CPU time", func(c *Cell) { c.SyncSeconds[0], c.UserSeconds[0] = 0, 0 }, ""},
		{"rounds with gaps", func(c *Cell) { nSamples(c, 3); c.Rounds = []int{0, 4, 9} }, ""},
		{"no rounds (older sets)", func(c *Cell) { nSamples(c, 3); c.Rounds = nil }, ""},
		{"skipped, no samples", func(c *Cell) { nSamples(c, 0); c.Skipped = "no io_uring" }, ""},
		{"size 0", func(c *Cell) { c.FileSize = 0 }, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := validSet().Results[0]
			tc.mut(&c)
			path, err := loadCells(t, c)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("Load refused a set the runner can write: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatalf("Load accepted it, want an error with %q", tc.want)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, path+": result 0 (chunked): ") || !strings.Contains(msg, tc.want) || strings.Contains(msg, "\n") {
				t.Errorf("Load error %q: want one line with the path, \"result 0 (chunked)\" and %q", msg, tc.want)
			}
		})
	}
}

// TestValidateDuplicateCells: two results with one key (the same strategy
// and parameters) are refused, naming both, and so are prealloc absent and
// "none" (one key); cells that differ in any one parameter load.
func TestValidateDuplicateCells(t *testing.T) {
	a := validSet().Results[0]
	other := a
	other.Strategy = "bufio"
	other.Chunk, other.Record, other.Buffer = 0, 256, 8192

	dup := a
	path, err := loadCells(t, a, other, dup)
	want := "result 2 (chunked): duplicate cell: same strategy and parameters as result 0 (strategy=chunked/files=2/size=4KiB/chunk=64KiB/sync=none)"
	if err == nil || err.Error() != path+": "+want {
		t.Errorf("Load = %v, want %q", err, path+": "+want)
	}

	// prealloc "" and "none" have one key: the same cell.
	none := a
	none.Prealloc = "none"
	if _, err := loadCells(t, a, none); err == nil || !strings.Contains(err.Error(), "result 1 (chunked): duplicate cell") {
		t.Errorf("prealloc \"\" and \"none\": Load = %v, want a duplicate cell", err)
	}

	for name, mut := range map[string]func(c *Cell){
		"chunk":    func(c *Cell) { c.Chunk = 4096 },
		"files":    func(c *Cell) { c.Files = 3 },
		"size":     func(c *Cell) { c.FileSize = 8192 },
		"sync":     func(c *Cell) { c.Sync = "data" },
		"prealloc": func(c *Cell) { c.Prealloc = "fallocate" },
	} {
		b := a
		mut(&b)
		if _, err := loadCells(t, a, other, b); err != nil {
			t.Errorf("cells differing in %s: Load = %v", name, err)
		}
	}
}

// TestWriteLatencyQuantiles checks the quantiles and CCDF read off a
// histogram: the highest value of the bucket holding the nearest rank,
// capped at the maximum.
func TestWriteLatencyQuantiles(t *testing.T) {
	h := WriteLatency{Buckets: [][3]int64{{1000, 1099, 90}, {8000, 8999, 9}, {1_000_000, 1_099_999, 1}}, Max: 0.00105}
	for _, tc := range []struct {
		q    float64
		want float64
	}{{0.5, 1.099e-6}, {0.9, 1.099e-6}, {0.91, 8.999e-6}, {0.99, 8.999e-6}, {0.999, 0.00105}, {1, 0.00105}} {
		got, ok := h.Quantile(tc.q)
		if !ok || math.Abs(got-tc.want) > 1e-12 {
			t.Errorf("Quantile(%v) = %v, want %v", tc.q, got, tc.want)
		}
	}
	x, f := h.CCDF()
	if len(x) != 3 || f[0] != 0.1 || math.Abs(f[1]-0.01) > 1e-12 || f[2] != 0 || x[2] != 0.00105 {
		t.Fatalf("CCDF = %v %v", x, f)
	}
	if _, ok := (&WriteLatency{}).Quantile(0.5); ok {
		t.Fatal("an empty histogram has a quantile")
	}
}
