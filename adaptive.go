package writebench

import (
	"math"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/stats"
	"github.com/writebench/writebench/strategies"
)

// plan is what a sweep will do before it starts: rounds, the rounds at which
// the runner looks at the data (adaptive sampling), and an estimate.
type plan struct {
	warm int // uncounted rounds
	// looks lists the counted-round counts after which the runner decides
	// which groups go on (empty without a budget).
	looks []int
	// confidence is the two-sided confidence of the intervals at every
	// look (lookConfidence), the guard against optional stopping.
	confidence float64
	reps       int           // repetitions planned (the most, with a budget)
	estimate   time.Duration // estimated wall time of the sweep
	first      time.Duration // estimated wall time of the warm-ups and the first counted round, which always run
	// verdictRounds is the counted rounds every cell needs before its
	// workload can be decided: the paired interval needs
	// stats.MinPairs pairs at the sweep's confidence, and an adaptive
	// sweep gives every cell MinRounds first. verdict is the estimated
	// wall time of the warm-ups and that many rounds of every cell.
	verdictRounds int
	verdict       time.Duration
}

// lookConfidence is the two-sided confidence of every interval of a sweep
// that looks at its data L times, the final verdict included. Every
// decision a verdict makes is one-sided: "slower" is an upper bound below
// 1 - tie, "no faster" an upper bound at most 1 + tie, "tie" both bounds
// inside the margin (two one-sided tests). A two-sided interval at c errs
// in the direction of a decision at most (1 - c)/2 of the time, so over L
// looks (a union bound) at most L(1 - c)/2: 5% for the runner's two looks
// with 95% intervals. A sweep of fixed rounds (one look) keeps 95% too, so
// every interval writebench prints is a 95% one unless more looks need
// more; its decisions err at most 2.5% of the time.
func lookConfidence(looks int) float64 {
	if looks <= 2 {
		return judge.DefaultConfidence
	}
	return 1 - 2*(1-judge.DefaultConfidence)/float64(looks)
}

// planSweep computes the plan of cfg over cells.
func planSweep(cfg *Config, cells []cell) plan {
	// Only the warm-ups asked for run uncounted: without any, the first
	// counted round calibrates the batches per sample (see Config.Warmup).
	p := plan{warm: max(cfg.Warmup, 0), confidence: judge.DefaultConfidence}
	if cfg.Budget > 0 && cfg.MinRounds < cfg.Repeat {
		// One interim look, after MinRounds, then the final verdict: the
		// 5% are split over these two looks, the guard against optional
		// stopping (lookConfidence). More looks would each cost a wider
		// interval.
		p.looks = []int{cfg.MinRounds}
		p.confidence = lookConfidence(len(p.looks) + 1)
	}
	p.reps = (p.warm + cfg.Repeat) * len(cells)
	costs := make([]time.Duration, len(cells))
	for i := range cells {
		costs[i] = estimateRep(cells[i].res, cfg)
	}
	p.setEstimate(cfg, costs, 0)
	return p
}

// setEstimate sets the plan's estimates from the wall time of one
// repetition of every cell (costs) and the time spent once per sweep
// (fixed: starting external writers).
func (p *plan) setEstimate(cfg *Config, costs []time.Duration, fixed time.Duration) {
	p.verdictRounds = stats.MinPairs(p.confidence)
	if cfg.Budget > 0 {
		p.verdictRounds = max(p.verdictRounds, min(cfg.MinRounds, cfg.Repeat))
	}
	total, first, verdict := fixed, fixed, fixed
	for _, rep := range costs {
		total += time.Duration(p.warm+cfg.Repeat) * rep
		first += time.Duration(p.warm+min(cfg.Repeat, 1)) * rep
		verdict += time.Duration(p.warm+min(p.verdictRounds, cfg.Repeat)) * rep
	}
	p.first, p.verdict = first, verdict
	if cfg.Budget > 0 {
		// Decided groups stop early, but on a noisy machine some group
		// is nearly always still undecided when the budget runs out: the
		// default and quick presets used all of theirs in every run here.
		// The warm-ups and the first counted round run whatever the
		// budget, so a budget smaller than they are does not bound the
		// sweep.
		total = max(min(total, cfg.Budget), first)
	}
	p.estimate = total
}

// Costs behind estimateRep: a rough model of a small VM with ext4, fitted
// to plain runs of each strategy; other machines differ 2-3x.
const (
	costPerFile    = 40 * time.Microsecond  // create + close + verify + remove one file
	costPerSyscall = 1500 * time.Nanosecond // one small write(2) into the page cache
	costPerGB      = 400 * time.Millisecond // copy + read back of 1 GB through the page cache
	costPerFsync   = 2 * time.Millisecond   // fsync/fdatasync of a small file on this disk
	costPerRep     = 300 * time.Microsecond // runner overhead per repetition
)

// estimateRep estimates the wall time of one repetition of c, everything
// included (verification, cleanup, Loops batches to reach MinSample).
func estimateRep(c *resultset.Cell, cfg *Config) time.Duration {
	return repFromBatch(modelBatch(c), cfg)
}

