// Package writebench is the runner behind the writebench command: it expands
// a sweep of strategies × file counts × file sizes × parameters into cells,
// runs every cell's repetitions interleaved round by round in a seeded
// shuffled order, times exactly the strategy's work, reads every written
// byte back to verify it, and returns the raw samples as a resultset.Set.
//
// The runner is public so another Go program can measure its own
// strategies.Strategy under the same conditions as the built-in ones: put
// it in Config.Custom and name it in Config.Strategies. It links no
// renderer: the result set is package resultset.
//
// The timed region of a repetition holds Strategy.Write (run Loops times
// back to back when one batch is shorter than Config.MinSample) and, for
// sync mode "end", the final syncfs; nothing else. Creating and removing
// the scratch directories, dropping caches, starting external programs,
// verification, progress updates and reading the counters all happen
// outside it.
//
// Repetition k of every cell runs in round k, so samples of the cells of one
// comparison group (same files, size and sync) are paired by round; with a
// Budget, rounds after the first MinRounds go only to groups whose paired
// verdict is still undecided (see adaptive.go).
package writebench

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/writebench/writebench/internal/ranks"
	"github.com/writebench/writebench/internal/safefs"
	"github.com/writebench/writebench/internal/scratch"
	"github.com/writebench/writebench/internal/sysinfo"
	"github.com/writebench/writebench/internal/textfmt"
	"github.com/writebench/writebench/internal/timeline"
	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies"
)

// cell is a cell of the sweep while it runs.
type cell struct {
	res      *resultset.Cell
	strategy strategies.Strategy
	params   strategies.Params
	done     bool // failed or skipped: no more repetitions
	session  strategies.Session
	loops    int           // batches per repetition (0: not calibrated yet)
	repCost  time.Duration // wall time of the last repetition, everything included
	reps     int           // repetitions run (warm-ups included)
	// abandoned: a repetition of this cell was still running when the
	// sweep ended after a signal (see repBounded).
	abandoned bool
}

// ErrInterrupted is returned (wrapped with the context's cause) when the
// context was cancelled before the sweep finished; the returned set is still
// valid, holds every completed repetition and has Complete false.
var ErrInterrupted = errors.New("sweep interrupted")

// ScratchLeftError is Run's error when the sweep finished (its set is
// valid and returned) but the scratch directory could not be removed: the
// files under Dir are writebench's and take space until removed by hand.
// The CLI exits 1 on it.
type ScratchLeftError struct {
	Dir string
	Err error
}

func (e *ScratchLeftError) Error() string {
	return fmt.Sprintf("the scratch directory %s could not be removed: %v (remove it by hand)", resultset.Printable(e.Dir), e.Err)
}

func (e *ScratchLeftError) Unwrap() error { return e.Err }

