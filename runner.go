// Package writebench is the runner behind the writebench command: it expands
// a sweep of strategies × file counts × file sizes × parameters into cells,
// runs every cell's repetitions interleaved in a seeded shuffled order, times
// exactly the strategy's work, reads every written byte back to verify it,
// and returns the raw samples as a resultset.Set.
//
// The runner is public so another Go program can measure its own
// strategies.Strategy under the same conditions as the built-in ones: put
// it in Config.Custom and name it in Config.Strategies.
//
// The timed region of a repetition holds Strategy.Write and, for sync mode
// "end", the final syncfs; nothing else. Creating and removing the scratch
// directory, dropping caches, verification, progress updates and reading the
// counters all happen outside it.
package writebench

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/writebench/writebench/report/resultset"
	"github.com/writebench/writebench/strategies"
)

// Config describes a sweep. A zero field means its documented default.
type Config struct {
	// Strategies names the strategies to run, in order (default: all
	// registered, sorted). Names are looked up in Custom first, then in the
	// strategies registry.
	Strategies []string
	// Custom holds strategies that are not in the registry.
	Custom []strategies.Strategy

	Files       []int                 // file counts (default 1, 16, 256)
	Sizes       []int64               // bytes per file (default 4KiB, 64KiB, 1MiB)
	Records     []int                 // bytes per record (default 256)
	Buffers     []int                 // bufio buffer sizes (default 8KiB)
	Chunks      []int                 // chunk sizes (default 64KiB)
	Concurrency []int                 // pool workers / semaphore slots (default 10)
	PerFile     []string              // how pool and semaphore write each file (default chunked)
	Sync        []strategies.SyncMode // sync modes (default none)

	Repeat int // counted repetitions per cell (default 10)
	Warmup int // uncounted repetitions per cell before them (default 1; negative: none)

	Dir          string // where scratch directories are made (default os.TempDir())
	NoVerify     bool   // skip reading every file back
	DropCaches   bool   // drop the page cache before every repetition (Linux, root)
	NoSpaceCheck bool   // skip the free-space check before each cell
	Seed         uint64 // shuffle seed (0: chosen from the clock, and recorded)

	// Job is the run this process is part of (writebench.StartJob): nil
	// for a single process. With several ranks every rank runs the sweep
	// and the returned set holds the aggregate (see ranks.go).
	Job *Job

	Preset  string   // recorded in the result set's env
	Command []string // recorded in the result set's env

	// Progress, when non-nil, is told about every repetition, always
	// outside the timed region.
	Progress Progress
	// Log, when non-nil, receives notes (stale scratch directories, ...).
	Log io.Writer
}

// Progress observes a running sweep. Its methods are called from the
// runner's goroutine, never inside a timed region.
type Progress interface {
	// Start is called once with the number of repetitions the sweep will run
	// (warmups included).
	Start(total int)
	// Step is called after each repetition of cell (the i-th of the sweep).
	Step(cell *resultset.Cell, counted bool, err error)
	// Done is called once when the sweep ends, however it ends.
	Done()
}

// Defaults of Config.
var (
	DefaultFiles = []int{1, 16, 256}
	DefaultSizes = []int64{4 << 10, 64 << 10, 1 << 20}
)

const (
	DefaultRepeat = 10
	DefaultWarmup = 1
)

// Limits that catch absurd input before anything is written.
const (
	MaxFiles    = 10_000_000
	MaxFileSize = 1 << 50
	MaxRepeat   = 10_000
	MaxParam    = 1 << 30 // record, buffer, chunk
	MaxConc     = 100_000
)

// cell is a cell of the sweep while it runs.
type cell struct {
	res      *resultset.Cell
	strategy strategies.Strategy
	params   strategies.Params
	failed   bool
	dir      string // the cell's scratch directory, once made
}

// ErrInterrupted is returned (wrapped with the context's cause) when the
// context was cancelled before the sweep finished; the returned set is still
// valid, holds every completed repetition and has Complete false.
var ErrInterrupted = errors.New("sweep interrupted")

