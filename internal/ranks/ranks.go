// Package ranks is the runner's view of the processes of one run: a single
// process by default, the ranks of an MPI job in a build with -tags mpi
// (mpi_cgo.go). It agrees on seeds, failures and skips across ranks, merges
// every rank's samples into one cell, and shares one scratch directory
// under --shared-dir.
package ranks

import (
	"context"
	"errors"
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/writebench/writebench/internal/scratch"
	"github.com/writebench/writebench/internal/textfmt"
	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies"
)

// Group is the runner's view of the ranks of a run. With one rank (the
// default) every method returns at once and changes nothing, so a
// single-process set is exactly what it was before ranks existed.
//
// With several ranks every rank runs the same sweep, in the same order,
// in its own scratch directory, and calls the same collectives in the same
// order:
//
//   - agreeConfig (agree.go), before any work: the hosts are gathered for
//     env.hosts, a rank whose configuration is invalid fails the run on
//     every rank, and every rank compares its whole normalised
//     configuration with rank 0's;
//   - start: rank 0's seed (hence the shuffled order) is broadcast;
//   - agree, after the setup of a repetition and again after its timed
//     region and verification: a rank that failed fails the cell on every
//     rank, and the message names that rank and its host;
//   - Barrier, just before the timed region: every repetition starts
//     together;
//   - merge, after a counted repetition: seconds becomes the aggregate time
//     (IOR's: from the barrier to the last rank's end, i.e. the maximum of
//     the ranks' own times, each measured from its own exit from the
//     barrier), every rank's own time is kept in rank_seconds, counters
//     are summed and latency percentiles are the worst rank's.
type Group struct {
	c      Coordinator
	hosts  []string // host of every rank, once started
	Shared bool     // --shared-dir: one scratch directory for every rank
}

func NewGroup(j *Job) *Group { return &Group{c: j.coord()} }

func (g *Group) Multi() bool { return g.c.Size() > 1 }

// CollectiveError is a failure of the ranks' communication itself (not of
// a cell): the sweep cannot go on.
type CollectiveError struct{ err error }

func (e *CollectiveError) Error() string { return "ranks: " + e.err.Error() }
func (e *CollectiveError) Unwrap() error { return e.err }

// Start agrees on the seed (rank 0's) and gathers the hosts, when
// AgreeConfig has not; it returns the seed to use. The ranks' agreement on
// the configuration (AgreeConfig) comes before it.
func (g *Group) Start(ctx context.Context, seed uint64) (uint64, error) {
	if !g.Multi() {
		return seed, nil
	}
	seed, err := g.c.BcastUint64(ctx, seed)
	if err != nil {
		return 0, &CollectiveError{err}
	}
	if g.hosts == nil {
		if g.hosts, err = g.c.Hostnames(ctx); err != nil {
			return 0, &CollectiveError{err}
		}
	}
	return seed, nil
}

// hostRanks is the number of ranks on this rank's host (1 for a single
// process): they share its filesystems, so the space check counts them all.
// With --shared-dir every rank writes to the one file system of the shared
// directory: it counts every rank.
func (g *Group) HostRanks() int {
	if !g.Multi() {
		return 1
	}
	if g.Shared {
		return g.c.Size()
	}
	if len(g.hosts) == 0 {
		return 1
	}
	me, n := g.hosts[g.c.Rank()], 0
	for _, h := range g.hosts {
		if h == me {
			n++
		}
	}
	return n
}

func (g *Group) host(rank int) string {
	if rank >= 0 && rank < len(g.hosts) {
		return g.hosts[rank]
	}
	return "unknown host"
}

// agree returns, on every rank, the error of the lowest rank that failed
// (nil when none did), prefixed with that rank and its host. A skip (a
// strategies.SkipError or the runner's SkippedError) becomes an SkippedError on
// every rank, so the cell is skipped everywhere with that rank's reason; a
// failure keeps the original error wrapped on the failing rank.
func (g *Group) Agree(ctx context.Context, err error) error {
	if !g.Multi() {
		return err
	}
	msg := ""
	var skip *SkippedError
	if err != nil {
		// One byte says whether it is a skip, so the other ranks skip too.
		if reason, ok := strategies.SkipReason(err); ok {
			msg = "S" + reason
		} else if errors.As(err, &skip) {
			msg = "S" + skip.Reason
		} else {
			msg = "E" + err.Error()
		}
	}
	r, got, xerr := g.exchange(ctx, err, msg)
	if xerr != nil || r < 0 {
		return xerr
	}
	who := fmt.Sprintf("rank %d (%s)", r, g.host(r))
	if reason, ok := strings.CutPrefix(got, "S"); ok {
		return &SkippedError{who + ": " + reason}
	}
	if r == g.c.Rank() {
		return fmt.Errorf("%s: %w", who, err)
	}
	return errors.New(who + ": " + strings.TrimPrefix(got, "E"))
}