// Run runs the sweep cfg describes and returns its result set. A cell that
// fails records its error and the sweep goes on; a cell its strategy cannot
// run here is recorded as skipped with the reason. Run's error is reserved
// for bad configuration (a *ConfigError; nothing was written), an unusable
// Dir, interruption (ErrInterrupted, with a valid partial set), and a
// scratch directory that could not be removed (*ScratchLeftError, with a
// valid complete set).
func Run(ctx context.Context, cfg Config) (_ *resultset.Set, runErr error) {
	start := time.Now()
	cfg = cfg.withDefaults()
	defer func() { runErr = cfg.fieldErr(runErr) }()
	cells, err := cfg.check()
	g := ranks.NewGroup(cfg.Job)
	g.Shared = cfg.SharedDir
	// Every rank validates, then all agree on the whole configuration
	// before any work: a rank's usage error or a differing setting ends
	// the run on every rank with the same *RankError.
	var mine []ranks.Setting
	if err == nil {
		mine = cfg.settings(cells)
	}
	if err := g.AgreeConfig(ctx, ranksError(err), mine); err != nil {
		return nil, rankError(err)
	}
	if cfg.Seed == 0 {
		cfg.Seed = uint64(time.Now().UnixNano())
	}
	if cfg.Seed, err = g.Start(ctx, cfg.Seed); err != nil {
		return nil, err
	}
	reported0, reportedOK := sysinfo.ReportedKiB()
	env := collectEnv(cfg, start)
	g.Describe(&env)
	if env.InMemory() {
		cfg.logText(MemoryWarning(env.Dir, env.FSType))
	}
	set := &resultset.Set{Schema: resultset.SchemaVersion, Tool: resultset.Tool, Env: env}
	for _, c := range cells {
		set.Results = append(set.Results, *c.res)
	}
	for i := range cells {
		cells[i].res = &set.Results[i]
	}

	warnDirs(&cfg)
	r := &runner{cfg: cfg, scratches: map[string]*scratch.Dir{}, content: strategies.NewContent(g.ContentSeed()), prefix: g.Prefix(), group: g}
	// One scratch directory per directory of the run, each removed at the
	// end (and only it: nothing else under the directories is touched).
	var made []*scratch.Dir
	defer func() {
		r.closeAll(ctx, cells)
		for _, sd := range made {
			if err := r.removeScratch(ctx, sd); err != nil {
				cfg.logf("warning: could not remove the scratch directory %s: %v (remove it by hand)", resultset.Printable(sd.Path), err)
				if runErr == nil {
					runErr = &ScratchLeftError{Dir: sd.Path, Err: err}
				}
			}
		}
	}()
	if err := r.makeScratches(ctx, cells, &made); err != nil {
		return nil, err
	}
	r.setupProbes()
	if cfg.Timeline {
		defer r.mem.Close()
	}

	plan := planSweep(&cfg, cells)
	looked := 0 // interim looks made; the final verdict is one more
	if cfg.Progress != nil {
		cfg.Progress.Start(plan.reps, plan.estimate, cfg.Budget)
		defer func() { cfg.Progress.Done(set.Complete) }()
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x5eed))
	groups := newGroups(set)
	interrupted := false
	var cause error // why the sweep stopped early, when not ctx's
	deadline := time.Time{}
	if cfg.Budget > 0 {
		deadline = start.Add(cfg.Budget)
	}
	for round := 0; round < plan.warm+cfg.Repeat; round++ {
		counted := round >= plan.warm
		k := round - plan.warm // counted round index
		order := roundOrder(&cfg, cells, groups, counted, k)
		if len(order) == 0 {
			break
		}
		// The budget bounds the sweep: after the warm-ups and the first
		// counted round (without which there is nothing to report), no round
		// starts that would end past it, by the cost of each cell's last
		// repetition.
		if counted && k >= 1 && !deadline.IsZero() {
			spent, err := budgetSpent(ctx, g, cells, order, deadline)
			if err != nil {
				interrupted, cause = true, err
				break
			}
			if spent {
				set.Env.BudgetSpent = true
				break
			}
		}
		order = groups.blockOrder(rng, order)
		r.assign = groups.assignDirs(rng) // the directory each cell writes into this round
		var stop bool
		if stop, cause = r.round(ctx, cells, order, counted, k, round == plan.warm+cfg.Repeat-1); stop {
			interrupted = true
			break
		}
		if round == max(plan.warm, 1)-1 {
			// Calibrated on the last warm-up, or without warm-ups on the
			// first counted round.
			groups.sameLoops(cells)
		}
		if counted && slices.Contains(plan.looks, k+1) {
			groups.look(set, &cfg, plan.confidence)
			looked++
		}
	}
	r.closeAll(ctx, cells)
	for i := range cells {
		c := &cells[i]
		c.res.Verified = !cfg.NoVerify && !c.done && len(c.res.Seconds) > 0
	}
	if k, ok := sysinfo.ReportedKiB(); ok && reportedOK && k > reported0 {
		set.Env.ReportedBytes = (k - reported0) << 10
	}
	return finishSet(ctx, set, looked, start, interrupted, cause)
}

// signalGrace is how long a repetition may go on after the context is
// cancelled (the first signal) before the sweep is ended without it: a
// write(2) blocked in the kernel (a slow disk, a large --chunk) cannot be
// interrupted, and the partial set must be saved and the scratch directory
// removed all the same.
const signalGrace = 2 * time.Second

// errAbandoned is the error of a repetition the sweep stopped waiting for.
var errAbandoned = errors.New("repetition abandoned after the signal's grace period")

// repBounded runs r.rep, and once ctx is cancelled waits at most
// signalGrace for it: after that the repetition is abandoned (it runs on
// in its goroutine until its blocked call returns or the process exits,
// but may no longer change the cell; see commit) and repBounded returns
// errAbandoned. With several ranks the repetition is always waited for:
// its collectives must stay in step.
func (r *runner) repBounded(ctx context.Context, idx int, c *cell, counted bool, k int) error {
	if r.group.Multi() {
		return r.rep(ctx, idx, c, counted, k)
	}
	done := make(chan error, 1)
	go func() { done <- r.rep(ctx, idx, c, counted, k) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
	}
	t := time.NewTimer(signalGrace)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
	}
	r.mu.Lock()
	r.abandoned = true
	r.mu.Unlock()
	c.abandoned = true
	r.cfg.logf("note: cell %s: a write did not return within %v of the signal (blocked in the kernel); ending the sweep without it", resultset.Printable(c.res.Key()), signalGrace)
	return errAbandoned
}

