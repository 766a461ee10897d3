package writebench

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/writebench/writebench/internal/scratch"
	"github.com/writebench/writebench/internal/sysinfo"
	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies"
)

// recorder is a custom strategy that writes correct files and records the
// file count of every batch it is given, so a test can see the order in
// which the runner ran its cells (one cell per file count).
type recorder struct {
	name string
	mu   sync.Mutex
	log  []int
	// fail, when non-nil, is asked before each batch whether to fail it.
	fail func(b *strategies.Batch) error
	// hook, when non-nil, runs after each batch is recorded.
	hook func(n int)
}

func (r *recorder) Name() string     { return r.name }
func (r *recorder) Describe() string { return "records the order of its batches" }
func (r *recorder) Knobs() []string  { return nil }
func (r *recorder) Write(ctx context.Context, b *strategies.Batch) error {
	r.mu.Lock()
	r.log = append(r.log, b.Files)
	n := len(r.log)
	r.mu.Unlock()
	if r.hook != nil {
		defer r.hook(n)
	}
	if r.fail != nil {
		if err := r.fail(b); err != nil {
			return err
		}
	}
	data := make([]byte, b.Size)
	for i := 0; i < b.Files; i++ {
		b.Content.Expected(data, i, 0)
		if err := os.WriteFile(b.Path(i), data, 0o644); err != nil {
			return err
		}
		if b.Latency != nil {
			b.Latency[i] = time.Duration(i+1) * time.Microsecond
		}
	}
	return nil
}

func (r *recorder) calls() []int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return slices.Clone(r.log)
}

func cellCounts(cells []cell) map[string]int {
	m := map[string]int{}
	for _, c := range cells {
		m[c.res.Strategy]++
	}
	return m
}

// TestExpand checks the sweep expansion: a cartesian product in which knobs
// that do not apply to a strategy are not multiplied.
func TestExpand(t *testing.T) {
	all := strategies.Names()
	// want computes the expected number of cells of each strategy from its
	// knobs: the product of the swept lists of the axes that apply to it,
	// with a --per-file list expanded writer by writer.
	want := func(cfg Config) map[string]int {
		cfg = cfg.withDefaults()
		n := func(name string) int {
			if v, ok := cfg.Knobs[name]; ok {
				return len(v)
			}
			return 1
		}
		out := map[string]int{}
		for _, name := range cfg.Strategies {
			s, err := strategies.Lookup(name)
			if err != nil {
				t.Fatal(err)
			}
			perFiles := []string{""}
			if slices.Contains(s.Knobs(), "per_file") {
				perFiles = []string{strategies.DefaultPerFile}
				if v, ok := cfg.Knobs["per_file"]; ok {
					perFiles = v
				}
			}
			total := 0
			for _, pf := range perFiles {
				k := strategies.Knobs(s, pf)
				c := len(cfg.Files) * len(cfg.Sizes) * n("sync")
				for _, a := range resultset.Axes() {
					if a.Knob && a.Name != "per_file" && slices.Contains(k, a.Name) {
						c *= n(a.Name)
					}
				}
				total += c
			}
			out[name] = total
		}
		return out
	}
	tests := []struct {
		name string
		cfg  Config
		want map[string]int // cells per strategy; nil: computed by want
	}{
		{"defaults", Config{Strategies: all}, nil},
		{"files x sizes", Config{Strategies: all, Files: []int{1, 2}, Sizes: []int64{1, 2, 3}}, nil},
		{"record", Config{Strategies: all, Files: []int{1}, Sizes: []int64{1}, Knobs: map[string][]string{"record": {"256", "4096"}}}, nil},
		{"buffer", Config{Strategies: all, Files: []int{1}, Sizes: []int64{1}, Knobs: map[string][]string{"buffer": {"4096", "8192", "65536"}}}, nil},
		{"chunk", Config{Strategies: all, Files: []int{1}, Sizes: []int64{1}, Knobs: map[string][]string{"chunk": {"4KiB", "64KiB"}}}, nil},
		{"concurrency", Config{Strategies: all, Files: []int{1}, Sizes: []int64{1}, Knobs: map[string][]string{"concurrency": {"1", "2", "10"}}}, nil},
		{"per-file list, with the per-file writer's own knobs",
			Config{Strategies: all, Files: []int{1}, Sizes: []int64{1}, Knobs: map[string][]string{"per_file": {"chunked", "bufio", "unbuffered"}, "record": {"256", "4096"}}}, nil},
		{"sync applies to every strategy",
			Config{Strategies: all, Files: []int{1}, Sizes: []int64{1}, Knobs: map[string][]string{"sync": {"none", "close", "end"}}}, nil},
		{"a repeated name is not duplicated",
			Config{Strategies: []string{"chunked", "chunked"}, Files: []int{1, 1}, Sizes: []int64{1}},
			map[string]int{"chunked": 1}},
		{"pool per-file list hand-checked",
			Config{Strategies: []string{"pool", "chunked"}, Files: []int{1}, Sizes: []int64{1}, Knobs: map[string][]string{"per_file": {"chunked", "unbuffered"}, "record": {"1", "2"}, "chunk": {"1", "2", "3"}}},
			map[string]int{"pool": 3 + 2, "chunked": 3}},
	}
	for i := range tests {
		if tests[i].want == nil {
			tests[i].want = want(tests[i].cfg)
		}
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			cfg := tt.cfg.withDefaults()
			cells, err := cfg.expand()
			if err != nil {
				t.Fatal(err)
			}
			if got := cellCounts(cells); !maps.Equal(got, tt.want) {
				t.Errorf("cells per strategy = %v, want %v", got, tt.want)
			}
			keys := map[string]bool{}
			for _, c := range cells {
				k := c.res.Key()
				if keys[k] {
					t.Errorf("duplicate cell %s", k)
				}
				keys[k] = true
				checkCellParams(t, c)
			}
		})
	}
}