// repFromBatch is the wall time of one repetition whose batch takes d:
// looped up to MinSample, plus the runner's overhead.
func repFromBatch(d time.Duration, cfg *Config) time.Duration {
	if cfg.MinSample > 0 && d < cfg.MinSample {
		d = cfg.MinSample * 12 / 10 // looped up to MinSample, plus verification
	}
	return d + costPerRep
}

// modelBatch is the cost model's wall time of one batch of c: writing,
// verifying and removing its files.
func modelBatch(c *resultset.Cell) time.Duration {
	perFile, rest := modelParts(c)
	return max(perFile+rest, 1)
}

// modelParts splits modelBatch into the cost of the files as such
// (creating, closing and removing them: the file system's metadata work)
// and the rest (system calls, bytes, syncs).
func modelParts(c *resultset.Cell) (perFile, rest time.Duration) {
	files := time.Duration(c.Files)
	bytes := float64(c.Files) * float64(c.FileSize)
	piece := int64(strategies.DefaultChunk)
	for _, v := range []int{c.Record, c.Chunk} {
		if v > 0 && int64(v) < piece {
			piece = int64(v)
		}
	}
	if c.Buffer > 0 {
		piece = int64(c.Buffer) // buffered writers reach the kernel a buffer at a time
	}
	writes := float64(c.Files) * math.Ceil(float64(c.FileSize)/float64(max(piece, 1)))
	d := time.Duration(writes*float64(costPerSyscall)) + time.Duration(bytes/1e9*float64(costPerGB))
	switch c.Sync {
	case "close", "data":
		d += files * costPerFsync
	case "end":
		d += costPerFsync * 4
	case "dsync":
		d += time.Duration(writes * float64(costPerFsync))
	}
	return files * costPerFile, d
}

// groupState tracks the comparison groups of a sweep (judge.Groups: the
// cells of one workload, where a cell a workload axis does not apply to can
// be in several) and which are decided, and the blocks the rounds schedule
// together (judge.Blocks: groups that share a cell, merged).
type groupState struct {
	of      [][]int // groups of each cell (none: alone in its workload)
	members [][]int // cells of each group
	blocks  [][]int // cells scheduled together; every cell in exactly one
	done    []bool  // group decided at the last look
	settled []bool  // cell settled (see settle) in every open group it is in
}

func newGroups(set *resultset.Set) *groupState {
	g := &groupState{of: make([][]int, len(set.Results))}
	g.members = judge.Groups(set)
	g.done = make([]bool, len(g.members))
	g.settled = make([]bool, len(set.Results))
	for gi, m := range g.members {
		for _, i := range m {
			g.of[i] = append(g.of[i], gi)
		}
	}
	for _, b := range judge.Blocks(set) {
		if len(b) > 1 {
			g.blocks = append(g.blocks, b)
		}
	}
	return g
}

// decided reports whether cell i needs no more rounds: every group it is
// in was decided at the look, or it was settled there (proven slower than
// its group's fastest, or no faster than it by more than the tie margin:
// either way it cannot hold the group undecided, and more of its rounds
// would only cost time), or it has no other contender in its workload.
func (g *groupState) decided(i int) bool {
	if g.settled[i] {
		return true
	}
	for _, gi := range g.of[i] {
		if !g.done[gi] {
			return false
		}
	}
	return true
}

// look decides, for every group still open, whether it needs more rounds:
// judge.GroupDecided at the per-look confidence, the same decision the
// report prints.
func (g *groupState) look(set *resultset.Set, cfg *Config, conf float64) {
	o := judge.Options{Tie: cfg.Tie, Confidence: conf}
	cand := make([]map[int]bool, len(g.members))
	for gi, m := range g.members {
		if g.done[gi] {
			continue
		}
		if g.done[gi] = judge.GroupDecided(set, m, o, cfg.Precision); g.done[gi] {
			continue
		}
		// The group goes on, but only with the contenders still in
		// question: one already no faster than the rest (often the
		// costliest: unbuffered 64 × 1MiB) costs rounds without changing
		// the verdict, rounds the budget gives to the contenders that may
		// still come out fastest.
		cand[gi] = g.settle(set, m, o)
	}
	// A cell in several groups stops only when no open group needs it.
	for i, gs := range g.of {
		if len(gs) == 0 || g.settled[i] {
			continue
		}
		all, any := true, false
		for _, gi := range gs {
			switch {
			case cand[gi][i]:
				any = true
			case !g.done[gi]:
				all = false
			}
		}
		if all && any {
			g.settled[i] = true
			set.Results[i].Settled = true
		}
	}
}