// removeScratch removes the scratch directory sd. After a signal it waits at
// most signalGrace for that: a file whose write is blocked in the kernel
// may hold a lock the removal needs, and the run must end all the same
// (the error then says the directory is left).
func (r *runner) removeScratch(ctx context.Context, sd *scratch.Dir) error {
	if ctx.Err() == nil || r.group.Multi() {
		return r.group.RemoveScratch(ctx, sd)
	}
	done := make(chan error, 1)
	go func() { done <- r.group.RemoveScratch(ctx, sd) }()
	t := time.NewTimer(signalGrace)
	defer t.Stop()
	select {
	case err := <-done:
		return err
	case <-t.C:
		return fmt.Errorf("not removed within %v of the signal: a write in it is still blocked in the kernel", signalGrace)
	}
}

// commit applies fn, a change to the sweep's state made by a repetition,
// unless the repetition was abandoned (see repBounded), and reports
// whether it did.
func (r *runner) commit(fn func()) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.abandoned {
		return false
	}
	fn()
	return true
}

// withDir runs verify, the check of batch b, with b.DirFile set to b's
// directory, rel under the scratch directory, opened from the scratch
// directory's own descriptor (checked to be the directory made there), so
// a directory a writer replaced by a link is not read through.
func (r *runner) withDir(b *strategies.Batch, rel string, verify func() error) error {
	d, err := r.scratch.OpenDir(rel)
	if err != nil {
		return fmt.Errorf("verify: %w", err)
	}
	defer d.Close()
	b.DirFile = d
	defer func() { b.DirFile = nil }()
	return verify()
}

// warnDirs logs the warnings about the run's directories: shared-writable
// ones, and stale scratch directories of earlier runs in them.
func warnDirs(cfg *Config) {
	for _, d := range cfg.Dirs {
		if why, refuse, err := safefs.SharedWritable(d); err == nil && why != "" && !refuse {
			cfg.logf("warning: {dir} %s is %s: its other members could swap writebench's directories there (removal is safe; files the strategies write could land elsewhere); prefer a directory of your own", resultset.Printable(d), why)
		}
		for _, stale := range scratch.FindStale(d) {
			cfg.logf("note: stale scratch directory from an earlier writebench run: %s (remove it if no writebench is running)", stale)
		}
	}
}

// makeScratches makes one scratch directory per directory of the run,
// appending each to made (which the caller removes at the end, and only
// them: nothing else under the directories is touched).
func (r *runner) makeScratches(ctx context.Context, cells []cell, made *[]*scratch.Dir) error {
	cfg, g := &r.cfg, r.group
	for _, d := range cfg.Dirs {
		sd, err := g.MakeScratch(ctx, d)
		if err != nil {
			return configError(err)
		}
		*made = append(*made, sd)
		if len(cfg.Dirs) > 1 {
			r.scratches[d] = sd
		} else {
			r.scratches[""] = sd
		}
	}
	for i := range cells {
		// Strategies with files of their own (external programs' sources,
		// patterns, temporary files) keep them in the (first) scratch
		// directory, removed with it however the run ends.
		if u, ok := cells[i].strategy.(strategies.ScratchUser); ok {
			p, err := (*made)[0].Mkdir("x-" + r.prefix + cells[i].strategy.Name())
			if err != nil {
				return fmt.Errorf("scratch directory of %s: %w", cells[i].strategy.Name(), err)
			}
			u.UseScratch(p)
		}
	}
	return nil
}

// setupProbes prepares what --timeline and --write-latency record.
func (r *runner) setupProbes() {
	cfg := &r.cfg
	if cfg.Timeline || cfg.WriteLatency {
		r.probe = &strategies.Probe{}
		if cfg.WriteLatency {
			r.probe.Latency = &strategies.LatencyHist{}
		}
	}
	if cfg.Timeline {
		r.mem = timeline.OpenMeminfo()
		r.sampler = timeline.NewSampler(cfg.TimelineInterval, r.probe, r.mem)
	}
}

// finishSet completes the set's env (looks made, total time, peak RSS) and
// marks it complete, or interrupted with its cause (the context's when cause
// is nil), returning ErrInterrupted then.
func finishSet(ctx context.Context, set *resultset.Set, looked int, start time.Time, interrupted bool, cause error) (*resultset.Set, error) {
	if looked > 0 {
		// The 5% are split over the looks actually made (they depend on
		// the clock, never on the data; see lookConfidence).
		set.Env.Looks = looked + 1
		set.Env.Confidence = lookConfidence(looked + 1)
	}
	set.Env.TotalSeconds = time.Since(start).Seconds()
	set.Env.Drift = judge.Drifts(set)
	if rss, ok := sysinfo.PeakRSS(); ok {
		set.Env.PeakRSS = rss
	}
	set.Complete = !interrupted
	if interrupted {
		if cause == nil {
			cause = context.Cause(ctx)
		}
		set.Interrupted = cause.Error()
		return set, fmt.Errorf("%w: %w", ErrInterrupted, cause)
	}
	return set, nil
}