// checkCellParams checks that a cell records exactly the parameters that
// apply to its strategy and that its Params carry the same values, with
// defaults for the rest.
func checkCellParams(t *testing.T, c cell) {
	t.Helper()
	r := c.res
	knobs := strategies.Knobs(c.strategy, r.PerFile)
	for _, a := range resultset.Axes() {
		if !a.Knob || a.Kind == resultset.KindName {
			continue
		}
		applies := slices.Contains(knobs, a.Name)
		if applies != a.Applies(r) {
			t.Errorf("%s: %s recorded = %v, applies to the strategy = %v", r.Key(), a.Name, a.Applies(r), applies)
		}
	}
	if p := paramsOf(r); p != c.params || p.Record == 0 || p.Chunk == 0 || p.Batch == 0 || p.QueueDepth == 0 {
		t.Errorf("%s: params %+v, want paramsOf(cell) %+v with defaults filled", r.Key(), c.params, p)
	}
	if slices.Contains(knobs, "per_file") != (r.PerFile != "") {
		t.Errorf("%s: per_file %q does not match the strategy's knobs %v", r.Key(), r.PerFile, knobs)
	}
	if string(c.params.Sync) != r.Sync {
		t.Errorf("%s: params.Sync %q, cell sync %q", r.Key(), c.params.Sync, r.Sync)
	}
}

// TestExpandProduct checks that every combination is present for one
// strategy with several knobs.
func TestExpandProduct(t *testing.T) {
	cfg := Config{Strategies: []string{"bufio"}, Files: []int{1, 16}, Sizes: []int64{4096, 8192},
		Knobs: map[string][]string{"record": {"64", "256"}, "buffer": {"4096", "8192"}, "sync": {"none", "data"}}}.withDefaults()
	cells, err := cfg.expand()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, c := range cells {
		got[fmt.Sprintf("%d/%d/%d/%d/%s", c.res.Files, c.res.FileSize, c.res.Record, c.res.Buffer, c.res.Sync)] = true
	}
	if len(cells) != 32 || len(got) != 32 {
		t.Fatalf("%d cells (%d distinct), want 32", len(cells), len(got))
	}
	for _, f := range cfg.Files {
		for _, s := range cfg.Sizes {
			for _, r := range []int{64, 256} {
				for _, b := range []int{4096, 8192} {
					for _, y := range []string{"none", "data"} {
						if k := fmt.Sprintf("%d/%d/%d/%d/%s", f, s, r, b, y); !got[k] {
							t.Errorf("missing cell %s", k)
						}
					}
				}
			}
		}
	}
}