// exchange tells every rank whether this one failed (err, told as msg)
// and returns the lowest failing rank with its msg, r < 0 when none
// failed. When the collective itself fails the error says so: err wrapped
// with it, or a *CollectiveError.
func (g *Group) exchange(ctx context.Context, err error, msg string) (r int, got string, xerr error) {
	var mine error
	if err != nil {
		mine = errors.New(msg)
	}
	r, got, cerr := g.c.AnyError(ctx, mine)
	if cerr != nil {
		if err != nil {
			return -1, "", fmt.Errorf("%w (and the other ranks could not be told: %v)", err, cerr)
		}
		return -1, "", &CollectiveError{cerr}
	}
	return r, got, nil
}

// barrier starts a repetition on every rank at once.
func (g *Group) Barrier(ctx context.Context) error {
	if !g.Multi() {
		return nil
	}
	if err := g.c.Barrier(ctx); err != nil {
		return &CollectiveError{err}
	}
	return nil
}

// merge replaces this rank's last counted sample of c (just appended) by
// the aggregate of every rank's, and appends every rank's own seconds to
// c.RankSeconds. Every rank gets the same result.
func (g *Group) Merge(ctx context.Context, c *resultset.Cell) error {
	if !g.Multi() {
		return nil
	}
	n := len(c.Seconds)
	if n == 0 {
		return errors.New("merge: no sample to merge")
	}
	// Two values per field: present (0 or 1) and the value.
	arrays := resultset.SampleArrays()
	mine := make([]float64, 2*len(arrays))
	for i, a := range arrays {
		if a.Len(c) == n && a.Merge != resultset.MergeOwn {
			mine[2*i], mine[2*i+1] = 1, a.At(c, n-1)
		}
	}
	all, err := g.c.GatherFloat64s(ctx, mine)
	if err != nil {
		return &CollectiveError{err}
	}
	merged, perRank := mergeSamples(all)
	for i, a := range arrays {
		if v := merged[i]; !math.IsNaN(v) {
			if l := a.Len(c); l == n {
				a.Put(c, n-1, v)
			} else {
				a.Put(c, l, v)
			}
		}
	}
	c.Ranks = len(all)
	if len(c.RankSeconds) == n-1 {
		c.RankSeconds = append(c.RankSeconds, perRank)
	}
	return nil
}

// mergeSamples combines the ranks' exchanged vectors (all[rank] holds a
// present flag and a value per resultset.SampleArrays entry): the aggregate of each
// field (NaN when no rank had it) and every rank's seconds. A counter that
// is unavailable (negative) on any rank is unavailable (-1) in the sum.
func mergeSamples(all [][]float64) (merged, perRank []float64) {
	arrays := resultset.SampleArrays()
	merged = make([]float64, len(arrays))
	for i, f := range arrays {
		v, seen := 0.0, false
		for _, vs := range all {
			if vs[2*i] == 0 {
				continue
			}
			x := vs[2*i+1]
			switch {
			case !seen:
				v = x
			case f.Merge == resultset.MergeMax:
				v = max(v, x)
			case v < 0 || x < 0:
				v = -1
			default:
				v += x
			}
			seen = true
		}
		if f.Merge == resultset.MergeSum && v < 0 {
			v = -1
		}
		if !seen {
			v = math.NaN()
		}
		merged[i] = v
	}
	perRank = make([]float64, len(all))
	for r, vs := range all {
		perRank[r] = vs[1] // seconds is the first sample array
	}
	return merged, perRank
}

// describe records the ranks, their hosts and --shared-dir in env.
func (g *Group) Describe(env *resultset.Env) {
	env.SharedDir = g.Shared
	if !g.Multi() {
		return
	}
	env.Ranks = g.c.Size()
	env.Hosts = g.hosts
}

// decide returns rank 0's v on every rank: a decision taken on one clock
// (the budget) that every rank must follow.
func (g *Group) Decide(ctx context.Context, v bool) (bool, error) {
	if !g.Multi() {
		return v, nil
	}
	x := uint64(0)
	if v {
		x = 1
	}
	x, err := g.c.BcastUint64(ctx, x)
	if err != nil {
		return false, &CollectiveError{err}
	}
	return x == 1, nil
}

// max returns the longest of every rank's d.
func (g *Group) Max(ctx context.Context, d time.Duration) (time.Duration, error) {
	if !g.Multi() {
		return d, nil
	}
	m, err := g.c.MaxFloat64(ctx, d.Seconds())
	if err != nil {
		return 0, &CollectiveError{err}
	}
	return time.Duration(m * float64(time.Second)), nil
}