// roundOrder lists the cells that run in a round: those not done, and with a
// budget, after MinRounds counted rounds, those whose group is undecided.
func roundOrder(cfg *Config, cells []cell, groups *groupState, counted bool, k int) []int {
	var order []int
	for i := range cells {
		c := &cells[i]
		if c.done || (cfg.Budget > 0 && counted && k >= cfg.MinRounds && groups.decided(i)) {
			continue
		}
		order = append(order, i)
	}
	return order
}

// budgetSpent reports whether a round of the cells of order would end past
// deadline, by the cost of each cell's last repetition; with several ranks,
// rank 0's clock decides for all.
func budgetSpent(ctx context.Context, g *ranks.Group, cells []cell, order []int, deadline time.Time) (bool, error) {
	var cost time.Duration
	for _, i := range order {
		cost += cells[i].repCost
	}
	// A round rarely costs exactly what its cells' last repetitions
	// did on a shared machine: a tenth more keeps the sweep inside
	// its budget.
	cost += cost / 10
	return g.Decide(ctx, time.Now().Add(cost).After(deadline))
}

// round runs one repetition of every cell of order (round k when counted;
// last is the sweep's last round). A failed or skipped cell records why and
// the round goes on; stop is true when the sweep must end here (the context
// ended, or the ranks cannot talk any more: cause, nil for the context's).
func (r *runner) round(ctx context.Context, cells []cell, order []int, counted bool, k int, last bool) (stop bool, cause error) {
	for _, i := range order {
		c := &cells[i]
		if ctx.Err() != nil {
			return true, nil
		}
		t0 := time.Now()
		err := r.repBounded(ctx, i, c, counted, k)
		c.repCost = time.Since(t0)
		c.reps++
		if err != nil && ctx.Err() != nil {
			return true, nil
		}
		var ce *ranks.CollectiveError
		if errors.As(err, &ce) {
			// The ranks cannot talk any more (one died?): stop with
			// what was measured.
			return true, ce
		}
		var skip *ranks.SkippedError
		switch {
		case errors.As(err, &skip):
			c.done = true
			c.res.Skipped = r.cfg.fieldText(skip.Reason)
		case err != nil:
			c.done = true
			c.res.Error = r.cfg.fieldText(err.Error())
			c.res.Verified = false
		}
		if c.done || last {
			r.finishCell(c)
		}
		if r.cfg.Progress != nil {
			r.cfg.Progress.Step(c.res, counted, r.cfg.fieldErr(err))
		}
	}
	return false, nil
}

// finishCell gives a cell's session back once it will run no more
// repetitions (its batch directories are emptied after every repetition;
// the pool goes with the scratch directory).
func (r *runner) finishCell(c *cell) {
	r.closeSession(c)
}

// closeAll closes every cell's open session. After an interruption the
// sessions that can end at once (strategies.Aborter: external programs are
// killed instead of being given time to exit) are aborted, all together,
// so a signal's deadline does not grow with the number of open cells.
func (r *runner) closeAll(ctx context.Context, cells []cell) {
	if ctx.Err() == nil {
		for i := range cells {
			r.closeSession(&cells[i])
		}
		return
	}
	var wg sync.WaitGroup
	for i := range cells {
		c := &cells[i]
		a, ok := c.session.(strategies.Aborter)
		if !ok || c.abandoned {
			r.closeSession(c)
			continue
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := a.Abort(); err != nil {
				r.cfg.logf("warning: cell %s: aborting its writer: %v", resultset.Printable(c.res.Key()), err)
			}
		}()
		c.session = nil
	}
	wg.Wait()
}

func (r *runner) closeSession(c *cell) {
	if c.abandoned {
		// Still in use by the abandoned repetition: closing it under its
		// feet could crash the process (a ring unmapped mid-call). An
		// external program is killed by that repetition itself, which saw
		// the context cancelled.
		return
	}
	if c.session != nil {
		if err := c.session.Close(); err != nil {
			r.cfg.logf("warning: cell %s: closing its writer: %v", c.res.Key(), err)
		}
		c.session = nil
	}
}

// logf writes a line to the Log, its arguments' braces escaped and the
// fields its format names as {field} rendered (see fieldText).
func (cfg Config) logf(format string, args ...any) {
	cfg.logText(textfmt.FieldMsg(format, args...))
}