func TestExpandCustomFirst(t *testing.T) {
	mine := &recorder{name: "bufio"} // shadows the registered bufio
	cfg := Config{Custom: []strategies.Strategy{mine}, Strategies: []string{"bufio", "chunked"}}.withDefaults()
	cells, err := cfg.expand()
	if err != nil {
		t.Fatal(err)
	}
	if cells[0].strategy != strategies.Strategy(mine) {
		t.Errorf("bufio resolved to %T, want the custom strategy", cells[0].strategy)
	}
	// With only Custom given, Strategies defaults to the custom ones.
	cfg = Config{Custom: []strategies.Strategy{&recorder{name: "mine"}}}.withDefaults()
	if !slices.Equal(cfg.Strategies, []string{"mine"}) {
		t.Errorf("Strategies defaulted to %v, want [mine]", cfg.Strategies)
	}
	// With nothing given, every registered strategy.
	cfg = Config{}.withDefaults()
	if !slices.Equal(cfg.Strategies, strategies.Names()) {
		t.Errorf("Strategies defaulted to %v, want %v", cfg.Strategies, strategies.Names())
	}
}

// TestValidate checks that bad values are refused with a ConfigError naming
// the flag, before anything is written.
func TestValidate(t *testing.T) {
	tests := []struct {
		field string
		cfg   Config
		msg   string
	}{
		{"repeat", Config{Repeat: -1}, "-1"},
		{"repeat", Config{Repeat: MaxRepeat + 1}, "out of range"},
		{"warmup", Config{Warmup: MaxRepeat + 1}, "out of range"},
		{"files", Config{Files: []int{1, 0}}, "0 is out of range"},
		{"files", Config{Files: []int{-3}}, "-3"},
		{"files", Config{Files: []int{resultset.MaxFiles + 1}}, "out of range"},
		{"sizes", Config{Sizes: []int64{-1}}, "-1"},
		{"sizes", Config{Sizes: []int64{resultset.MaxFileSize + 1}}, "out of range"},
		{"record", Config{Knobs: map[string][]string{"record": {"0"}}}, "0B is out of range"},
		{"buffer", Config{Knobs: map[string][]string{"buffer": {"2GiB"}}}, "out of range"},
		{"chunk", Config{Knobs: map[string][]string{"chunk": {"-1"}}}, "-1"},
		{"concurrency", Config{Knobs: map[string][]string{"concurrency": {"0"}}}, "0 is out of range"},
		{"per_file", Config{Knobs: map[string][]string{"per_file": {"semaphore"}}}, `"semaphore"`},
		{"sync", Config{Knobs: map[string][]string{"sync": {"maybe"}}}, `"maybe"`},
		{"queue_depth", Config{Knobs: map[string][]string{"queue_depth": {"0"}}}, "out of range"},
		{"prealloc", Config{Knobs: map[string][]string{"prealloc": {"fallocat"}}}, `did you mean "fallocate"`},
		{"batch", Config{Knobs: map[string][]string{"batch": {"1025"}}}, "out of range"},
		{"knobs", Config{Knobs: map[string][]string{"zeta": {"1"}, "alpha": {"1"}}}, `"alpha"`},
		// Several bad values: the first axis of the table is named, every time.
		{"record", Config{Knobs: map[string][]string{"record": {"0"}, "buffer": {"0"}, "chunk": {"0"}}}, "out of range"},
		{"strategies", Config{Strategies: []string{"bogus"}}, "known: " + strings.Join(strategies.Names(), ", ")},
		{"strategies", Config{Strategies: []string{"chunkd"}}, `did you mean "chunked"`},
	}
	for _, tt := range tests {
		t.Run(tt.field+"/"+tt.msg, func(t *testing.T) {
			err := tt.cfg.Validate()
			var ce *ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("Validate() = %v, want a *ConfigError", err)
			}
			if ce.Field != tt.field {
				t.Errorf("Field = %q, want %q (error %q)", ce.Field, tt.field, err)
			}
			if !strings.HasPrefix(err.Error(), tt.field+": ") || !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q, want it to start with %s: and contain %q", err, tt.field, tt.msg)
			}
			// Run refuses the same config without touching --dir.
			dir := t.TempDir()
			tt.cfg.Dir = dir
			set, err := Run(context.Background(), tt.cfg)
			if set != nil || !errors.As(err, &ce) {
				t.Errorf("Run = %v, %v; want no set and a ConfigError", set, err)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Errorf("Run with a bad config left %d entries in --dir", len(ents))
			}
		})
	}
	if err := (Config{}).Validate(); err != nil {
		t.Errorf("zero Config: %v, want valid (all defaults)", err)
	}
}

