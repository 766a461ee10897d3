package writebench

import (
	"time"

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
	// Estimate is the estimated wall time of the sweep, from costs measured
	// on a 2-core VM with ext4: a rough guide, machines differ 2-3x.
	Estimate time.Duration
	// EstimateCell is the estimated wall time of one repetition per cell.
	EstimateCell []time.Duration
	// External marks the cells of external writer programs (--exec,
	// the Python writers): their estimate covers the files, syscalls and
	// bytes like any other cell's, not the program's own work, which can
	// be far more (aiofiles with 256-byte records took 1.3 s for 4 MiB
	// here, estimated 27 ms).
	External []bool
	// Budget is the Config's Budget; OverBudget is set when the warm-ups
	// and the first counted round, which run whatever the budget, are
	// estimated to take longer than it (Estimate is then theirs).
	Budget     time.Duration
	OverBudget bool
}

// DryRun validates cfg and returns its plan. It writes nothing (it checks
// that Dir is writable with a probe file it removes, as Validate does).
func DryRun(cfg Config) (*Plan, error) {
	cfg = cfg.withDefaults()
	cells, err := cfg.check()
	if err != nil {
		return nil, err
	}
	p := planSweep(&cfg, cells)
	out := &Plan{Warmup: p.warm, Repeat: cfg.Repeat, MinRounds: cfg.Repeat, Repetitions: p.reps, Estimate: p.estimate}
	if cfg.Budget > 0 {
		out.MinRounds = min(cfg.MinRounds, cfg.Repeat)
		out.Budget, out.OverBudget = cfg.Budget, p.first > cfg.Budget
	}
	for _, c := range cells {
		out.Cells = append(out.Cells, *c.res)
		out.EstimateCell = append(out.EstimateCell, estimateRep(c.res, &cfg))
		_, ext := c.strategy.(interface{ Command() string }) // external.Exec
		out.External = append(out.External, ext)
	}
	return out, nil
}