// logText writes msg, a message naming fields as {field}, to the Log.
func (cfg Config) logText(msg string) {
	if cfg.Log != nil {
		fmt.Fprintln(cfg.Log, cfg.fieldText(msg))
	}
}

// fieldErr is err with its message rendered by fieldText (a
// *ConfigError, which names its fields itself, as it is); errors.Is and
// errors.As see err.
func (cfg Config) fieldErr(err error) error {
	var ce *ConfigError
	if err == nil || errors.As(err, &ce) {
		return err
	}
	if msg := cfg.fieldText(err.Error()); msg != err.Error() {
		return &fieldError{msg: msg, err: err}
	}
	return err
}

// fieldError is an error whose message fieldText rendered.
type fieldError struct {
	msg string
	err error
}

func (e *fieldError) Error() string { return e.msg }
func (e *fieldError) Unwrap() error { return e.err }

// fieldText renders msg, a message naming fields as {field}, the way the
// caller names fields (Config.FieldName).
func (cfg Config) fieldText(msg string) string {
	name := cfg.FieldName
	if name == nil {
		name = func(field string) string { return field }
	}
	return textfmt.FieldRefs(msg, name)
}

// runner holds the state shared by every repetition.
type runner struct {
	cfg       Config
	scratches map[string]*scratch.Dir // by Cell.Dir ("" in a run of one directory)
	scratch   *scratch.Dir            // the current repetition's (scratches[Cell.Dir])
	content   *strategies.Content     // this rank's (see group.contentSeed)
	prefix    string                  // this rank's file names under --shared-dir (see group.prefix)
	latency   []time.Duration
	syncTime  []time.Duration
	group     *ranks.Group // the ranks of the run (one by default)
	assign    []int        // pool directory of each cell in the current round
	// probe, with --timeline or --write-latency, is handed to every
	// in-process batch of a counted repetition (reset before each).
	probe   *strategies.Probe
	sampler *timeline.Sampler // with --timeline
	mem     *timeline.Meminfo // with --timeline: /proc/meminfo, open for the run
	// mu guards abandoned and the changes repetitions make to cells
	// (commit), so an abandoned repetition cannot change the set being
	// saved.
	mu        sync.Mutex
	abandoned bool
}

// rep runs one repetition of cell c: outside the timed region it checks free
// space, makes the cell's directories, opens the cell's session, drops caches
// and reads the counters; inside it runs the strategy Loops times (and the
// final sync for sync mode end); after it, it verifies every file and empties
// the directories. k is the counted round (negative for warm-ups).
func (r *runner) rep(ctx context.Context, idx int, c *cell, counted bool, k int) (err error) {
	rc := c.res
	loops := max(c.loops, 1)
	r.scratch = r.scratches[rc.Dir] // the cell's directory's (see Config.Dirs)
	// With several ranks, every failure before the clock is agreed on (by
	// the failing rank here, by the others at the end of the setup), so a
	// cell fails on every rank or on none.
	g := r.group
	rels, dirs, err := r.makeDirs(idx, rc, loops)
	if err != nil {
		return g.Agree(ctx, err)
	}
	defer func() {
		if rerr := r.emptyDirs(rels); err == nil {
			err = g.Agree(ctx, rerr) // every rank got here: agree on this too
		}
	}()
	if err := r.openSession(ctx, c); err != nil {
		if errors.Is(err, errAbandoned) {
			return err
		}
		return g.Agree(ctx, err)
	}
	batches, issued := r.batches(c, dirs)
	n := loops * rc.Files
	// The probe sees only writes made in this process: a session whose
	// writes run in another program (Usage ok) gets none.
	probed := counted && r.probe != nil && !inOtherProcess(c.session)
	if probed {
		r.probe.Reset()
		for _, b := range batches {
			b.Probe = r.probe
		}
	}
	sampling := probed && r.sampler != nil
	if r.cfg.DropCaches {
		if err := scratch.DropCaches(); err != nil {
			return g.Agree(ctx, err)
		}
	}
	if err := g.Agree(ctx, nil); err != nil {
		return err // another rank's setup failed
	}
	sysinfo.CollectBeforeTimed()
	// Every rank starts the repetition together (IOR's barrier), each
	// timing itself from its own exit from the barrier.
	if err := g.Barrier(ctx); err != nil {
		return err
	}

	t := r.timed(ctx, c, batches, sampling)
	if err := g.AfterTimed(ctx); err != nil {
		return err
	}

	if t.err != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		if reason, skip := strategies.SkipReason(t.err); skip {
			return g.Agree(ctx, &ranks.SkippedError{Reason: reason})
		}
		return g.Agree(ctx, scratch.WithHint(t.err))
	}
	rcount, verr := r.verify(ctx, c, batches, rels)
	if verr != nil {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		return g.Agree(ctx, scratch.WithHint(verr)) // EIO reading back deserves the same advice
	}
	if err := g.Agree(ctx, nil); err != nil {
		return err // another rank's write or verification failed
	}
	if c.loops == 0 {
		// With several ranks, calibrated on the slowest rank's batch, so
		// every rank runs the same loops.
		slowest, err := g.Max(ctx, t.elapsed)
		if err != nil {
			return err
		}
		if !r.commit(func() {
			c.loops = calibrate(slowest, r.cfg.MinSample)
			rc.Loops = c.loops
		}) {
			return errAbandoned
		}
	}
	if !counted {
		return nil
	}
	if !r.commit(func() {
		r.record(c, k, loops, t.elapsed, t.endSync, t.counters, issued, rcount, n)
		if t.timeline != nil {
			c.res.Timelines = append(c.res.Timelines, *t.timeline)
		}
		if probed && r.probe.Latency != nil {
			c.res.WriteLatency = append(c.res.WriteLatency, writeLatency(r.probe.Latency))
		}
	}) {
		return errAbandoned
	}
	return g.Merge(ctx, rc)
}

