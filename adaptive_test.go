package writebench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies"
	"github.com/writebench/writebench/strategies/external"
)

// sleeper writes its batch correctly and then waits d per batch, so its
// speed is known and far apart from another sleeper's.
type sleeper struct {
	recorder
	d    time.Duration
	dirs atomic.Int64
	seen map[string]bool
}

func newSleeper(name string, d time.Duration) *sleeper {
	return &sleeper{recorder: recorder{name: name}, d: d, seen: map[string]bool{}}
}

func (s *sleeper) Write(ctx context.Context, b *strategies.Batch) error {
	s.mu.Lock()
	if !s.seen[b.Dir] {
		s.seen[b.Dir] = true
		s.dirs.Add(1)
	}
	s.mu.Unlock()
	if err := s.recorder.Write(ctx, b); err != nil {
		return err
	}
	time.Sleep(s.d)
	return nil
}

// TestMinSampleLoops checks that a batch shorter than MinSample runs several
// times per repetition, each time into a fresh directory, that the count is
// recorded, and that the samples are per batch.
func TestMinSampleLoops(t *testing.T) {
	s := newSleeper("fast", time.Millisecond)
	set, err := Run(context.Background(), Config{Custom: []strategies.Strategy{s}, Files: []int{2}, Sizes: []int64{100},
		Repeat: 3, Warmup: 1, MinSample: 200 * time.Millisecond, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	c := set.Results[0]
	// 1ms batches and a 200ms minimum: about 200 loops on an idle machine,
	// fewer on a loaded one, never 1 unless one batch took 200ms.
	if c.Loops < 2 || c.Loops > 200 {
		t.Fatalf("Loops = %d, want 2 to 200 (1ms batches, 200ms minimum sample)", c.Loops)
	}
	// One calibration repetition, then 3 counted ones of Loops batches each.
	if got, want := len(s.calls()), 1+3*c.Loops; got != want {
		t.Errorf("%d batches written, want %d", got, want)
	}
	// The batches of one repetition each had a directory of their own
	// (made empty before the clock, removed after).
	if got := int(s.dirs.Load()); got < c.Loops {
		t.Errorf("%d distinct directories, want at least %d", got, c.Loops)
	}
	// Samples are per batch: at least the 1ms sleep, far below the 200ms
	// the repetition took.
	for k, sec := range c.Seconds {
		if sec < 0.001 || sec > 0.1 {
			t.Errorf("sample %d = %v s, want the time of one batch (about 1ms)", k, sec)
		}
	}
	if set.Env.MinSampleSeconds != 0.2 {
		t.Errorf("env min_sample_seconds = %v, want 0.2", set.Env.MinSampleSeconds)
	}
	for _, tt := range []struct {
		d, min time.Duration
		want   int
	}{{time.Millisecond, 10 * time.Millisecond, 10}, {3 * time.Millisecond, 10 * time.Millisecond, 4},
		{20 * time.Millisecond, 10 * time.Millisecond, 1}, {0, 10 * time.Millisecond, MaxLoops},
		{time.Nanosecond, time.Second, MaxLoops}, {time.Millisecond, -1, 1}} {
		if got := calibrate(tt.d, tt.min); got != tt.want {
			t.Errorf("calibrate(%v, %v) = %d, want %d", tt.d, tt.min, got, tt.want)
		}
	}
}

// TestMinSampleOff checks that a negative MinSample never loops.
func TestMinSampleOff(t *testing.T) {
	rec, set := runRecorder(t, Config{Files: []int{1}, Sizes: []int64{10}, Repeat: 2, Warmup: -1, MinSample: -1})
	if set.Results[0].Loops != 1 || len(rec.calls()) != 2 {
		t.Errorf("loops %d, %d calls; want 1 and 2", set.Results[0].Loops, len(rec.calls()))
	}
}

// skipper cannot run here.
type skipper struct{ recorder }

func (s *skipper) Write(ctx context.Context, b *strategies.Batch) error {
	s.recorder.Write(ctx, b)
	return strategies.Skip("O_DIRECT refused by tmpfs")
}

// TestSkippedCell checks that a strategy that cannot run on this machine
// makes its cell skipped with the reason, not failed, without samples, and
// that the sweep goes on.
func TestSkippedCell(t *testing.T) {
	sk := &skipper{recorder{name: "skip"}}
	ok := &recorder{name: "ok"}
	set, err := Run(context.Background(), Config{Custom: []strategies.Strategy{sk, ok}, Files: []int{1}, Sizes: []int64{10},
		Repeat: 3, Warmup: 1, MinSample: -1, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range set.Results {
		switch c.Strategy {
		case "skip":
			if c.Skipped != "O_DIRECT refused by tmpfs" || c.Failed() || len(c.Seconds) != 0 || c.Verified {
				t.Errorf("skipped cell: skipped %q, error %q, %d samples, verified %v", c.Skipped, c.Error, len(c.Seconds), c.Verified)
			}
			if n := len(sk.calls()); n != 1 {
				t.Errorf("skipped strategy called %d times, want once", n)
			}
		case "ok":
			if c.Skipped != "" || len(c.Seconds) != 3 {
				t.Errorf("other cell: skipped %q, %d samples", c.Skipped, len(c.Seconds))
			}
		}
	}
	back := roundTrip(t, set)
	if back.Results[0].Skipped == "" && back.Results[1].Skipped == "" {
		t.Error("skip reason lost on save and load")
	}
}

// recordWriter writes one shared file and reports a fixed record count.
type recordWriter struct {
	recorder
	corrupt int64
}

func (r *recordWriter) Write(ctx context.Context, b *strategies.Batch) error {
	return os.WriteFile(filepath.Join(b.Dir, "shared"), []byte("records"), 0o644)
}

func (r *recordWriter) VerifyRecords(ctx context.Context, b *strategies.Batch) (strategies.RecordCounts, error) {
	if _, err := os.Stat(filepath.Join(b.Dir, "shared")); err != nil {
		return strategies.RecordCounts{}, err
	}
	return strategies.RecordCounts{Expected: 10, Intact: 10 - r.corrupt, Torn: r.corrupt}, nil
}

// TestRecordVerifier checks that strategies verifying their own records skip
// the per-file check and get records and corrupt_records per sample.
func TestRecordVerifier(t *testing.T) {
	rw := &recordWriter{recorder: recorder{name: "rw"}, corrupt: 3}
	set, err := Run(context.Background(), Config{Custom: []strategies.Strategy{rw}, Files: []int{1}, Sizes: []int64{10},
		Repeat: 2, Warmup: -1, MinSample: -1, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	c := set.Results[0]
	if c.Failed() || !slices.Equal(c.Records, []int64{10, 10}) || !slices.Equal(c.CorruptRecords, []int64{3, 3}) {
		t.Fatalf("error %q, records %v, corrupt %v; want no error, [10 10], [3 3]", c.Error, c.Records, c.CorruptRecords)
	}
	if !c.Unsafe() {
		t.Error("a cell with corrupt records is not Unsafe")
	}
}

// opener counts sessions.
type opener struct {
	recorder
	opened, closed atomic.Int64
	failOpen       error
}

type openSession struct{ o *opener }

func (o *opener) OpenCell(ctx context.Context, p strategies.Params) (strategies.Session, error) {
	if o.failOpen != nil {
		return nil, o.failOpen
	}
	o.opened.Add(1)
	return &openSession{o}, nil
}

func (s *openSession) Write(ctx context.Context, b *strategies.Batch) error {
	return s.o.recorder.Write(ctx, b)
}
func (s *openSession) Usage() (strategies.ChildUsage, bool) {
	return strategies.ChildUsage{WriteSyscalls: int64(len(s.o.calls())) * 100, StorageBytes: 0}, true
}
func (s *openSession) Close() error { s.o.closed.Add(1); return nil }

// TestCellSession checks that a CellOpener's session opens once per cell,
// before the clock, closes after the cell's last repetition, and that its
// usage replaces the process counters.
func TestCellSession(t *testing.T) {
	o := &opener{recorder: recorder{name: "ext"}}
	set, err := Run(context.Background(), Config{Custom: []strategies.Strategy{o}, Files: []int{1, 2}, Sizes: []int64{10},
		Repeat: 3, Warmup: 1, MinSample: -1, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if o.opened.Load() != 2 || o.closed.Load() != 2 {
		t.Errorf("opened %d, closed %d sessions; want 2 and 2 (one per cell)", o.opened.Load(), o.closed.Load())
	}
	for _, c := range set.Results {
		for _, n := range c.WriteSyscalls {
			if n != 100 {
				t.Errorf("%s: write_syscalls %v, want the session's 100 per repetition", c.Key(), c.WriteSyscalls)
				break
			}
		}
	}
	sk := &opener{recorder: recorder{name: "py"}, failOpen: strategies.Skip("python3 has no module aiofiles (run scripts/setup-python.sh)")}
	set, err = Run(context.Background(), Config{Custom: []strategies.Strategy{sk}, Files: []int{1}, Sizes: []int64{10},
		Repeat: 2, Warmup: 1, MinSample: -1, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	if c := set.Results[0]; !strings.Contains(c.Skipped, "aiofiles") || c.Failed() {
		t.Errorf("a session that cannot start: skipped %q, error %q; want skipped with the reason", c.Skipped, c.Error)
	}
}

// TestAdaptiveStopsDecidedGroups checks adaptive sampling: a group with a
// clear winner stops after MinRounds, while the budget bounds the rest.
func TestAdaptiveStopsDecidedGroups(t *testing.T) {
	fast := newSleeper("fast", 1*time.Millisecond)
	slow := newSleeper("slow", 40*time.Millisecond) // 40x apart: a load spike cannot reverse one round
	set, err := Run(context.Background(), Config{Custom: []strategies.Strategy{fast, slow}, Files: []int{1}, Sizes: []int64{10},
		Repeat: 40, MinRounds: 8, Warmup: 1, MinSample: -1, Budget: time.Minute, Dir: t.TempDir(), Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range set.Results {
		if len(c.Seconds) >= 40 {
			t.Errorf("%s: %d samples; a decided group should stop well before --repeat 40", c.Strategy, len(c.Seconds))
		}
		if len(c.Seconds) < 8 {
			t.Errorf("%s: %d samples, want at least MinRounds 8", c.Strategy, len(c.Seconds))
		}
	}
	if set.Env.Looks != 2 || set.Env.Confidence != 0.95 {
		t.Errorf("env looks %d confidence %v; want 2 (one interim look and the final verdict) and 0.95", set.Env.Looks, set.Env.Confidence)
	}
	// Rounds pair the samples: both cells have the same rounds.
	if !slices.Equal(set.Results[0].Rounds, set.Results[1].Rounds) {
		t.Errorf("rounds differ: %v vs %v", set.Results[0].Rounds, set.Results[1].Rounds)
	}
}

// TestBudgetBounds checks that the budget stops the sweep before --repeat
// when the cells are too slow for it, and says so.
func TestBudgetBounds(t *testing.T) {
	a := newSleeper("a", 20*time.Millisecond)
	b := newSleeper("b", 20*time.Millisecond)
	start := time.Now()
	set, err := Run(context.Background(), Config{Custom: []strategies.Strategy{a, b}, Files: []int{1}, Sizes: []int64{10},
		Repeat: 100, Warmup: 1, MinSample: -1, Budget: 300 * time.Millisecond, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	n := len(set.Results[0].Seconds)
	if n >= 100 || !set.Env.BudgetSpent {
		t.Errorf("%d samples, budget_spent %v; want the budget to stop the sweep", n, set.Env.BudgetSpent)
	}
	// Generous: each round costs ~40ms; the budget allows 300ms.
	if el := time.Since(start); el > 5*time.Second {
		t.Errorf("sweep took %v with a 300ms budget", el)
	}
}

// TestDryRunWritesNothing checks DryRun's plan and that it leaves Dir as it
// was.
func TestDryRunWritesNothing(t *testing.T) {
	dir := t.TempDir()
	p, err := DryRun(Config{Strategies: []string{"chunked", "bufio"}, Files: []int{1, 4}, Sizes: []int64{4096}, Dir: dir, Budget: 10 * time.Second, Repeat: 20})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Cells) != 4 || p.Repetitions != 4*21 || p.MinRounds != DefaultMinRounds || p.Estimate <= 0 || p.Estimate > 10*time.Second {
		t.Errorf("plan: %d cells, %d reps, min rounds %d, estimate %v", len(p.Cells), p.Repetitions, p.MinRounds, p.Estimate)
	}
	if p.OverBudget {
		t.Errorf("a 10 s budget over four small cells reported as over budget")
	}
	// The warm-up and the first counted round run whatever the budget:
	// a budget below them is not a bound, and the estimate says so.
	big, err := DryRun(Config{Strategies: []string{"chunked"}, Files: []int{50000}, Sizes: []int64{1}, Dir: dir, Budget: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	if first := 2 * big.EstimateCell[0]; !big.OverBudget || big.Estimate < first {
		t.Errorf("50000 files with a 1 s budget: over budget %v, estimate %v; want true and at least the warm-up and first round (%v)", big.OverBudget, big.Estimate, first)
	}
	// An external writer's own work is not in the cost model: the plan
	// marks its cells so the estimate can say "at least".
	ext, err := external.NewExec("ext", "/bin/sh -c true")
	if err != nil {
		t.Fatal(err)
	}
	mixed, err := DryRun(Config{Strategies: []string{"ext", "chunked"}, Custom: []strategies.Strategy{ext}, Files: []int{1}, Sizes: []int64{4096}, Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range mixed.Cells {
		if mixed.External[i] != (c.Strategy == "ext") {
			t.Errorf("%s: external %v", c.Strategy, mixed.External[i])
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("dry run left %d entries in the directory", len(ents))
	}
	var ce *ConfigError
	if _, err := DryRun(Config{Files: []int{0}, Dir: dir}); !errors.As(err, &ce) || ce.Field != "files" {
		t.Errorf("DryRun with files 0 = %v, want a ConfigError for files", err)
	}
}

// TestSameLoopsInGroup checks that the contenders of one workload run the
// same number of batches per sample (the median calibration, the smaller
// one of two), so their per-batch times are comparable.
func TestSameLoopsInGroup(t *testing.T) {
	fast := newSleeper("fast", 0)
	slow := newSleeper("slow", 5*time.Millisecond)
	set, err := Run(context.Background(), Config{Custom: []strategies.Strategy{fast, slow}, Files: []int{1}, Sizes: []int64{10},
		Repeat: 2, Warmup: 1, MinSample: 50 * time.Millisecond, Dir: t.TempDir()})
	if err != nil {
		t.Fatal(err)
	}
	a, b := set.Results[0].Loops, set.Results[1].Loops
	if a != b || a < 2 {
		t.Errorf("loops %d and %d, want equal and above 1 (the slow cell's 5ms batch needs about 10 for 50ms)", a, b)
	}
	// The fast cell alone would have needed far more than the slow one.
	if a > 50 {
		t.Errorf("loops %d: want the smallest calibration of the group (about 10), not the largest", a)
	}
}

// fakeGroups is a groupState over n cells where groups lists the cells of
// each comparison group; other cells have none.
func fakeGroups(n int, groups ...[]int) *groupState {
	g := &groupState{of: make([][]int, n), members: groups, blocks: groups, done: make([]bool, len(groups)), settled: make([]bool, n)}
	for gi, m := range groups {
		for _, i := range m {
			g.of[i] = append(g.of[i], gi)
		}
	}
	return g
}

// TestSameLoopsMedian: one contender whose warm-up batch was slow (and so
// calibrated to few loops) must not pull the whole group down to it.
func TestSameLoopsMedian(t *testing.T) {
	cells := make([]cell, 8)
	for i, l := range []int{1, 30, 10, 0, 7, 2, 50, 60} {
		cells[i].loops = l
		cells[i].res = &resultset.Cell{Loops: l}
	}
	// The last group's median (50) is capped at 10 times its smallest (2),
	// so its slowest contender's samples stay near 10 MinSample.
	fakeGroups(8, []int{0, 1, 2}, []int{3, 4}, []int{5, 6, 7}).sameLoops(cells)
	for i, want := range []int{10, 10, 10, 0, 7, 20, 20, 20} {
		if cells[i].loops != want || cells[i].res.Loops != want {
			t.Errorf("cell %d: loops %d (recorded %d), want %d", i, cells[i].loops, cells[i].res.Loops, want)
		}
	}
}

// TestBlockOrderAndDirs: a round runs each group's cells back to back (in
// an order that changes with the seed), and deals each group only its own
// directories.
func TestBlockOrderAndDirs(t *testing.T) {
	groups := [][]int{{0, 3, 6}, {1, 4}, {2, 5, 7}}
	g := fakeGroups(9, groups...) // cell 8 has no group
	orders := map[string]bool{}
	for seed := range uint64(20) {
		rng := rand.New(rand.NewPCG(seed, 1))
		order := g.blockOrder(rng, []int{0, 1, 2, 3, 4, 5, 6, 7, 8})
		if len(order) != 9 {
			t.Fatalf("order %v: want all 9 cells", order)
		}
		orders[fmt.Sprint(order)] = true
		seen := map[int]bool{}
		for k, i := range order {
			if seen[i] {
				t.Fatalf("order %v repeats cell %d", order, i)
			}
			seen[i] = true
			if k > 0 && len(g.of[i]) > 0 && !slices.Equal(g.of[order[k-1]], g.of[i]) && slices.ContainsFunc(order[:k-1], func(j int) bool { return slices.Equal(g.of[j], g.of[i]) }) {
				t.Fatalf("order %v splits the block of cell %d's group", order, i)
			}
		}
		dirs := g.assignDirs(rng)
		for _, m := range groups {
			var got []int
			for _, i := range m {
				got = append(got, dirs[i])
			}
			slices.Sort(got)
			if !slices.Equal(got, m) {
				t.Fatalf("group %v got directories %v, want its own", m, got)
			}
		}
		if dirs[8] != 8 {
			t.Fatalf("a cell without a group got directory %d, want its own (8)", dirs[8])
		}
	}
	if len(orders) < 10 {
		t.Errorf("20 seeds gave only %d different orders", len(orders))
	}
}

// TestLookSettlesNoFaster: at the interim look, an open group keeps only
// the contenders that may still end fastest; one proven slower, and one no
// faster by more than the margin than every contender that goes on, stop.
func TestLookSettlesNoFaster(t *testing.T) {
	open := []float64{0.8, 1.3, 0.9, 1.2, 0.85, 1.25, 0.95, 1.15, 0.9, 1.1, 0.99, 0.98}
	below := make([]float64, len(open)) // 0.8 × open: no faster than a, nor than open
	for k, r := range open {
		below[k] = 0.8 * r
	}
	for _, tt := range []struct {
		name   string
		nofast []float64 // per-round speed relative to "a"
		want   bool      // whether "nofast" is settled
	}{
		// No faster than a and never faster than open: whichever of the
		// two ends fastest, nofast cannot change the verdict.
		{"below both", below, true},
		// No faster than a by more than 5%, but faster than open in some
		// rounds by 10% and more: if open ends fastest, nofast would meet
		// it with the look's rounds only, so it must go on.
		{"faster than open", []float64{0.90, 0.92, 0.94, 0.96, 0.98, 1.0, 1.02, 0.91, 0.93, 0.95, 0.97, 0.99}, false},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ratios := map[string][]float64{ // per-round speed relative to "a"
				"a":      {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1},
				"slower": {0.5, 0.52, 0.49, 0.5, 0.51, 0.5, 0.48, 0.5, 0.5, 0.52, 0.5, 0.49},
				"nofast": tt.nofast,
				"open":   open,
			}
			set := &resultset.Set{}
			for _, name := range []string{"a", "slower", "nofast", "open"} {
				c := resultset.Cell{Strategy: name, Files: 1, FileSize: 4096, Sync: "none"}
				for k, r := range ratios[name] {
					c.Rounds = append(c.Rounds, k)
					c.Seconds = append(c.Seconds, 1/r)
				}
				set.Results = append(set.Results, c)
			}
			g := newGroups(set)
			g.look(set, &Config{Tie: 0.05, Precision: 0.05}, 0.95)
			if g.done[0] {
				t.Fatal("the group was decided at the look; want it open (\"open\" may still be faster than a)")
			}
			for i, want := range []bool{false, true, tt.want, false} {
				if g.settled[i] != want || set.Results[i].Settled != want {
					t.Errorf("%s: settled %v (in the set %v), want %v", set.Results[i].Strategy, g.settled[i], set.Results[i].Settled, want)
				}
				if g.decided(i) != want {
					t.Errorf("%s: decided %v, want %v", set.Results[i].Strategy, g.decided(i), want)
				}
			}
			if !tt.want {
				return
			}
			// The final verdict never picks a settled cell as the fastest,
			// even when its few rounds have the smallest median.
			for k := range set.Results[2].Seconds {
				set.Results[2].Seconds[k] /= 1.3 // now faster than everyone in median
			}
			v := judge.Decide(set, []int{0, 1, 2, 3}, judge.Options{Confidence: 0.95})
			if v.Fastest == "nofast" {
				t.Errorf("the settled cell was picked as the fastest: %+v", v)
			}
		})
	}
}

// TestRunnerSamplesWithinValidateBounds: the shortest seconds sample the
// runner can record, one tick of its nanosecond clock over MaxLoops batches,
// is one resultset.Validate accepts (it refuses 0 and anything below
// MinSeconds), and a set the runner writes with batch loops, several files
// axes and several rounds validates: files at least 1, rounds increasing,
// one cell per key.
func TestRunnerSamplesWithinValidateBounds(t *testing.T) {
	if shortest := time.Nanosecond.Seconds() / MaxLoops; shortest < resultset.MinSeconds {
		t.Errorf("the runner can record a %v s sample, below resultset.MinSeconds %v", shortest, resultset.MinSeconds)
	}
	_, set := runRecorder(t, Config{Files: []int{1, 2, 1}, Sizes: []int64{0, 10}, Repeat: 3, Warmup: 1, MinSample: time.Millisecond})
	if err := set.Validate(); err != nil {
		t.Fatalf("a set the runner wrote does not validate: %v", err)
	}
	if len(set.Results) != 4 {
		t.Errorf("%d cells, want 4 (files 1 given twice is one cell)", len(set.Results))
	}
	for _, c := range set.Results {
		if len(c.Seconds) != 3 || !slices.Equal(c.Rounds, []int{0, 1, 2}) {
			t.Errorf("%s: %d samples in rounds %v, want 3 in rounds 0, 1, 2", c.Key(), len(c.Seconds), c.Rounds)
		}
	}
}
