package writebench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/writebench/writebench/strategies"

	"github.com/writebench/writebench/internal/scratch"
	"github.com/writebench/writebench/resultset"
)

// Plan describes what Run would do with a Config, without doing it.
type Plan struct {
	Cells []resultset.Cell // the cells of the sweep, in expansion order, without samples
	// Rounds is the number of repetitions of every cell: Warmup uncounted
	// plus Repeat counted (the most, with a budget).
	Warmup, Repeat int
	// MinRounds is the counted rounds every cell gets when a Budget makes
	// sampling adaptive (else equal to Repeat).
	MinRounds int
	// Repetitions is the most repetitions the sweep may run.
	Repetitions int
	// Estimate is the estimated wall time of the sweep, from the cost model
	// of estimateRep: a rough guide, machines differ 2-3x.
	Estimate time.Duration
	// EstimateCell is the estimated wall time of one repetition per cell.
	EstimateCell []time.Duration
	// External marks the cells of external writer programs (--exec,
	// the Python writers): their estimate covers the files, syscalls and
	// bytes like any other cell's, not the program's own work, which can
	// be many times more (aiofiles with small records, for one).
	External []bool
	// Budget is the Config's Budget; OverBudget is set when the warm-ups
	// and the first counted round, which run whatever the budget, are
	// estimated to take longer than it (Estimate is then theirs).
	Budget     time.Duration
	OverBudget bool
	// VerdictRounds is the counted rounds every cell needs before its
	// workload can be decided (the paired interval's minimum at the
	// sweep's confidence, or MinRounds with a Budget);
	// VerdictEstimate the estimated wall time of the warm-ups and that
	// many rounds of every cell. TooFewRounds is set when Repeat is below
	// VerdictRounds: no workload can be decided whatever the budget.
	// SuggestedBudget, when non-zero, is a budget that would reach
	// VerdictRounds: Budget is shorter than VerdictEstimate.
	VerdictRounds   int
	VerdictEstimate time.Duration
	TooFewRounds    bool
	SuggestedBudget time.Duration
	// Probe says, for each external writer cell DryRunProbe probed, what
	// was measured or why the model's estimate stayed ("" otherwise).
	Probe []string
	// Calibration, set by DryRunProbe, says how the cost model was
	// calibrated on Dir before estimating the built-in strategies' cells
	// ("" when it was not).
	Calibration string
	// Dir is the absolute directory the scratch directory would go under,
	// FSType its file system ("tmpfs" and "ramfs" keep files in memory:
	// see MemoryWarning).
	Dir, FSType string
}

// DryRun validates cfg and returns its plan, estimated from the cost
// model alone. It writes nothing (it checks that Dir is writable with a
// probe file it removes, as Validate does).
func DryRun(cfg Config) (*Plan, error) {
	return dryRun(context.Background(), cfg, false)
}

// DryRunProbe is DryRun on measured costs: it calibrates the cost model
// on Dir with a few small batches of the chunked strategy (many small files
// for the per-file cost, one large file for the per-byte cost) and
// estimates the cells of external writer programs (whose own work the cost model cannot know: the Python aiofiles
// writers took about 50 times its estimate) from a measured probe: one
// short real batch of each such cell (at most ProbeFiles files of at most
// ProbeSize bytes, the cell's other parameters unchanged) in a scratch
// directory under Dir, removed at once, its time scaled to the cell's size
// by the cost model. Starting the writer is timed and counted once per
// cell. A probe that fails or is skipped leaves the cell's model estimate,
// with the reason in Plan.Probe.
func DryRunProbe(ctx context.Context, cfg Config) (*Plan, error) {
	return dryRun(ctx, cfg, true)
}

// Probe sizes: a probe writes at most ProbeFiles × ProbeSize bytes.
const (
	ProbeFiles = 4
	ProbeSize  = 256 << 10
)