// Run runs the sweep cfg describes and returns its result set. A cell that
// fails records its error and the sweep goes on; Run's error is reserved for
// bad configuration (nothing was written), an unusable --dir, and
// interruption (ErrInterrupted, with a valid partial set).
func Run(ctx context.Context, cfg Config) (*resultset.Set, error) {
	start := time.Now()
	cfg = cfg.withDefaults()
	cells, err := cfg.check()
	if err != nil {
		return nil, err
	}
	if cfg.Seed == 0 {
		cfg.Seed = uint64(time.Now().UnixNano())
	}
	g := newGroup(cfg.Job)
	if cfg.Seed, err = g.start(ctx, cfg.Seed, cells); err != nil {
		return nil, err
	}
	env := collectEnv(cfg, start)
	g.describe(&env)
	set := &resultset.Set{Schema: resultset.SchemaVersion, Tool: resultset.Tool, Env: env}
	for _, c := range cells {
		set.Results = append(set.Results, *c.res)
	}
	for i := range cells {
		cells[i].res = &set.Results[i]
	}

	for _, stale := range findStale(cfg.Dir) {
		logf(cfg.Log, "note: stale scratch directory from an earlier writebench run: %s (remove it if no writebench is running)", stale)
	}
	scratch, err := newScratch(cfg.Dir)
	if err := g.agree(ctx, err); err != nil {
		if scratch != nil {
			scratch.remove()
		}
		return nil, err
	}
	defer func() {
		if err := scratch.remove(); err != nil {
			logf(cfg.Log, "warning: could not remove the scratch directory %s: %v (remove it by hand)", scratch.dir, err)
		}
	}()

	r := &runner{cfg: cfg, scratch: scratch, content: strategies.NewContent(1), group: g}
	warm := max(cfg.Warmup, 0)
	rounds := warm + cfg.Repeat
	if cfg.Progress != nil {
		cfg.Progress.Start(rounds * len(cells))
		defer cfg.Progress.Done()
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, cfg.Seed^0x5eed))
	order := make([]int, len(cells))
	for i := range order {
		order[i] = i
	}
	interrupted := false
	var cause error
rounds:
	for round := 0; round < rounds; round++ {
		counted := round >= warm
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		for _, i := range order {
			c := &cells[i]
			if ctx.Err() != nil {
				interrupted = true
				break rounds
			}
			if c.failed {
				if cfg.Progress != nil {
					cfg.Progress.Step(c.res, counted, errors.New(c.res.Error))
				}
				continue
			}
			err := r.rep(ctx, i, c, counted)
			if err != nil && ctx.Err() != nil {
				interrupted = true
				break rounds
			}
			var ce *collectiveError
			if errors.As(err, &ce) {
				// The ranks cannot talk any more (one died?): stop with
				// what was measured.
				interrupted, cause = true, ce
				break rounds
			}
			if err != nil {
				c.failed = true
				c.res.Error = err.Error()
				c.res.Verified = false
			}
			if (err != nil || round == rounds-1) && c.dir != "" {
				// The cell is done: give its directory back now rather than
				// at the end of the sweep.
				if rerr := os.RemoveAll(c.dir); rerr == nil {
					c.dir = ""
				}
			}
			if cfg.Progress != nil {
				cfg.Progress.Step(c.res, counted, err)
			}
		}
	}
	for i := range cells {
		c := &cells[i]
		c.res.Verified = !cfg.NoVerify && !c.failed && len(c.res.Seconds) > 0
	}
	set.Env.TotalSeconds = time.Since(start).Seconds()
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

func logf(w io.Writer, format string, args ...any) {
	if w != nil {
		fmt.Fprintf(w, format+"\n", args...)
	}
}

