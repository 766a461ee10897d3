package writebench

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"strings"
	"time"

	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies"
)

// group is the runner's view of the ranks of a run. With one rank (the
// default) every method returns at once and changes nothing, so a
// single-process set is exactly what it was before ranks existed.
//
// With several ranks every rank runs the same sweep, in the same order,
// in its own scratch directory, and calls the same collectives in the same
// order:
//
//   - start: rank 0's seed (hence the shuffled order) is broadcast, every
//     rank checks that it expanded the same cells, and the hosts are
//     gathered for env.hosts;
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
type group struct {
	c      coordinator
	hosts  []string // host of every rank, once started
	shared bool     // --shared-dir: one scratch directory for every rank
}

func newGroup(j *Job) *group { return &group{c: j.coord()} }

func (g *group) multi() bool { return g.c.Size() > 1 }

// collectiveError is a failure of the ranks' communication itself (not of
// a cell): the sweep cannot go on.
type collectiveError struct{ err error }

func (e *collectiveError) Error() string { return "ranks: " + e.err.Error() }
func (e *collectiveError) Unwrap() error { return e.err }

// start agrees on the seed, checks that every rank expanded the same cells
// and gathers the hosts; it returns the seed to use.
func (g *group) start(ctx context.Context, seed uint64, cells []cell) (uint64, error) {
	if !g.multi() {
		return seed, nil
	}
	seed, err := g.c.BcastUint64(ctx, seed)
	if err != nil {
		return 0, &collectiveError{err}
	}
	if g.hosts, err = g.c.Hostnames(ctx); err != nil {
		return 0, &collectiveError{err}
	}
	h := fnv.New64a()
	if g.shared {
		h.Write([]byte("--shared-dir\n")) // a rank without it would write elsewhere
	}
	for _, c := range cells {
		h.Write([]byte(c.res.Key() + "\n"))
	}
	mine := h.Sum64()
	root, err := g.c.BcastUint64(ctx, mine)
	if err != nil {
		return 0, &collectiveError{err}
	}
	var differ error
	if mine != root {
		differ = fmt.Errorf("expanded %d cells that differ from rank 0's, or differs in --shared-dir: every rank must get the same flags and strategies", len(cells))
	}
	if err := g.agree(ctx, differ); err != nil {
		return 0, err
	}
	return seed, nil
}