// makeDirs checks free space and makes the directories of one repetition of
// cell rc run loops times: the pool directory assigned to cell idx this
// round and one batch directory per loop in it; rels are their paths under
// the scratch directory, dirs their full paths.
//
// Directories: a pool of one per cell ("d<n>"), assigned to the cells
// anew every round by a seeded permutation (r.assign), each holding one
// subdirectory per batch ("l<j>"), made when first needed and emptied,
// not removed, after every repetition. Every batch so writes into an
// empty directory that already exists, as an application's output
// directory does, while anything tied to one directory (its place on
// disk, its block group) moves from cell to cell between rounds, where
// the paired interval accounts for it, instead of favouring one cell for
// the whole sweep (an A/A run of two identical strategies showed such
// persistent differences with one fixed directory per cell; a new
// directory per repetition instead adds the file system's cost of a
// first entry in a new directory to every batch).
//
// The directories are made, checked and emptied through the scratch
// directory's descriptors (see package safefs): a directory a writer
// replaced by a link or another directory fails the cell and is left
// alone.
func (r *runner) makeDirs(idx int, rc *resultset.Cell, loops int) (rels, dirs []string, err error) {
	if !r.cfg.NoSpaceCheck {
		// Ranks on one host share its disks: count all their files.
		if err := scratch.CheckSpace(r.scratch.Path, r.group.HostRanks()*loops*rc.Files, rc.FileSize); err != nil {
			return nil, nil, err
		}
	}
	base := "d" + strconv.Itoa(r.assign[idx])
	rels = make([]string, loops)
	dirs = make([]string, loops)
	for j := range dirs {
		if j == 0 {
			if _, err := r.scratch.Mkdir(base); err != nil {
				return nil, nil, scratch.WithHint(fmt.Errorf("make scratch directory: %w", err))
			}
		}
		rels[j] = base + "/l" + strconv.Itoa(j)
		d, err := r.scratch.Mkdir(rels[j])
		if err != nil {
			return nil, nil, scratch.WithHint(fmt.Errorf("make scratch directory: %w", err))
		}
		dirs[j] = d
	}
	return rels, dirs, nil
}

// emptyDirs empties the batch directories of a repetition (rels, under the
// scratch directory; this rank's files only: under --shared-dir the
// others' are theirs).
func (r *runner) emptyDirs(rels []string) error {
	for _, d := range rels {
		if err := r.scratch.Empty(d, r.prefix); err != nil {
			return scratch.WithHint(fmt.Errorf("remove scratch files: %w", err))
		}
	}
	return nil
}

// batches returns the batches of one repetition, one per directory, with
// cleared latency and sync-time arrays, and the counts of writes they issue.
func (r *runner) batches(c *cell, dirs []string) ([]*strategies.Batch, *strategies.Issued) {
	rc := c.res
	n := len(dirs) * rc.Files
	if cap(r.latency) < n {
		r.latency = make([]time.Duration, n)
		r.syncTime = make([]time.Duration, n)
	}
	issued := &strategies.Issued{}
	batches := make([]*strategies.Batch, len(dirs))
	for j := range batches {
		batches[j] = &strategies.Batch{
			Dir: dirs[j], Files: rc.Files, Size: rc.FileSize, Params: c.params, Content: r.content, Prefix: r.prefix,
			Latency: r.latency[j*rc.Files : (j+1)*rc.Files], SyncTime: r.syncTime[j*rc.Files : (j+1)*rc.Files],
			Issued: issued,
		}
	}
	clear(r.latency[:n])
	clear(r.syncTime[:n])
	return batches, issued
}