func (cfg Config) withDefaults() Config {
	if len(cfg.Strategies) == 0 {
		for _, s := range cfg.Custom {
			cfg.Strategies = append(cfg.Strategies, s.Name())
		}
		if len(cfg.Strategies) == 0 {
			cfg.Strategies = strategies.Names()
		}
	}
	if len(cfg.Files) == 0 {
		cfg.Files = DefaultFiles
	}
	if len(cfg.Sizes) == 0 {
		cfg.Sizes = DefaultSizes
	}
	if len(cfg.Records) == 0 {
		cfg.Records = []int{strategies.DefaultRecord}
	}
	if len(cfg.Buffers) == 0 {
		cfg.Buffers = []int{strategies.DefaultBuffer}
	}
	if len(cfg.Chunks) == 0 {
		cfg.Chunks = []int{strategies.DefaultChunk}
	}
	if len(cfg.Concurrency) == 0 {
		cfg.Concurrency = []int{strategies.DefaultConcurrency}
	}
	if len(cfg.PerFile) == 0 {
		cfg.PerFile = []string{strategies.DefaultPerFile}
	}
	if len(cfg.Sync) == 0 {
		cfg.Sync = []strategies.SyncMode{strategies.SyncNone}
	}
	if cfg.Repeat == 0 {
		cfg.Repeat = DefaultRepeat
	}
	if cfg.Warmup == 0 {
		cfg.Warmup = DefaultWarmup
	}
	if cfg.Dir == "" {
		cfg.Dir = os.TempDir()
	}
	return cfg
}

// ConfigError is a bad Config field: Field names the flag it comes from.
type ConfigError struct {
	Field string // flag name without dashes, e.g. "sizes"; "" when no flag is at fault
	Msg   string
}

func (e *ConfigError) Error() string {
	if e.Field == "" { // not one flag's fault (e.g. how the run was launched)
		return e.Msg
	}
	return "--" + e.Field + ": " + e.Msg
}

func cfgErr(field, format string, args ...any) error {
	return &ConfigError{Field: field, Msg: fmt.Sprintf(format, args...)}
}

// lookup finds a strategy by name in Custom, then in the registry.
func (cfg *Config) lookup(name string) (strategies.Strategy, error) {
	for _, s := range cfg.Custom {
		if s.Name() == name {
			return s, nil
		}
	}
	return strategies.Lookup(name)
}

// Validate checks cfg (with defaults applied), that --dir is a writable
// directory and, with DropCaches, that caches can be dropped, leaving nothing
// behind: the checks Run makes before it writes anything. The CLI calls it
// before it makes the default results/ directory, so bad input writes
// nothing at all.
func (cfg Config) Validate() error {
	c := cfg.withDefaults()
	_, err := c.check()
	return err
}

// check validates cfg (defaults applied) and the places it will use, and
// returns the cells of the sweep.
func (cfg *Config) check() ([]cell, error) {
	cells, err := cfg.expand()
	if err != nil {
		return nil, err
	}
	if err := checkLauncher(cfg.Job); err != nil {
		return nil, err
	}
	if err := checkDir(cfg.Dir); err != nil {
		return nil, err
	}
	if cfg.DropCaches {
		if err := canDropCaches(); err != nil {
			return nil, err
		}
	}
	return cells, nil
}