// hostRanks is the number of ranks on this rank's host (1 for a single
// process): they share its filesystems, so the space check counts them all.
// With --shared-dir every rank writes to the one file system of the shared
// directory: it counts every rank.
func (g *group) hostRanks() int {
	if !g.multi() {
		return 1
	}
	if g.shared {
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

func (g *group) host(rank int) string {
	if rank >= 0 && rank < len(g.hosts) {
		return g.hosts[rank]
	}
	return "unknown host"
}

// agree returns, on every rank, the error of the lowest rank that failed
// (nil when none did), prefixed with that rank and its host. A skip (a
// strategies.SkipError or the runner's errSkipped) becomes an errSkipped on
// every rank, so the cell is skipped everywhere with that rank's reason; a
// failure keeps the original error wrapped on the failing rank.
func (g *group) agree(ctx context.Context, err error) error {
	if !g.multi() {
		return err
	}
	msg := ""
	var skip *errSkipped
	if err != nil {
		// One byte says whether it is a skip, so the other ranks skip too.
		if reason, ok := strategies.SkipReason(err); ok {
			msg = "S" + reason
		} else if errors.As(err, &skip) {
			msg = "S" + skip.reason
		} else {
			msg = "E" + err.Error()
		}
	}
	var mine error
	if err != nil {
		mine = errors.New(msg)
	}
	r, got, cerr := g.c.AnyError(ctx, mine)
	if cerr != nil {
		if err != nil {
			return fmt.Errorf("%w (and the other ranks could not be told: %v)", err, cerr)
		}
		return &collectiveError{cerr}
	}
	if r < 0 {
		return nil
	}
	who := fmt.Sprintf("rank %d (%s)", r, g.host(r))
	if reason, ok := strings.CutPrefix(got, "S"); ok {
		return &errSkipped{who + ": " + reason}
	}
	if r == g.c.Rank() {
		return fmt.Errorf("%s: %w", who, err)
	}
	return errors.New(who + ": " + strings.TrimPrefix(got, "E"))
}

// barrier starts a repetition on every rank at once.
func (g *group) barrier(ctx context.Context) error {
	if !g.multi() {
		return nil
	}
	if err := g.c.Barrier(ctx); err != nil {
		return &collectiveError{err}
	}
	return nil
}

// How merge combines a sample of the ranks.
const (
	aggMax = iota // the slowest rank's (seconds, latency percentiles)
	aggSum        // summed over ranks (counters, CPU, sync time)
)

// sampleField is one per-repetition array of a cell: its value in the
// last sample and a way to overwrite or append it.
type sampleField struct {
	name string
	agg  int
	// get returns the last sample when the array has one per counted
	// repetition (n samples), ok false when it has none for this one.
	get func(c *resultset.Cell, n int) (float64, bool)
	// set overwrites sample n-1 (or appends it when the array has n-1).
	set func(c *resultset.Cell, n int, v float64)
}

func floatField(name string, agg int, p func(*resultset.Cell) *[]float64) sampleField {
	return sampleField{name, agg,
		func(c *resultset.Cell, n int) (float64, bool) {
			a := *p(c)
			if len(a) != n {
				return 0, false
			}
			return a[n-1], true
		},
		func(c *resultset.Cell, n int, v float64) {
			a := p(c)
			if len(*a) == n {
				(*a)[n-1] = v
			} else {
				*a = append(*a, v)
			}
		}}
}

func intField[T int64 | uint64](name string, p func(*resultset.Cell) *[]T) sampleField {
	return sampleField{name, aggSum,
		func(c *resultset.Cell, n int) (float64, bool) {
			a := *p(c)
			if len(a) != n {
				return 0, false
			}
			return float64(a[n-1]), true
		},
		func(c *resultset.Cell, n int, v float64) {
			a := p(c)
			if len(*a) == n {
				(*a)[n-1] = T(v)
			} else {
				*a = append(*a, T(v))
			}
		}}
}

// sampleFields lists every per-repetition array merge combines. Seconds
// comes first (rank_seconds is taken from it).
var sampleFields = []sampleField{
	floatField("seconds", aggMax, func(c *resultset.Cell) *[]float64 { return &c.Seconds }),
	intField("write_syscalls", func(c *resultset.Cell) *[]int64 { return &c.WriteSyscalls }),
	intField("storage_bytes", func(c *resultset.Cell) *[]int64 { return &c.StorageBytes }),
	floatField("sync_seconds", aggSum, func(c *resultset.Cell) *[]float64 { return &c.SyncSeconds }),
	floatField("user_seconds", aggSum, func(c *resultset.Cell) *[]float64 { return &c.UserSeconds }),
	floatField("sys_seconds", aggSum, func(c *resultset.Cell) *[]float64 { return &c.SysSeconds }),
	intField("allocs", func(c *resultset.Cell) *[]uint64 { return &c.Allocs }),
	intField("alloc_bytes", func(c *resultset.Cell) *[]uint64 { return &c.AllocBytes }),
	floatField("latency_p50", aggMax, func(c *resultset.Cell) *[]float64 { return &c.LatencyP50 }),
	floatField("latency_p99", aggMax, func(c *resultset.Cell) *[]float64 { return &c.LatencyP99 }),
	floatField("latency_max", aggMax, func(c *resultset.Cell) *[]float64 { return &c.LatencyMax }),
	intField("records", func(c *resultset.Cell) *[]int64 { return &c.Records }),
	intField("corrupt_records", func(c *resultset.Cell) *[]int64 { return &c.CorruptRecords }),
	intField("ring_submissions", func(c *resultset.Cell) *[]int64 { return &c.RingSubmissions }),
	intField("ring_enters", func(c *resultset.Cell) *[]int64 { return &c.RingEnters }),
}

// merge replaces this rank's last counted sample of c (just appended) by
// the aggregate of every rank's, and appends every rank's own seconds to
// c.RankSeconds. Every rank gets the same result.
func (g *group) merge(ctx context.Context, c *resultset.Cell) error {
	if !g.multi() {
		return nil
	}
	n := len(c.Seconds)
	if n == 0 {
		return errors.New("merge: no sample to merge")
	}
	// Two values per field: present (0 or 1) and the value.
	mine := make([]float64, 2*len(sampleFields))
	for i, f := range sampleFields {
		if v, ok := f.get(c, n); ok {
			mine[2*i], mine[2*i+1] = 1, v
		}
	}
	all, err := g.c.GatherFloat64s(ctx, mine)
	if err != nil {
		return &collectiveError{err}
	}
	merged, perRank := mergeSamples(all)
	for i, f := range sampleFields {
		if v := merged[i]; !math.IsNaN(v) {
			f.set(c, n, v)
		}
	}
	c.Ranks = len(all)
	if len(c.RankSeconds) == n-1 {
		c.RankSeconds = append(c.RankSeconds, perRank)
	}
	return nil
}

// mergeSamples combines the ranks' exchanged vectors (all[rank] holds a
// present flag and a value per sampleFields entry): the aggregate of each
// field (NaN when no rank had it) and every rank's seconds. A counter that
// is unavailable (negative) on any rank is unavailable (-1) in the sum.
func mergeSamples(all [][]float64) (merged, perRank []float64) {
	merged = make([]float64, len(sampleFields))
	for i, f := range sampleFields {
		v, seen := 0.0, false
		for _, vs := range all {
			if vs[2*i] == 0 {
				continue
			}
			x := vs[2*i+1]
			switch {
			case !seen:
				v = x
			case f.agg == aggMax:
				v = max(v, x)
			case v < 0 || x < 0:
				v = -1
			default:
				v += x
			}
			seen = true
		}
		if f.agg == aggSum && v < 0 {
			v = -1
		}
		if !seen {
			v = math.NaN()
		}
		merged[i] = v
	}
	perRank = make([]float64, len(all))
	for r, vs := range all {
		perRank[r] = vs[1] // seconds is sampleFields[0]
	}
	return merged, perRank
}

// describe records the ranks, their hosts and --shared-dir in env.
func (g *group) describe(env *resultset.Env) {
	env.SharedDir = g.shared
	if !g.multi() {
		return
	}
	env.Ranks = g.c.Size()
	env.Hosts = g.hosts
}

// decide returns rank 0's v on every rank: a decision taken on one clock
// (the budget) that every rank must follow.
func (g *group) decide(ctx context.Context, v bool) (bool, error) {
	if !g.multi() {
		return v, nil
	}
	x := uint64(0)
	if v {
		x = 1
	}
	x, err := g.c.BcastUint64(ctx, x)
	if err != nil {
		return false, &collectiveError{err}
	}
	return x == 1, nil
}

// max returns the longest of every rank's d.
func (g *group) max(ctx context.Context, d time.Duration) (time.Duration, error) {
	if !g.multi() {
		return d, nil
	}
	m, err := g.c.MaxFloat64(ctx, d.Seconds())
	if err != nil {
		return 0, &collectiveError{err}
	}
	return time.Duration(m * float64(time.Second)), nil
}

// prefix is the file-name prefix of this rank's batches: none in a
// directory of its own, strategies.RankPrefix(rank) under --shared-dir (a
// single process too, so its names are those of rank 0 of a shared run).
func (g *group) prefix() string {
	if !g.shared {
		return ""
	}
	return strategies.RankPrefix(g.c.Rank())
}

// contentSeed is the content seed of this rank's files: 1 (as ever) for
// rank 0 and a single process, 1+r for rank r, so no two ranks write the
// same bytes and storage that deduplicates cannot store one copy for all.
func (g *group) contentSeed() uint64 { return 1 + uint64(g.c.Rank()) }

// makeScratch makes the run's scratch directory under dir: each rank its
// own, or with --shared-dir one for every rank, made by rank 0, whose path
// the other ranks receive and check they can see (dir must then be one
// file system mounted at the same path on every host; a rank that cannot
// see it fails the run with a *ConfigError of field shared_dir before
// anything is written).
func (g *group) makeScratch(ctx context.Context, dir string) (*scratch, error) {
	if !g.shared || !g.multi() {
		s, err := newScratch(dir)
		if err := g.agree(ctx, err); err != nil {
			if s != nil {
				s.remove()
			}
			return nil, err
		}
		return s, nil
	}
	var s *scratch
	var err error
	path := ""
	if g.c.Rank() == 0 {
		if s, err = newScratch(dir); err == nil {
			path = s.dir
		}
	}
	if err := g.agree(ctx, err); err != nil {
		return nil, err
	}
	path, err = g.c.BcastString(ctx, 0, path)
	if err != nil {
		if s != nil {
			s.remove()
		}
		return nil, &collectiveError{err}
	}
	var unseen error
	if g.c.Rank() != 0 {
		s = &scratch{dir: path, borrowed: true}
		if _, err := readMarker(path); err != nil {
			unseen = fmt.Errorf("rank 0's scratch directory %s is not visible here (%v): "+
				"--dir must be one file system mounted at the same path on every rank's host",
				resultset.Printable(path), err)
		}
	}
	if err := g.agree(ctx, unseen); err != nil {
		s.remove() // rank 0's; the others' are borrowed
		var ce *collectiveError
		if errors.As(err, &ce) {
			return nil, err
		}
		return nil, cfgErr("shared_dir", "%v", err)
	}
	return s, nil
}

// afterTimed, with --shared-dir and several ranks, waits for every rank to
// end its timed region, so no rank reads the shared directory back
// (verification) while another still creates files in it: that would
// contend for the directory inside the other rank's timing.
func (g *group) afterTimed(ctx context.Context) error {
	if !g.shared {
		return nil
	}
	return g.barrier(ctx)
}

// removeScratch removes the run's scratch directory at the end of the run.
// With --shared-dir and several ranks only rank 0 removes it, after a
// barrier, so no rank still works in it; when the barrier cannot complete
// (interrupted, a rank gone) rank 0 removes it all the same, retrying
// briefly while other ranks may still be emptying their files: everything
// in it is the run's own.
func (g *group) removeScratch(ctx context.Context, s *scratch) error {
	if !g.shared || !g.multi() {
		return s.remove()
	}
	berr := g.barrier(ctx)
	err := s.remove() // nothing on ranks other than 0: borrowed
	for try := 0; err != nil && berr != nil && try < 20; try++ {
		time.Sleep(50 * time.Millisecond)
		err = s.remove()
	}
	return err
}