// openSession opens the cell's session on its first repetition, for a
// strategy that has one (strategies.CellOpener); errAbandoned when the
// repetition was abandoned meanwhile (the session is closed then).
func (r *runner) openSession(ctx context.Context, c *cell) error {
	if c.session != nil {
		return nil
	}
	o, ok := c.strategy.(strategies.CellOpener)
	if !ok {
		return nil
	}
	s, err := o.OpenCell(ctx, c.params)
	if reason, skip := strategies.SkipReason(err); skip {
		return &ranks.SkippedError{Reason: reason}
	}
	if err != nil {
		return fmt.Errorf("start the strategy's writer: %w", err)
	}
	if !r.commit(func() { c.session = s }) {
		s.Close()
		return errAbandoned
	}
	return nil
}

// timedRep is what the timed region of a repetition measured.
type timedRep struct {
	elapsed, endSync time.Duration // wall time; time in the final syncs (sync mode end)
	counters         counters      // deltas over the timed region
	timeline         *resultset.Timeline
	err              error // the strategy's
}

// timed is the timed region of a repetition: every batch written back to
// back (and, for sync mode end, its syncfs), sampled into a timeline when
// sampling.
func (r *runner) timed(ctx context.Context, c *cell, batches []*strategies.Batch, sampling bool) timedRep {
	var t timedRep
	var before, after counters
	if sampling {
		r.sampler.Start()
	}
	before.read(c.session)
	t0 := time.Now()
	if sampling {
		r.sampler.Mark(t0)
	}
	for _, b := range batches {
		t.err = r.write(ctx, c, b)
		if t.err == nil && c.params.Sync == strategies.SyncEnd {
			ts := time.Now()
			t.err = strategies.SyncFS(b.Dir)
			t.endSync += time.Since(ts)
		}
		if t.err != nil {
			break
		}
	}
	t.elapsed = time.Since(t0)
	after.read(c.session)
	if sampling {
		tl := r.sampler.Finish(t.elapsed)
		t.timeline = &tl
	}
	t.counters = after.sub(&before)
	return t
}

// verify reads back every batch of a repetition (Verify, or the strategy's
// RecordVerifier) through its checked directory, within the strategy's
// time limit, unless verification is off.
func (r *runner) verify(ctx context.Context, c *cell, batches []*strategies.Batch, rels []string) (strategies.RecordCounts, error) {
	var rcount strategies.RecordCounts
	if r.cfg.NoVerify {
		return rcount, nil
	}
	vctx := ctx
	if d := r.verifyLimit(c); d > 0 {
		var cancel context.CancelFunc
		vctx, cancel = context.WithTimeout(ctx, d)
		defer cancel()
	}
	for j, b := range batches {
		var verr error
		if rv, ok := c.strategy.(strategies.RecordVerifier); ok {
			var got strategies.RecordCounts
			verr = r.withDir(b, rels[j], func() error {
				var err error
				got, err = rv.VerifyRecords(vctx, b)
				return err
			})
			rcount = addCounts(rcount, got)
		} else {
			verr = r.withDir(b, rels[j], func() error { return strategies.Verify(vctx, b) })
		}
		if verr != nil {
			if vctx.Err() != nil && ctx.Err() == nil {
				verr = textfmt.Errorf("verify %s: not finished within %v, the strategy's time limit ({exec_timeout})", resultset.Printable(b.Dir), r.verifyLimit(c))
			}
			return rcount, verr
		}
	}
	return rcount, nil
}

// verifyLimit is the time limit of c's verification (see
// strategies.VerifyLimiter), 0 for none.
func (r *runner) verifyLimit(c *cell) time.Duration {
	if vl, ok := c.strategy.(strategies.VerifyLimiter); ok {
		return vl.VerifyLimit()
	}
	return 0
}

// write runs one batch through the cell's session or its strategy.
func (r *runner) write(ctx context.Context, c *cell, b *strategies.Batch) error {
	if c.session != nil {
		return callWrite(ctx, c.strategy.Name(), c.session.Write, b)
	}
	return callWrite(ctx, c.strategy.Name(), c.strategy.Write, b)
}