// expand validates cfg and returns one cell per point of the sweep. Knobs
// that do not apply to a strategy are left out, so sweeping --record does
// not duplicate chunked cells.
func (cfg *Config) expand() ([]cell, error) {
	if cfg.Repeat < 1 || cfg.Repeat > MaxRepeat {
		return nil, cfgErr("repeat", "%d is out of range (1 to %d)", cfg.Repeat, MaxRepeat)
	}
	if cfg.Warmup > MaxRepeat {
		return nil, cfgErr("warmup", "%d is out of range (0 to %d)", cfg.Warmup, MaxRepeat)
	}
	for _, f := range cfg.Files {
		if f < 1 || f > MaxFiles {
			return nil, cfgErr("files", "%d is out of range (1 to %d)", f, MaxFiles)
		}
	}
	for _, s := range cfg.Sizes {
		if s < 0 || s > MaxFileSize {
			return nil, cfgErr("sizes", "%d is out of range (0 to 1PiB)", s)
		}
	}
	for name, l := range map[string][]int{"record": cfg.Records, "buffer": cfg.Buffers, "chunk": cfg.Chunks} {
		for _, v := range l {
			if v < 1 || v > MaxParam {
				return nil, cfgErr(name, "%d is out of range (1 to 1GiB)", v)
			}
		}
	}
	for _, v := range cfg.Concurrency {
		if v < 1 || v > MaxConc {
			return nil, cfgErr("concurrency", "%d is out of range (1 to %d)", v, MaxConc)
		}
	}
	for _, pf := range cfg.PerFile {
		if known := strategies.PerFileNames(); !slices.Contains(known, pf) {
			return nil, cfgErr("per-file", "unknown per-file writer %q (known: %s)", pf, strings.Join(known, ", "))
		}
	}
	for _, s := range cfg.Sync {
		if _, err := strategies.ParseSync(string(s)); err != nil {
			return nil, cfgErr("sync", "%v", err)
		}
	}
	var cells []cell
	seen := map[string]bool{}
	for _, name := range cfg.Strategies {
		s, err := cfg.lookup(name)
		if err != nil {
			return nil, cfgErr("strategies", "%v", err)
		}
		pfs := []string{""}
		if slices.Contains(s.Knobs(), "per_file") {
			pfs = cfg.PerFile
		}
		for _, pf := range pfs {
			knobs := strategies.Knobs(s, pf)
			pick := func(knob string, vals []int) []int {
				if slices.Contains(knobs, knob) {
					return vals
				}
				return []int{0}
			}
			for _, files := range cfg.Files {
				for _, size := range cfg.Sizes {
					for _, rec := range pick("record", cfg.Records) {
						for _, buf := range pick("buffer", cfg.Buffers) {
							for _, chunk := range pick("chunk", cfg.Chunks) {
								for _, conc := range pick("concurrency", cfg.Concurrency) {
									for _, sync := range cfg.Sync {
										rc := &resultset.Cell{
											Strategy: s.Name(), Files: files, FileSize: size,
											Record: rec, Buffer: buf, Chunk: chunk, Concurrency: conc,
											PerFile: pf, Sync: string(sync),
											// Empty, not null, in the JSON of a cell that
											// never completed a repetition.
											Seconds: []float64{}, WriteSyscalls: []int64{}, StorageBytes: []int64{},
											SyncSeconds: []float64{}, UserSeconds: []float64{}, SysSeconds: []float64{},
											Allocs: []uint64{}, AllocBytes: []uint64{},
										}
										if seen[rc.Key()] {
											continue
										}
										seen[rc.Key()] = true
										p := strategies.Params{Record: rec, Buffer: buf, Chunk: chunk,
											Concurrency: conc, PerFile: pf, Sync: sync}.WithDefaults()
										cells = append(cells, cell{res: rc, strategy: s, params: p})
									}
								}
							}
						}
					}
				}
			}
		}
	}
	return cells, nil
}

// runner holds the state shared by every repetition.
type runner struct {
	cfg      Config
	scratch  *scratch
	content  *strategies.Content
	latency  []time.Duration
	syncTime []time.Duration
	group    *group
}