func TestRunBadDir(t *testing.T) {
	file := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	for _, dir := range []string{"/nonexistent/writebench", file} {
		_, err := Run(context.Background(), Config{Strategies: []string{"chunked"}, Files: []int{1}, Sizes: []int64{1}, Dir: dir})
		var ce *ConfigError
		if !errors.As(err, &ce) || ce.Field != "dir" || !strings.Contains(err.Error(), dir) {
			t.Errorf("Run with --dir %s = %v, want a ConfigError for dir naming it", dir, err)
		}
	}
}

// rounds splits calls into consecutive groups of n.
func rounds(calls []int, n int) [][]int {
	var out [][]int
	for len(calls) >= n {
		out = append(out, calls[:n])
		calls = calls[n:]
	}
	return out
}

func runRecorder(t *testing.T, cfg Config) (*recorder, *resultset.Set) {
	t.Helper()
	rec := &recorder{name: "rec"}
	cfg.Custom = []strategies.Strategy{rec}
	cfg.Dir = t.TempDir()
	if cfg.MinSample == 0 {
		cfg.MinSample = -1 // count calls exactly: no batch looping
	}
	set, err := Run(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	return rec, set
}

// TestInterleaving checks that repetitions run in rounds (every cell's k-th
// repetition before any cell's k+1-th), shuffled differently per round, and
// that the same Seed gives the same order.
func TestInterleaving(t *testing.T) {
	files := []int{1, 2, 3, 4, 5, 6}
	cfg := Config{Files: files, Sizes: []int64{10}, Repeat: 6, Warmup: 2, Seed: 42, MinSample: -1}
	rec, set := runRecorder(t, cfg)
	calls := rec.calls()
	if len(calls) != len(files)*8 {
		t.Fatalf("%d calls, want %d (6 cells × (2 warmup + 6 counted))", len(calls), len(files)*8)
	}
	orders := map[string]bool{}
	for k, r := range rounds(calls, len(files)) {
		sorted := slices.Sorted(slices.Values(r))
		if !slices.Equal(sorted, files) {
			t.Fatalf("round %d ran %v: not every cell exactly once", k, r)
		}
		orders[fmt.Sprint(r)] = true
	}
	if len(orders) < 2 {
		t.Errorf("all 8 rounds ran cells in the same order %v: no shuffling", calls[:len(files)])
	}
	if set.Env.Seed != 42 {
		t.Errorf("Env.Seed = %d, want 42", set.Env.Seed)
	}
	// Results stay in sweep order whatever order the cells ran in.
	for i, c := range set.Results {
		if c.Files != files[i] {
			t.Errorf("Results[%d].Files = %d, want %d", i, c.Files, files[i])
		}
	}

	again, _ := runRecorder(t, cfg)
	if !slices.Equal(again.calls(), calls) {
		t.Errorf("same seed, different order:\n%v\n%v", calls, again.calls())
	}
	cfg.Seed = 43
	other, _ := runRecorder(t, cfg)
	if slices.Equal(other.calls(), calls) {
		t.Errorf("seeds 42 and 43 gave the same order %v", calls)
	}

	// Seed 0 picks a seed, records it, and that seed replays the order.
	cfg.Seed = 0
	picked, set0 := runRecorder(t, cfg)
	if set0.Env.Seed == 0 {
		t.Fatal("Seed 0: Env.Seed not recorded")
	}
	cfg.Seed = set0.Env.Seed
	replay, _ := runRecorder(t, cfg)
	if !slices.Equal(replay.calls(), picked.calls()) {
		t.Error("replaying the recorded seed gave a different order")
	}
}

// TestWarmupNotCounted checks that warmup repetitions run but leave no
// samples.
func TestWarmupNotCounted(t *testing.T) {
	tests := []struct {
		warmup, repeat int
		wantCalls      int
	}{
		{2, 3, 5},
		{-1, 3, 3},                // negative: none
		{0, 3, 3 + DefaultWarmup}, // zero: the default
		{0, 0, DefaultRepeat + DefaultWarmup},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprintf("warmup=%d/repeat=%d", tt.warmup, tt.repeat), func(t *testing.T) {
			rec, set := runRecorder(t, Config{Files: []int{2}, Sizes: []int64{100}, Repeat: tt.repeat, Warmup: tt.warmup})
			if got := len(rec.calls()); got != tt.wantCalls {
				t.Errorf("strategy called %d times, want %d", got, tt.wantCalls)
			}
			want := tt.repeat
			if want == 0 {
				want = DefaultRepeat
			}
			c := set.Results[0]
			for name, n := range map[string]int{"Seconds": len(c.Seconds), "WriteSyscalls": len(c.WriteSyscalls),
				"StorageBytes": len(c.StorageBytes), "SyncSeconds": len(c.SyncSeconds), "UserSeconds": len(c.UserSeconds),
				"SysSeconds": len(c.SysSeconds), "Allocs": len(c.Allocs), "AllocBytes": len(c.AllocBytes),
				"LatencyP50": len(c.LatencyP50), "LatencyP99": len(c.LatencyP99), "LatencyMax": len(c.LatencyMax)} {
				if n != want {
					t.Errorf("len(%s) = %d, want %d (Repeat)", name, n, want)
				}
			}
			if !c.Verified || c.Failed() {
				t.Errorf("Verified %v, Error %q; want verified", c.Verified, c.Error)
			}
			if set.Env.Repeat != want || set.Env.Warmup != max(tt.wantCalls-want, 0) {
				t.Errorf("Env.Repeat %d, Env.Warmup %d; want %d, %d", set.Env.Repeat, set.Env.Warmup, want, tt.wantCalls-want)
			}
			// The recorder's latencies were i+1 µs for i in [0, 2).
			if c.LatencyMax[0] != 2e-6 || c.LatencyP50[0] != 1e-6 {
				t.Errorf("latency p50 %v max %v, want 1e-6 and 2e-6 from the strategy's Latency", c.LatencyP50[0], c.LatencyMax[0])
			}
		})
	}
}