func dryRun(ctx context.Context, cfg Config, probe bool) (_ *Plan, err error) {
	cfg = cfg.withDefaults()
	defer func() { err = cfg.fieldErr(err) }()
	cells, err := cfg.check()
	if err != nil {
		return nil, err
	}
	p := planSweep(&cfg, cells)
	out := &Plan{Warmup: p.warm, Repeat: cfg.Repeat, MinRounds: cfg.Repeat, Repetitions: p.reps}
	if cfg.Budget > 0 {
		out.MinRounds = min(cfg.MinRounds, cfg.Repeat)
		out.Budget = cfg.Budget
	}
	env := collectEnv(cfg, time.Now())
	out.Dir, out.FSType = env.Dir, env.FSType
	costs := make([]time.Duration, len(cells))
	var fixed time.Duration
	var machine machineFactors
	calibrated := false
	if probe {
		machine, calibrated = probeMachine(ctx, &cfg)
		out.Calibration = machine.Note
	}
	for i, c := range cells {
		out.Cells = append(out.Cells, *c.res)
		costs[i] = estimateRep(c.res, &cfg)
		if calibrated {
			costs[i] = repFromBatch(machine.scale(c.res), &cfg)
		}
		_, ext := c.strategy.(interface{ Command() string }) // external.Exec
		out.External = append(out.External, ext)
		note := ""
		if ext && probe {
			var start time.Duration
			costs[i], start, note = probeCell(ctx, &cfg, &cells[i], costs[i])
			fixed += start
		}
		out.Probe = append(out.Probe, cfg.fieldText(note))
		out.EstimateCell = append(out.EstimateCell, costs[i])
	}
	p.setEstimate(&cfg, costs, fixed)
	out.Estimate = p.estimate
	out.OverBudget = cfg.Budget > 0 && p.first > cfg.Budget
	out.VerdictRounds, out.VerdictEstimate = p.verdictRounds, p.verdict
	out.TooFewRounds = cfg.Repeat < p.verdictRounds && len(cells) > 1 // a lone cell has nothing to decide
	if cfg.Budget > 0 && !out.TooFewRounds && p.verdict > cfg.Budget {
		out.SuggestedBudget = suggestBudget(p.verdict)
	}
	return out, nil
}

// suggestBudget is a budget that covers d with a quarter to spare (the
// estimate is rough), rounded up to 5 s.
func suggestBudget(d time.Duration) time.Duration {
	d += d / 4
	const step = 5 * time.Second
	return (d + step - 1) / step * step
}

// probeCell runs one short batch of the external writer cell c and returns
// the estimated wall time of one repetition scaled from it, the time the
// writer took to start, and a note saying what was measured (or why the
// model's estimate stays).
func probeCell(ctx context.Context, cfg *Config, c *cell, model time.Duration) (rep, start time.Duration, note string) {
	pc := *c.res
	pc.Files = min(pc.Files, ProbeFiles)
	pc.FileSize = min(pc.FileSize, ProbeSize)
	// Two batches, the second timed: the real run's first repetition is a
	// warm-up too (an interpreter's first request pays for its imports).
	took, start, note := probeBatch(ctx, cfg, c.strategy, c.params, pc.Files, pc.FileSize, 2)
	if note != "" {
		return model, start, note
	}
	scale := float64(modelBatch(c.res)) / float64(modelBatch(&pc))
	rep = repFromBatch(time.Duration(float64(took)*scale), cfg)
	return rep, start, fmt.Sprintf("measured: %d × %s took %s, writer start %s",
		pc.Files, resultset.FormatBytes(pc.FileSize), took.Round(time.Microsecond), start.Round(time.Millisecond))
}

// The batches that calibrate the cost model on Dir, each written by
// chunked machineRuns times (the median counts): many small files for the
// per-file cost, one large file for the rest.
const (
	machineFiles = 64
	machineSmall = 4 << 10
	machineLarge = 8 << 20
	machineRuns  = 3
)

// machineFactors says how many times slower than the cost model this
// machine and directory are: Files for the per-file part of a batch, Rest
// for the rest (modelParts). 1 is as modelled.
type machineFactors struct {
	Files, Rest float64
	Note        string
}

// scale is the wall time of one batch of c on this machine.
func (m machineFactors) scale(c *resultset.Cell) time.Duration {
	perFile, rest := modelParts(c)
	return max(time.Duration(float64(perFile)*m.Files+float64(rest)*m.Rest), 1)
}