// record appends one counted repetition's samples to c, per batch.
func (r *runner) record(c *cell, k, loops int, elapsed, endSync time.Duration, d counters, issued *strategies.Issued, rcount strategies.RecordCounts, n int) {
	rc := c.res
	per := 1 / float64(loops)
	perInt := func(v int64) int64 {
		if v < 0 {
			return v
		}
		return v / int64(loops)
	}
	syncSum := endSync
	for _, s := range r.syncTime[:n] {
		syncSum += s
	}
	enters, subs := issued.RingEnters.Load(), issued.RingSubmissions.Load()
	syscw := d.syscw
	if syscw >= 0 {
		syscw += enters // io_uring_enter calls are the ring strategies' write system calls
	}
	rc.Rounds = append(rc.Rounds, k)
	rc.Seconds = append(rc.Seconds, elapsed.Seconds()*per)
	rc.WriteSyscalls = append(rc.WriteSyscalls, perInt(syscw))
	rc.StorageBytes = append(rc.StorageBytes, perInt(d.writeBytes))
	rc.SyncSeconds = append(rc.SyncSeconds, syncSum.Seconds()*per)
	rc.UserSeconds = append(rc.UserSeconds, d.user.Seconds()*per)
	rc.SysSeconds = append(rc.SysSeconds, d.sys.Seconds()*per)
	rc.Allocs = append(rc.Allocs, d.allocs/uint64(loops))
	rc.AllocBytes = append(rc.AllocBytes, d.allocBytes/uint64(loops))
	if p50, p99, pmax, ok := percentiles(r.latency[:n]); ok {
		rc.LatencyP50 = append(rc.LatencyP50, p50)
		rc.LatencyP99 = append(rc.LatencyP99, p99)
		rc.LatencyMax = append(rc.LatencyMax, pmax)
	}
	if _, ok := c.strategy.(strategies.RecordVerifier); ok && !r.cfg.NoVerify {
		rc.Records = append(rc.Records, rcount.Expected/int64(loops))
		rc.CorruptRecords = append(rc.CorruptRecords, rcount.Corrupt()/int64(loops))
	}
	if enters > 0 || subs > 0 || len(rc.RingEnters) > 0 {
		rc.RingSubmissions = append(rc.RingSubmissions, subs/int64(loops))
		rc.RingEnters = append(rc.RingEnters, enters/int64(loops))
	}
}

// inOtherProcess reports whether a session's writes run in another
// program (an external writer), where no probe of this process sees them.
func inOtherProcess(s strategies.Session) bool {
	_, ok := sessionUsage(s)
	return ok
}

// writeLatency converts a histogram to its stored form.
func writeLatency(h *strategies.LatencyHist) resultset.WriteLatency {
	pairs, maxNS := h.Counts()
	out := resultset.WriteLatency{Buckets: make([][3]int64, 0, len(pairs)), Max: time.Duration(maxNS).Seconds()}
	for _, p := range pairs {
		lo, hi := strategies.LatencyBucketBounds(int(p[0]))
		out.Buckets = append(out.Buckets, [3]int64{lo, hi, p[1]})
	}
	return out
}

func addCounts(a, b strategies.RecordCounts) strategies.RecordCounts {
	return strategies.RecordCounts{
		Expected: a.Expected + b.Expected, Intact: a.Intact + b.Intact, Torn: a.Torn + b.Torn,
		Lost: a.Lost + b.Lost, Duplicated: a.Duplicated + b.Duplicated, Mismatched: a.Mismatched + b.Mismatched,
	}
}

// calibrate returns how many batches one repetition must run back to back
// for the timed sample to last at least minSample, given one batch took d.
func calibrate(d, minSample time.Duration) int {
	if minSample <= 0 || d >= minSample {
		return 1
	}
	if d <= 0 {
		return MaxLoops
	}
	return min(int((minSample+d-1)/d), MaxLoops)
}

// percentiles returns the p50, p99 and max of lat in seconds (nearest-rank),
// or ok false when the strategy recorded none. It sorts lat.
func percentiles(lat []time.Duration) (p50, p99, pmax float64, ok bool) {
	if len(lat) == 0 {
		return 0, 0, 0, false
	}
	slices.Sort(lat)
	if lat[len(lat)-1] == 0 {
		return 0, 0, 0, false
	}
	rank := func(p float64) float64 {
		i := int(float64(len(lat))*p+0.999999) - 1
		return lat[min(max(i, 0), len(lat)-1)].Seconds()
	}
	return rank(0.50), rank(0.99), lat[len(lat)-1].Seconds(), true
}

// callWrite runs s.Write, turning a panic in the strategy's own goroutine
// into the cell's error so one broken strategy cannot lose the sweep's
// results.
func callWrite(ctx context.Context, name string, write func(context.Context, *strategies.Batch) error, b *strategies.Batch) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("strategy %s panicked: %v", name, r)
		}
	}()
	return write(ctx, b)
}