type countingProgress struct {
	total, steps, counted, errs, done int
}

func (p *countingProgress) Start(total int, _, _ time.Duration) { p.total = total }
func (p *countingProgress) Step(c *resultset.Cell, counted bool, err error) {
	p.steps++
	if counted {
		p.counted++
	}
	if err != nil {
		p.errs++
	}
}
func (p *countingProgress) Done(bool) { p.done++ }

// TestFailingCellSweepGoesOn checks that a failing cell records its error,
// is not run again, and the other cells complete.
func TestFailingCellSweepGoesOn(t *testing.T) {
	rec := &recorder{name: "rec", fail: func(b *strategies.Batch) error {
		if b.Files == 2 {
			// Leave a half-written file behind, as a real failure would.
			os.WriteFile(b.Path(0), []byte("partial"), 0o644)
			return fmt.Errorf("disk on fire writing %s", b.Path(1))
		}
		return nil
	}}
	prog := &countingProgress{}
	dir := t.TempDir()
	set, err := Run(context.Background(), Config{Custom: []strategies.Strategy{rec},
		Files: []int{1, 2, 3}, Sizes: []int64{10}, Repeat: 4, Warmup: 1, Dir: dir, Progress: prog, Seed: 7, MinSample: -1})
	if err != nil {
		t.Fatalf("Run = %v; a failed cell must not fail the sweep", err)
	}
	calls := rec.calls()
	n := 0
	for _, f := range calls {
		if f == 2 {
			n++
		}
	}
	if n != 1 {
		t.Errorf("failing cell ran %d times (%v), want once", n, calls)
	}
	for _, c := range set.Results {
		switch c.Files {
		case 2:
			if !c.Failed() || !strings.Contains(c.Error, "disk on fire") || c.Verified || len(c.Seconds) != 0 {
				t.Errorf("failing cell: Error %q, Verified %v, %d samples", c.Error, c.Verified, len(c.Seconds))
			}
		default:
			if c.Failed() || !c.Verified || len(c.Seconds) != 4 {
				t.Errorf("cell files=%d: Error %q, Verified %v, %d samples; want 4 verified", c.Files, c.Error, c.Verified, len(c.Seconds))
			}
		}
	}
	if !set.Complete {
		t.Error("set not Complete")
	}
	// The failed cell runs no more repetitions after its failure: 2 cells ×
	// 5 steps + 1.
	if prog.total != 15 || prog.steps != 11 || prog.counted != 8 || prog.done != 1 {
		t.Errorf("progress: total %d, steps %d, counted %d, done %d; want 15, 11, 8, 1", prog.total, prog.steps, prog.counted, prog.done)
	}
	if prog.errs != 1 {
		t.Errorf("progress saw %d errors, want 1", prog.errs)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("--dir holds %d entries after Run, want 0", len(ents))
	}
}