// probeMachine times the calibration batches under cfg.Dir; ok false when
// they could not be made.
func probeMachine(ctx context.Context, cfg *Config) (m machineFactors, ok bool) {
	s, err := strategies.Lookup("chunked")
	if err != nil {
		return m, false
	}
	median := func(c *resultset.Cell) (time.Duration, bool) {
		var times []time.Duration
		for range machineRuns {
			took, _, fail := probeBatch(ctx, cfg, s, paramsOf(c), c.Files, c.FileSize, 1)
			if fail != "" {
				return 0, false
			}
			times = append(times, took)
		}
		slices.Sort(times)
		return times[len(times)/2], true
	}
	large := newCell("chunked")
	large.Files, large.FileSize, large.Sync = 1, machineLarge, "none"
	tl, ok1 := median(large)
	small := newCell("chunked")
	small.Files, small.FileSize, small.Sync = machineFiles, machineSmall, "none"
	ts, ok2 := median(small)
	if !ok1 || !ok2 {
		return m, false
	}
	// The large batch is nearly all "rest"; the small one's rest part is
	// scaled by that factor and the remainder is the files' cost.
	pl, rl := modelParts(large)
	m.Rest = max(float64(tl-time.Duration(float64(pl)))/float64(rl), 0.1)
	ps, rs := modelParts(small)
	m.Files = max((float64(ts)-float64(rs)*m.Rest)/float64(ps), 0.1)
	m.Note = fmt.Sprintf("cost model calibrated here: %d × %s took %s, 1 × %s %s (median of %d each): %.2g× the model per file, %.2g× per byte",
		machineFiles, resultset.FormatBytes(machineSmall), ts.Round(time.Microsecond), resultset.FormatBytes(machineLarge),
		tl.Round(time.Microsecond), machineRuns, m.Files, m.Rest)
	return m, true
}

// probeBatch writes one batch of files × size with strategy s (through a
// session of its own when it opens one) in a fresh scratch directory
// under cfg.Dir, removed before it returns, times times over, and returns
// the wall time of the last batch's writing, verifying (unless
// cfg.NoVerify) and removing its files, and the time the session took to
// open. note is non-empty when the
// probe could not be made (skipped or failed), saying why.
func probeBatch(ctx context.Context, cfg *Config, s strategies.Strategy, params strategies.Params, files int, size int64, times int) (took, start time.Duration, note string) {
	sc, err := scratch.New(cfg.Dir)
	if err != nil {
		return 0, 0, "not probed: " + err.Error()
	}
	defer sc.Remove()
	dir := filepath.Join(sc.Path, "probe")
	if err := os.Mkdir(dir, 0o755); err != nil {
		return 0, 0, "not probed: " + err.Error()
	}
	b := &strategies.Batch{Dir: dir, Files: files, Size: size, Params: params, Content: strategies.NewContent(1)}
	write := s.Write
	if o, ok := s.(strategies.CellOpener); ok {
		t0 := time.Now()
		sess, err := o.OpenCell(ctx, params)
		start = time.Since(t0)
		if reason, skip := strategies.SkipReason(err); skip {
			return 0, 0, "would be skipped: " + reason
		}
		if err != nil {
			return 0, 0, "probe failed to start the writer: " + err.Error()
		}
		defer sess.Close()
		write = sess.Write
	}
	for range max(times, 1) {
		// Timed as the cost model counts a batch: writing, reading back
		// and removing the files.
		t0 := time.Now()
		err = callWrite(ctx, s.Name(), write, b)
		if reason, skip := strategies.SkipReason(err); skip {
			return 0, start, "would be skipped: " + reason
		}
		if err != nil {
			return 0, start, "probe failed: " + err.Error()
		}
		if !cfg.NoVerify {
			if rv, ok := s.(strategies.RecordVerifier); ok {
				_, err = rv.VerifyRecords(ctx, b)
			} else {
				err = strategies.Verify(ctx, b)
			}
			if err != nil {
				return 0, start, "probe failed: " + err.Error()
			}
		}
		if err := strategies.Clean(dir, ""); err != nil {
			return 0, start, "probe could not clean up: " + err.Error()
		}
		took = max(time.Since(t0), 1)
	}
	return took, start, ""
}