// settle returns the cells of group m that need no more rounds: a
// contender is settled when, on the rounds so far, its interval against
// every contender that goes on shows it no faster than that one by more
// than the tie margin. The fastest at the look is not enough to compare
// with: the fastest at the end may be another contender (two near-equal
// ones often swap), and a cell settled only against the first would then
// meet the second with the few rounds it had, too few to decide (in ten
// default runs here, 13 of the 26 undecided groups were held open by such
// cells alone; docs/verdicts.md). Against every contender that goes on,
// the final verdict, which picks its fastest among those and makes its
// intervals at the same confidence on the same rounds, reaches the same
// answer for a settled cell as the look did. Settled cells are recorded in
// the set (Cell.Settled) for that reason.
func (g *groupState) settle(set *resultset.Set, m []int, o judge.Options) map[int]bool {
	cand := map[int]bool{}
	for _, ct := range judge.Decide(set, m, o).Contenders {
		if ct.Verdict == judge.Slower || ct.NoFaster {
			cand[ct.Cell] = true
		}
	}
	// Settling a cell removes it from those that go on, which can only
	// lift constraints; keeping one there adds one. Drop candidates until
	// every remaining one is no faster than every cell that goes on.
	for changed := true; changed; {
		changed = false
		for _, i := range m {
			if !cand[i] {
				continue
			}
			for _, j := range m {
				if j == i || cand[j] || !judge.Eligible(&set.Results[j]) {
					continue
				}
				_, _, hi, ok := stats.RatioInterval(resultset.PairedRatios(&set.Results[j], &set.Results[i]), o.Confidence)
				if !ok || hi > 1+o.Tie {
					delete(cand, i)
					changed = true
					break
				}
			}
		}
	}
	return cand
}

// sameLoops gives every cell of a group the same number of batches per
// repetition: a batch's time depends a little on how many run back to back
// (the page cache and the directories are warmer), so contenders timed with
// different loop counts are not compared like with like (an A/A run of two
// identical strategies showed twice the false winners when their
// calibrations differed). The count is the median of the cells'
// calibrations (the lower middle one for an even count): each calibration
// rests on one batch of the warm-up, and on a busy machine one of them is
// often several times slower than the rest, which with the smallest count
// would leave the whole group with samples far below MinSample, where the
// noise of a shared machine is largest. A contender slower than most gets
// samples longer than MinSample, one faster shorter; the count is capped
// at 10 times the smallest, so the slowest contender's samples stay within
// about 10 MinSample (a group of fast writers beside one of 1-byte records
// would otherwise give the slow one samples of seconds).
func (g *groupState) sameLoops(cells []cell) {
	for _, m := range g.blocks {
		var ls []int
		for _, i := range m {
			if l := cells[i].loops; l > 0 {
				ls = append(ls, l)
			}
		}
		if len(ls) == 0 {
			continue
		}
		slices.Sort(ls)
		mid := min(ls[(len(ls)-1)/2], 10*ls[0])
		for _, i := range m {
			if cells[i].loops > 0 {
				cells[i].loops = mid
				cells[i].res.Loops = mid
			}
		}
	}
}

// blockOrder returns the round's cells in a seeded random order that keeps
// the contenders of one workload together: the groups in a shuffled order,
// each group's cells shuffled inside its block, cells without a group as
// blocks of their own. A paired ratio then compares two samples taken
// moments apart instead of anywhere in a round of the whole sweep, so the
// load that drifts within a round (writeback of the big cells, the
// host's work, a neighbour) hits both sides of a pair alike.
func (g *groupState) blockOrder(rng *rand.Rand, order []int) []int {
	in := make([]bool, len(g.of))
	inBlock := make([]bool, len(g.of))
	for _, m := range g.blocks {
		for _, i := range m {
			inBlock[i] = true
		}
	}
	var blocks [][]int
	for _, i := range order {
		in[i] = true
		if !inBlock[i] {
			blocks = append(blocks, []int{i})
		}
	}
	for _, m := range g.blocks {
		if b := slices.DeleteFunc(slices.Clone(m), func(i int) bool { return !in[i] }); len(b) > 0 {
			blocks = append(blocks, b)
		}
	}
	rng.Shuffle(len(blocks), func(i, j int) { blocks[i], blocks[j] = blocks[j], blocks[i] })
	out := order[:0]
	for _, b := range blocks {
		rng.Shuffle(len(b), func(i, j int) { b[i], b[j] = b[j], b[i] })
		out = append(out, b...)
	}
	return out
}

// assignDirs returns the directory of every cell for one round: each
// group's own directories, d<i> for its cells i, dealt to its cells in a
// seeded random order; a cell without a group keeps its own. A directory so
// only ever holds batches of one workload (the same number of files, so
// the same directory size and history), while which contender gets which
// one changes from round to round. Dealing the directories of the whole
// sweep instead let a 1-file batch land in a directory that last held 256
// files and vice versa, which moved single samples by 30% and more.
func (g *groupState) assignDirs(rng *rand.Rand) []int {
	dir := make([]int, len(g.of))
	for i := range dir {
		dir[i] = i
	}
	for _, m := range g.blocks {
		p := rng.Perm(len(m))
		for k, i := range m {
			dir[i] = m[p[k]]
		}
	}
	return dir
}