// TestInterrupted checks that cancelling the context stops the sweep and
// still returns the samples taken.
func TestInterrupted(t *testing.T) {
	ctx, cancel := context.WithCancelCause(context.Background())
	defer cancel(nil)
	cause := errors.New("test cancelled")
	rec := &recorder{name: "rec", hook: func(n int) {
		if n == 5 {
			cancel(cause)
		}
	}}
	dir := t.TempDir()
	set, err := Run(ctx, Config{Custom: []strategies.Strategy{rec}, Files: []int{1, 2}, Sizes: []int64{10},
		Repeat: 6, Warmup: -1, Dir: dir, MinSample: -1})
	if !errors.Is(err, ErrInterrupted) || !errors.Is(err, cause) {
		t.Fatalf("Run = %v, want ErrInterrupted wrapping the cause", err)
	}
	if set == nil || set.Complete || set.Interrupted != cause.Error() {
		t.Fatalf("set %v: want an incomplete set naming the cause", set)
	}
	if got := len(rec.calls()); got != 5 {
		t.Errorf("strategy ran %d times, want 5 (stopped after the cancel)", got)
	}
	samples := 0
	for _, c := range set.Results {
		samples += len(c.Seconds)
		if c.Failed() {
			t.Errorf("cell %s failed with %q: interruption is not a cell failure", c.Key(), c.Error)
		}
	}
	if samples != 4 {
		t.Errorf("%d samples kept, want 4 (the 5th repetition was cancelled)", samples)
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("--dir holds %d entries after an interrupted Run, want 0", len(ents))
	}
}

