package writebench

import (
	"errors"
	"strings"
	"testing"

	"github.com/writebench/writebench/internal/sysinfo"
)

// TestCheckLimitsWith: a cell is refused when its threads exceed what
// RLIMIT_NPROC leaves the user or the Go runtime's thread limit, or its
// memory and thread stacks exceed what RLIMIT_AS leaves, naming the limit
// and the flag to lower; a cell within every limit passes.
func TestCheckLimitsWith(t *testing.T) {
	cellsOf := func(cfg Config) []cell {
		t.Helper()
		c := cfg.withDefaults()
		cells, err := c.expand()
		if err != nil {
			t.Fatal(err)
		}
		return cells
	}
	pool := Config{Strategies: []string{"pool"}, Files: []int{64}, Sizes: []int64{65536}, Knobs: map[string][]string{"concurrency": {"64"}}}
	unbounded := Config{Strategies: []string{"unbounded"}, Files: []int{500}, Sizes: []int64{4096}}
	small := Config{Strategies: []string{"chunked"}, Files: []int{1}, Sizes: []int64{4096}}
	nproc := processLimits{Limits: sysinfo.Limits{CheckThreads: true, ThreadLimit: 40, OtherTasks: 10, UID: 1000}}
	as := processLimits{Limits: sysinfo.Limits{CheckAddr: true, AddrLimit: 2 << 30, AddrNow: 1900 << 20, ThreadStack: 8 << 20, ThreadsNow: 5}}
	for _, tc := range []struct {
		name string
		cfg  Config
		l    processLimits
		want []string // empty: accepted
	}{
		{"64 workers, 30 threads left", pool, nproc, []string{"RLIMIT_NPROC", "uid 1000", "10 of them in use", "--concurrency"}},
		{"a goroutine per file", unbounded, nproc, []string{"RLIMIT_NPROC", "--files"}},
		{"one worker", small, nproc, nil},
		{"past Go's own limit", pool, processLimits{goMaxThreads: 50}, []string{"Go runtime's limit of 50 threads", "--concurrency"}},
		{"64 thread stacks in 148 MiB of address space", pool, as, []string{"RLIMIT_AS", "ulimit -v", "--concurrency"}},
		{"a small cell in 148 MiB", small, as, nil},
		{"no limits", pool, processLimits{}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := checkLimitsWith(cellsOf(tc.cfg), false, tc.l)
			if len(tc.want) == 0 {
				if err != nil {
					t.Errorf("refused: %v", err)
				}
				return
			}
			if err == nil {
				t.Fatal("accepted")
			}
			// The library names fields; a caller names them its way
			// (the command: by flag).
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("%v is not a *ConfigError", err)
			}
			text := ce.Text(func(f string) string { return "--" + f })
			for _, w := range tc.want {
				if !strings.Contains(text, w) {
					t.Errorf("%q does not say %q", text, w)
				}
			}
			if strings.Contains(err.Error(), "--") {
				t.Errorf("%q names a flag", err)
			}
		})
	}
}