// rep runs one repetition of cell c: outside the timed region it checks free
// space, makes the cell's directory on its first repetition, drops caches and
// reads the counters; inside it runs the strategy (and the final sync for
// --sync end); after it, it verifies every file and empties the directory.
func (r *runner) rep(ctx context.Context, idx int, c *cell, counted bool) (err error) {
	rc := c.res
	g := r.group
	setup := func() error {
		if !r.cfg.NoSpaceCheck {
			// Ranks on one host share its disks: count all their files.
			if err := checkSpace(r.scratch.dir, rc.Files*g.hostRanks(), rc.FileSize); err != nil {
				return err
			}
		}
		// One directory per cell, made on its first repetition and emptied
		// after every one: the first (warm-up) repetition pays for growing
		// the directory, the counted ones all start from the same empty
		// directory.
		if c.dir == "" {
			dir := filepath.Join(r.scratch.dir, "c"+strconv.Itoa(idx))
			if err := os.Mkdir(dir, 0o755); err != nil {
				return withHint(fmt.Errorf("make scratch directory: %w", err))
			}
			c.dir = dir
		}
		return nil
	}
	if err := g.agree(ctx, setup()); err != nil {
		return err
	}
	dir := c.dir
	defer func() {
		rerr := emptyDir(dir)
		if rerr != nil {
			rerr = withHint(fmt.Errorf("remove scratch files: %w", rerr))
		}
		if err == nil {
			// Every rank got here without error: they agree on this too,
			// so a cell fails on all ranks or on none.
			err = g.agree(ctx, rerr)
		}
	}()
	if cap(r.latency) < rc.Files {
		r.latency = make([]time.Duration, rc.Files)
		r.syncTime = make([]time.Duration, rc.Files)
	}
	b := &strategies.Batch{
		Dir: dir, Files: rc.Files, Size: rc.FileSize, Params: c.params, Content: r.content,
		Latency: r.latency[:rc.Files], SyncTime: r.syncTime[:rc.Files],
	}
	clear(b.Latency)
	clear(b.SyncTime)
	if r.cfg.DropCaches {
		if err := g.agree(ctx, dropCaches()); err != nil {
			return err
		}
	}
	if err := g.barrier(ctx); err != nil {
		return err
	}
	collectBeforeTimed()

	var before, after counters
	before.read()
	t0 := time.Now()
	werr := callWrite(ctx, c.strategy, b)
	var endSync time.Duration
	if werr == nil && c.params.Sync == strategies.SyncEnd {
		ts := time.Now()
		werr = strategies.SyncFS(dir)
		endSync = time.Since(ts)
	}
	elapsed := time.Since(t0)
	after.read()

	check := func() error {
		if werr != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return withHint(werr)
		}
		if !r.cfg.NoVerify {
			if err := Verify(ctx, b); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				return withHint(err) // EIO reading back deserves the same advice
			}
		}
		return nil
	}
	if err := check(); err != nil {
		if ctx.Err() != nil {
			return err
		}
		return g.agree(ctx, err)
	}
	if err := g.agree(ctx, nil); err != nil {
		return err
	}
	if !counted {
		return nil
	}
	syncSum := endSync
	for _, d := range b.SyncTime {
		syncSum += d
	}
	d := after.sub(&before)
	rc.Seconds = append(rc.Seconds, elapsed.Seconds())
	rc.WriteSyscalls = append(rc.WriteSyscalls, d.syscw)
	rc.StorageBytes = append(rc.StorageBytes, d.writeBytes)
	rc.SyncSeconds = append(rc.SyncSeconds, syncSum.Seconds())
	rc.UserSeconds = append(rc.UserSeconds, d.user.Seconds())
	rc.SysSeconds = append(rc.SysSeconds, d.sys.Seconds())
	rc.Allocs = append(rc.Allocs, d.allocs)
	rc.AllocBytes = append(rc.AllocBytes, d.allocBytes)
	if p50, p99, pmax, ok := percentiles(b.Latency); ok {
		rc.LatencyP50 = append(rc.LatencyP50, p50)
		rc.LatencyP99 = append(rc.LatencyP99, p99)
		rc.LatencyMax = append(rc.LatencyMax, pmax)
	}
	return g.merge(ctx, rc)
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
func callWrite(ctx context.Context, s strategies.Strategy, b *strategies.Batch) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("strategy %s panicked: %v", s.Name(), r)
		}
	}()
	return s.Write(ctx, b)
}

// emptyDir removes every entry of dir (all made by the strategy inside the
// cell's own directory), reading and removing in batches so a directory of
// a million files needs no list of them.
func emptyDir(dir string) error {
	for {
		d, err := os.Open(dir)
		if err != nil {
			return err
		}
		names, err := d.Readdirnames(4096)
		d.Close()
		if len(names) == 0 {
			if err == nil || err == io.EOF {
				return nil
			}
			return err
		}
		for _, n := range names {
			if err := os.RemoveAll(filepath.Join(dir, n)); err != nil {
				return err
			}
		}
	}
}