// prefix is the file-name prefix of this rank's batches: none in a
// directory of its own, strategies.RankPrefix(rank) under --shared-dir (a
// single process too, so its names are those of rank 0 of a shared run).
func (g *Group) Prefix() string {
	if !g.Shared {
		return ""
	}
	return strategies.RankPrefix(g.c.Rank())
}

// contentSeed is the content seed of this rank's files: 1 (as ever) for
// rank 0 and a single process, 1+r for rank r, so no two ranks write the
// same bytes and storage that deduplicates cannot store one copy for all.
func (g *Group) ContentSeed() uint64 { return 1 + uint64(g.c.Rank()) }

// makeScratch makes the run's scratch directory under dir: each rank its
// own, or with --shared-dir one for every rank, made by rank 0, whose path
// the other ranks receive and check they can see (dir must then be one
// file system mounted at the same path on every host; a rank that cannot
// see it fails the run with a *ConfigError of field shared_dir before
// anything is written).
func (g *Group) MakeScratch(ctx context.Context, dir string) (*scratch.Dir, error) {
	if !g.Shared || !g.Multi() {
		s, err := scratch.New(dir)
		if err := g.Agree(ctx, err); err != nil {
			if s != nil {
				s.Remove()
			}
			return nil, err
		}
		return s, nil
	}
	var s *scratch.Dir
	var err error
	path := ""
	if g.c.Rank() == 0 {
		if s, err = scratch.New(dir); err == nil {
			path = s.Path
		}
	}
	if err := g.Agree(ctx, err); err != nil {
		return nil, err
	}
	path, err = g.c.BcastString(ctx, 0, path)
	if err != nil {
		if s != nil {
			s.Remove()
		}
		return nil, &CollectiveError{err}
	}
	var unseen error
	if g.c.Rank() != 0 {
		s = &scratch.Dir{Path: path, Borrowed: true}
		b, err := scratch.Borrow(path)
		if err == nil {
			s = b
		}
		if err != nil {
			unseen = errors.New(textfmt.FieldMsg("rank 0's scratch directory %s is not visible here (%v): "+
				"{dir} must be one file system mounted at the same path on every rank's host",
				resultset.Printable(path), err))
		}
	}
	if err := g.Agree(ctx, unseen); err != nil {
		s.Remove() // rank 0's; the others' are borrowed
		var ce *CollectiveError
		if errors.As(err, &ce) {
			return nil, err
		}
		// err's text is ConfigError text already ({dir}, escaped braces).
		return nil, &ConfigError{Field: "shared_dir", Msg: err.Error()}
	}
	return s, nil
}

// afterTimed, with --shared-dir and several ranks, waits for every rank to
// end its timed region, so no rank reads the shared directory back
// (verification) while another still creates files in it: that would
// contend for the directory inside the other rank's timing.
func (g *Group) AfterTimed(ctx context.Context) error {
	if !g.Shared {
		return nil
	}
	return g.Barrier(ctx)
}

// removeScratch removes the run's scratch directory at the end of the run.
// With --shared-dir and several ranks only rank 0 removes it, after a
// barrier, so no rank still works in it; when the barrier cannot complete
// (interrupted, a rank gone) rank 0 removes it all the same, retrying
// briefly while other ranks may still be emptying their files: everything
// in it is the run's own.
func (g *Group) RemoveScratch(ctx context.Context, s *scratch.Dir) error {
	if !g.Shared || !g.Multi() {
		return s.Remove()
	}
	berr := g.Barrier(ctx)
	err := s.Remove() // nothing on ranks other than 0: borrowed
	for try := 0; err != nil && berr != nil && try < 20; try++ {
		time.Sleep(50 * time.Millisecond)
		err = s.Remove()
	}
	return err
}

// SkippedError marks a repetition whose strategy cannot run on this
// machine (on some rank: Agree names it).
type SkippedError struct{ Reason string }

func (e *SkippedError) Error() string { return "skipped: " + e.Reason }

// ConfigError is a bad setting found while starting the ranks; Field names
// the Config field at fault (empty when it is how the run was launched).
// The runner returns it as its own *writebench.ConfigError. Msg names the
// other fields it mentions as {field}, "{{" is a literal brace (see
// textfmt.FieldRefs).
type ConfigError struct {
	Field string
	Msg   string
}

func (e *ConfigError) Error() string {
	return textfmt.FieldRefs(e.Msg, func(field string) string { return field })
}

func cfgErr(field, format string, args ...any) error {
	return &ConfigError{Field: field, Msg: textfmt.FieldMsg(format, args...)}
}
