package writebench

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/writebench/writebench/strategies"
)

// slowExternal looks like an external writer program to the planner (it
// has a Command) and takes at least delay per batch, far beyond what the
// cost model would estimate for its few bytes.
type slowExternal struct {
	recorder
	delay time.Duration
}

func (s *slowExternal) Command() string { return "slow-writer" }
func (s *slowExternal) Write(ctx context.Context, b *strategies.Batch) error {
	time.Sleep(s.delay)
	return s.recorder.Write(ctx, b)
}

// TestDryRunProbeMeasuresExternal: an external writer's cells are estimated
// from a measured probe, not the cost model, and the probe leaves nothing
// behind under Dir.
func TestDryRunProbeMeasuresExternal(t *testing.T) {
	dir := t.TempDir()
	ext := &slowExternal{recorder: recorder{name: "slow"}, delay: 30 * time.Millisecond}
	cfg := Config{Custom: []strategies.Strategy{ext}, Strategies: []string{"slow", "bufio"},
		Files: []int{1}, Sizes: []int64{4 << 10}, Repeat: 6, Warmup: 1, Dir: dir}
	model, err := DryRun(cfg)
	if err != nil {
		t.Fatal(err)
	}
	probed, err := DryRunProbe(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range probed.Cells {
		if c.Strategy != "slow" {
			if probed.Probe[i] != "" {
				t.Errorf("built-in cell %s probed as external: %q", c.Key(), probed.Probe[i])
			}
			continue
		}
		if !probed.External[i] || !strings.HasPrefix(probed.Probe[i], "measured: 1 × 4KiB took ") {
			t.Errorf("external cell %s: note %q, want a measured probe", c.Key(), probed.Probe[i])
		}
		// The probe's second batch slept 30ms, as every repetition will.
		if probed.EstimateCell[i] < ext.delay || model.EstimateCell[i] >= ext.delay {
			t.Errorf("external cell: estimate %v from the probe, %v from the model; want the probe's at least %v and the model's below it",
				probed.EstimateCell[i], model.EstimateCell[i], ext.delay)
		}
	}
	if n := len(ext.log); n != 2 {
		t.Errorf("the probe ran %d batches of the external writer, want 2 (one to warm up, one timed)", n)
	}
	if probed.Calibration == "" {
		t.Error("no calibration note: the cost model was not calibrated on Dir")
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("the probes left %d entries under Dir (%s...)", len(entries), filepath.Join(dir, entries[0].Name()))
	}
}

// TestDryRunSuggestsBudget: a budget that cannot give every cell the
// rounds a verdict needs gets a suggested one, and the suggestion itself is
// enough; too few --repeat rounds are flagged whatever the budget.
func TestDryRunSuggestsBudget(t *testing.T) {
	dir := t.TempDir()
	cfg := Config{Strategies: []string{"bufio", "chunked"}, Files: []int{64}, Sizes: []int64{1 << 20},
		Repeat: 200, Budget: 100 * time.Millisecond, Dir: dir}
	p, err := DryRun(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if p.VerdictRounds != DefaultMinRounds || p.SuggestedBudget <= cfg.Budget || p.VerdictEstimate <= cfg.Budget {
		t.Fatalf("budget %v: verdict rounds %d in %v, suggested %v; want %d rounds and a longer budget suggested",
			cfg.Budget, p.VerdictRounds, p.VerdictEstimate, p.SuggestedBudget, DefaultMinRounds)
	}
	cfg.Budget = p.SuggestedBudget
	if q, err := DryRun(cfg); err != nil || q.SuggestedBudget != 0 {
		t.Errorf("the suggested budget %v is itself too short (suggests %v, %v)", cfg.Budget, q.SuggestedBudget, err)
	}
	cfg.Repeat, cfg.Budget = 3, 0
	if q, _ := DryRun(cfg); !q.TooFewRounds || q.VerdictRounds != 6 {
		t.Errorf("--repeat 3: too few rounds %v (verdict rounds %d), want flagged with 6", q.TooFewRounds, q.VerdictRounds)
	}
}