// TestRunLeavesDirAlone checks that Run removes its scratch directory and
// touches nothing else in --dir, including look-alike names and a stale
// scratch directory from a dead run (which is reported, not removed).
func TestRunLeavesDirAlone(t *testing.T) {
	dir := t.TempDir()
	stale := filepath.Join(dir, ScratchPrefix+"stale")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(os.WriteFile(filepath.Join(dir, "keep.txt"), []byte("user data"), 0o600))
	must(os.WriteFile(filepath.Join(dir, ScratchPrefix+"mine"), []byte("not a scratch dir"), 0o644))
	must(os.Mkdir(filepath.Join(dir, ScratchPrefix+"user"), 0o755))
	must(os.WriteFile(filepath.Join(dir, ScratchPrefix+"user", "f0"), []byte("looks like ours"), 0o644))
	must(os.Mkdir(stale, 0o755))
	must(os.WriteFile(filepath.Join(stale, scratch.Marker), []byte("999999999\n"), 0o644))
	must(os.WriteFile(filepath.Join(stale, "f0"), []byte("old"), 0o644))
	must(os.Symlink(filepath.Join(dir, "keep.txt"), filepath.Join(dir, "f0")))
	before := statSnapshot(t, dir)

	var log bytes.Buffer
	rec := &recorder{name: "rec", fail: func(b *strategies.Batch) error {
		if b.Files == 3 {
			return errors.New("fail this one")
		}
		return nil
	}}
	set, err := Run(context.Background(), Config{Strategies: []string{"chunked", "mmap", "rec"},
		Custom: []strategies.Strategy{rec}, Files: []int{1, 3}, Sizes: []int64{5000},
		Repeat: 1, Warmup: -1, Dir: dir, Log: &log, MinSample: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Results) != 6 {
		t.Fatalf("%d cells, want 6", len(set.Results))
	}
	assertUnchanged(t, before, statSnapshot(t, dir))
	if !strings.Contains(log.String(), stale) {
		t.Errorf("log %q does not report the stale scratch directory %s", log.String(), stale)
	}
	if strings.Contains(log.String(), ScratchPrefix+"user") {
		t.Errorf("log %q reports a directory without a marker as stale", log.String())
	}
}

// TestRunSpaceCheck checks that a cell too big for the disk fails before
// writing, naming its size, and the sweep goes on.
func TestRunSpaceCheck(t *testing.T) {
	dir := t.TempDir()
	set, err := Run(context.Background(), Config{Strategies: []string{"chunked"}, Files: []int{1},
		Sizes: []int64{1, resultset.MaxFileSize}, Repeat: 1, Warmup: -1, Dir: dir, MinSample: -1})
	if err != nil {
		t.Fatal(err)
	}
	small, huge := set.Results[0], set.Results[1]
	if small.Failed() || len(small.Seconds) != 1 {
		t.Errorf("1-byte cell: %q, %d samples", small.Error, len(small.Seconds))
	}
	if !huge.Failed() || !strings.Contains(huge.Error, "not started") || !strings.Contains(huge.Error, "1.00PiB") {
		t.Errorf("1PiB cell error %q, want a space-check failure naming 1.00PiB", huge.Error)
	}
}

func TestParseProcIO(t *testing.T) {
	tests := []struct {
		name          string
		in            string
		syscw, wbytes int64
	}{
		{"linux", "rchar: 323934931\nwchar: 323929600\nsyscr: 632687\nsyscw: 632675\nread_bytes: 0\nwrite_bytes: 323932160\ncancelled_write_bytes: 0\n", 632675, 323932160},
		{"no trailing newline", "syscw: 5\nwrite_bytes: 4096", 5, 4096},
		{"crlf and spaces", "  syscw: 7\r\nwrite_bytes: 8192  \r\n", 7, 8192},
		{"empty", "", -1, -1},
		{"missing write_bytes", "syscw: 3\n", 3, -1},
		{"garbage value", "syscw: lots\nwrite_bytes: -\n", -1, -1},
		{"similar keys", "cancelled_write_bytes: 9\nsyscwx: 1\n", -1, -1},
	}
	for _, tt := range tests {
		s, w := sysinfo.ParseProcIO([]byte(tt.in))
		if s != tt.syscw || w != tt.wbytes {
			t.Errorf("%s: ParseProcIO = %d, %d; want %d, %d", tt.name, s, w, tt.syscw, tt.wbytes)
		}
	}
}

func TestCountersSub(t *testing.T) {
	a := counters{syscw: 10, writeBytes: 100, user: 3, sys: 4, allocs: 5, allocBytes: 6}
	b := counters{syscw: 25, writeBytes: 4196, user: 5, sys: 9, allocs: 15, allocBytes: 106}
	d := b.sub(&a)
	if d.syscw != 15 || d.writeBytes != 4096 || d.user != 2 || d.sys != 5 || d.allocs != 10 || d.allocBytes != 100 {
		t.Errorf("sub = %+v", d)
	}
	a.syscw, b.writeBytes = -1, -1
	if d := b.sub(&a); d.syscw != -1 || d.writeBytes != -1 {
		t.Errorf("sub with unavailable counters = %d, %d; want -1, -1", d.syscw, d.writeBytes)
	}
}

func TestPercentiles(t *testing.T) {
	ms := func(v ...int) []time.Duration {
		out := make([]time.Duration, len(v))
		for i, x := range v {
			out[i] = time.Duration(x) * time.Millisecond
		}
		return out
	}
	hundred := make([]int, 100)
	for i := range hundred {
		hundred[i] = 100 - i // reverse order: percentiles must sort
	}
	tests := []struct {
		name           string
		lat            []time.Duration
		p50, p99, pmax float64
		ok             bool
	}{
		{"empty", nil, 0, 0, 0, false},
		{"none recorded", ms(0, 0, 0), 0, 0, 0, false},
		{"one", ms(5), 0.005, 0.005, 0.005, true},
		{"two", ms(3, 1), 0.001, 0.003, 0.003, true},
		{"ten", ms(10, 9, 8, 7, 6, 5, 4, 3, 2, 1), 0.005, 0.010, 0.010, true},
		{"hundred", ms(hundred...), 0.050, 0.099, 0.100, true},
	}
	for _, tt := range tests {
		p50, p99, pmax, ok := percentiles(tt.lat)
		if ok != tt.ok || !near(p50, tt.p50) || !near(p99, tt.p99) || !near(pmax, tt.pmax) {
			t.Errorf("%s: percentiles = %v, %v, %v, %v; want %v, %v, %v, %v", tt.name, p50, p99, pmax, ok, tt.p50, tt.p99, tt.pmax, tt.ok)
		}
	}
}

func near(a, b float64) bool { return a-b < 1e-12 && b-a < 1e-12 }

func TestSpaceNeeded(t *testing.T) {
	tests := []struct {
		files int
		size  int64
		want  uint64
	}{
		// (blocks*4096 + 256) per file, +5%, +4 MiB.
		{1, 0, 256 + 12 + 4<<20},
		{2, 4097, 2*(8192+256) + 2*(8192+256)*5/100 + 4<<20},
		{1000, 4096, 1000*(4096+256) + 1000*(4096+256)*5/100 + 4<<20},
	}
	for _, tt := range tests {
		if got := scratch.SpaceNeeded(tt.files, tt.size); got != tt.want {
			t.Errorf("SpaceNeeded(%d, %d) = %d, want %d", tt.files, tt.size, got, tt.want)
		}
	}
}

// TestRunSyncRecorded checks that sync time is recorded for the modes that
// sync (inside the timed region) and is zero for none.
func TestRunSyncRecorded(t *testing.T) {
	set, err := Run(context.Background(), Config{Strategies: []string{"chunked", "pool"}, Files: []int{2}, Sizes: []int64{4096},
		Knobs: map[string][]string{"sync": {"none", "data", "close", "end"}}, Repeat: 2, Warmup: -1, Dir: t.TempDir(), MinSample: -1})
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Results) != 2*4 {
		t.Fatalf("%d cells, want %d", len(set.Results), 2*4)
	}
	for _, c := range set.Results {
		if c.Failed() || len(c.SyncSeconds) != 2 {
			t.Fatalf("%s: error %q, %d sync samples", c.Key(), c.Error, len(c.SyncSeconds))
		}
		for k, s := range c.SyncSeconds {
			if c.Sync == "none" && s != 0 {
				t.Errorf("%s: SyncSeconds[%d] = %v, want 0", c.Key(), k, s)
			}
			if c.Sync != "none" && s <= 0 {
				t.Errorf("%s: SyncSeconds[%d] = %v, want > 0", c.Key(), k, s)
			}
			if s > c.Seconds[k]*float64(c.Files) {
				t.Errorf("%s: SyncSeconds[%d] = %v exceeds the timed region %v × %d workers", c.Key(), k, s, c.Seconds[k], c.Files)
			}
		}
	}
}
