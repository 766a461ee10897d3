package writebench

import (
	"cmp"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/writebench/writebench/internal/ranks"
	"github.com/writebench/writebench/internal/scratch"
	"github.com/writebench/writebench/internal/textfmt"
	"github.com/writebench/writebench/internal/timeline"
	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies"
)

// Config describes a sweep. A zero field means its documented default.
type Config struct {
	// Strategies names the strategies to run, in order (default: all
	// registered, sorted). Names are looked up in Custom first, then in the
	// strategies registry.
	Strategies []string
	// Custom holds strategies that are not in the registry (your own, or
	// external programs).
	Custom []strategies.Strategy

	Files []int   // file counts (default 1, 16, 64)
	Sizes []int64 // bytes per file (default 4KiB, 64KiB, 1MiB)
	// Knobs holds the values to sweep for every other axis of
	// resultset.Axes(), by axis name ("record", "chunk", "concurrency",
	// "per_file", "batch", "queue_depth", "prealloc", "sync"), written as on
	// the command line ("64KiB", "10", "fallocate"). An axis not listed takes
	// its default; a knob applies only to the strategies that list it.
	Knobs map[string][]string

	// Repeat is the number of counted repetitions per cell (default 10).
	// With a Budget it is the most a cell gets.
	Repeat int
	// Warmup is the number of uncounted repetitions per cell before them
	// (default 1; negative: none). The first repetition of a cell also
	// calibrates its batches per sample (MinSample): with warm-ups that is
	// the first warm-up; without, the first counted round, whose samples
	// are then one batch each. No repetition runs beyond Warmup + Repeat.
	Warmup int

	// Budget, when positive, bounds the whole sweep's wall time and turns on
	// adaptive sampling: every cell runs MinRounds counted rounds, then
	// further rounds go only to comparison groups whose verdict is still
	// undecided, until each is decided, the budget is spent or Repeat is
	// reached. The warm-ups and the first counted round always run; after
	// them no round starts that would end past the budget (by the cost of
	// each cell's last repetition), so on a slow machine cells may end with
	// fewer than MinRounds samples and their groups undecided. Zero runs
	// Repeat rounds for every cell.
	Budget time.Duration
	// MinRounds is the counted rounds every cell gets before any group may
	// stop (default 7; the sign-test interval at the interim look's 95%
	// needs 6).
	MinRounds int
	// Precision is the half-width of the paired ratio interval that counts
	// as decided even when it straddles the tie margin (default 0.05).
	Precision float64
	// Tie is the margin within which two contenders are a tie (default 0.05).
	Tie float64
	// Vs names the contender axes (axis names of resultset.Axes or
	// "strategy"): cells that differ only in them compete; every other axis
	// is part of the workload (default resultset.DefaultVs: the strategy
	// and its knobs, with files, size, record, sync and dir the workload).
	// "dir" (with two or more Dirs) makes the verdicts compare the
	// directories, paired by round.
	Vs []string
	// MinSample is the shortest timed sample: a batch that takes less is run
	// several times back to back per repetition (each into a fresh
	// directory), the count calibrated on the cell's first repetition
	// (see Warmup) (default 2ms; negative: off).
	MinSample time.Duration

	// Dir is where the scratch directory (ScratchPrefix*) is made (default:
	// the current directory, so the sweep measures the file system the user
	// runs it from, as fio does). A Dir on tmpfs or ramfs measures memory,
	// not a disk (Run says so on Log).
	Dir        string
	dirDefault bool // Dir was defaulted (error messages say so)
	// Dirs, with two or more directories, runs every cell in each of them,
	// round by round in one interleaved sweep, each directory with its own
	// scratch directory; the cells record their directory (Cell.Dir) and
	// each is its own workload unless Vs holds "dir". Empty: Dir alone.
	Dirs         []string
	NoVerify     bool   // skip reading every file back
	DropCaches   bool   // drop the page cache before every repetition (Linux, root)
	NoSpaceCheck bool   // skip the free-space check before each cell
	Seed         uint64 // shuffle seed (0: chosen from the clock, and recorded)
	// MemoryLimit is the memory, in bytes, the sweep's largest cell may
	// need (EstimateMemory) before the sweep is refused. Zero: what the
	// machine has now (MemoryLimit: MemAvailable, or the room in the
	// process's memory cgroup counting its reclaimable page cache as
	// free); negative: no memory check. The limits of RLIMIT_AS and
	// RLIMIT_NPROC are checked whatever it says (see checkLimits).
	MemoryLimit int64

	// Job is the run this process is part of (writebench.StartJob): nil for
	// a single process. With several MPI ranks every rank runs the sweep
	// and every rank's Run returns the same aggregate set (see ranks.go).
	Job *Job
	// SharedDir puts every rank's files of a cell into one directory
	// (mdtest's "hard" case: the ranks contend for one directory's
	// entries) instead of one scratch directory per rank: rank 0 makes the
	// scratch directory under Dir, which must then be one file system
	// mounted at the same path on every rank's host, and rank r names its
	// files with strategies.RankPrefix(r) ("r3-f0042"), verifies and
	// removes only those. A single process accepts it (its files are named
	// r0-f0042). Recorded as env.shared_dir.
	SharedDir bool

	// Timeline records, for every counted repetition, a timeline of the
	// bytes the strategy has written so far and the kernel's Dirty and
	// Writeback memory, sampled every TimelineInterval (default
	// DefaultTimelineInterval) by a goroutine outside the strategy's work
	// (resultset.Timeline). Strategies run by external programs get none.
	Timeline         bool
	TimelineInterval time.Duration
	// WriteLatency records the latency of every write-family call of every
	// counted repetition into a log-bucketed histogram
	// (resultset.WriteLatency); it adds two clock reads to every call.
	WriteLatency bool

	// Keep, when non-nil, leaves out of the sweep every cell of the
	// product it returns false for (the cell has its strategy and axis
	// values set, no samples): e.g. one sync mode for one strategy only.
	Keep func(c *resultset.Cell) bool

	Preset  string   // recorded in the result set's env
	Command []string // recorded in the result set's env

	// Progress, when non-nil, is told about every repetition, always
	// outside the timed region.
	Progress Progress
	// Log, when non-nil, receives notes (stale scratch directories, ...).
	Log io.Writer
	// FieldName is how the texts the runner hands out name a configuration
	// field: log lines, errors, and the skip reasons and errors it stores
	// in cells. Library messages name fields as {field} ("use smaller
	// {chunk}", see textfmt.FieldRefs); FieldName(field) replaces each.
	// Nil writes the field's name ("chunk"); a command passes its flag
	// ("--chunk"), so a saved set reads as the user typed it.
	FieldName func(field string) string
}

// Progress observes a running sweep. Its methods are called from the
// runner's goroutine, never inside a timed region.
type Progress interface {
	// Start is called once with the number of repetitions the sweep plans
	// (warm-ups included; with a budget, the most it may run, often far
	// more than run: count toward the budget's time instead), the
	// estimated wall time and the Budget (0: none).
	Start(total int, estimate, budget time.Duration)
	// Step is called after each repetition of cell.
	Step(cell *resultset.Cell, counted bool, err error)
	// Done is called once when the sweep ends, however it ends; complete
	// is false when it was interrupted. A complete sweep may have run
	// fewer repetitions than planned (the budget, failed or skipped
	// cells): what ran is then all there was to run.
	Done(complete bool)
}

// Defaults of Config's scalar fields.
const (
	DefaultRepeat    = 10
	DefaultWarmup    = 1
	DefaultMinRounds = 7
	DefaultPrecision = judge.DefaultPrecision
	DefaultTie       = judge.DefaultTie
	// DefaultMinSample is short on purpose: longer samples of the small
	// cells fill the rounds, so a budgeted sweep gets fewer of them, and the
	// paired sign test over many rounds copes with a hiccup in one short
	// sample better than a few long samples do (docs/verdicts.md; the
	// comparison of settings is in docs/figures.md).
	DefaultMinSample = 2 * time.Millisecond
	// MaxLoops bounds how many times one repetition runs its batch to reach
	// MinSample.
	MaxLoops = 1000
)

// MaxRepeat bounds Repeat, Warmup and MinRounds; the axes' own limits
// (files, sizes, knobs) are in resultset.Axes().
const MaxRepeat = 10_000

// ConfigError is a bad Config field. Field names the Config field or the
// axis (resultset.Axes()) at fault in lower case, e.g. "sizes", "queue_depth",
// "repeat"; the command line maps it to its flag. It is empty when no field
// is at fault (a run launched as several ranks without MPI). Msg names the
// other fields it mentions as {field} ("use smaller {chunk}"), and "{{" is
// a literal brace: Error writes them as field names, Text as the caller
// names them (a command, as its flags).
type ConfigError struct {
	Field string
	Msg   string
}

func (e *ConfigError) Error() string {
	msg := e.Text(func(field string) string { return field })
	if e.Field == "" { // not one field's fault (e.g. how the run was launched)
		return msg
	}
	return e.Field + ": " + msg
}

// Text is Msg with every field it names written as name(field).
func (e *ConfigError) Text(name func(field string) string) string {
	return textfmt.FieldRefs(e.Msg, name)
}

// cfgErr is a *ConfigError of field; format may name fields as {field}
// (see ConfigError), the braces of args are kept as they are.
func cfgErr(field, format string, args ...any) error {
	return &ConfigError{Field: field, Msg: textfmt.FieldMsg(format, args...)}
}

// configError returns the *ConfigError for a bad setting an internal
// package found (a *ranks.ConfigError), and any other error as it is.
func configError(err error) error {
	var ce *ranks.ConfigError
	if errors.As(err, &ce) {
		return &ConfigError{Field: ce.Field, Msg: ce.Msg}
	}
	return err
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
		cfg.Files = []int{1, 16, 64}
	}
	if len(cfg.Sizes) == 0 {
		cfg.Sizes = []int64{4 << 10, 64 << 10, 1 << 20}
	}
	// Zero means the default; negative Warmup and MinSample mean none/off.
	cfg.Repeat = cmp.Or(cfg.Repeat, DefaultRepeat)
	cfg.Warmup = cmp.Or(cfg.Warmup, DefaultWarmup)
	cfg.MinRounds = cmp.Or(cfg.MinRounds, DefaultMinRounds)
	cfg.Precision = cmp.Or(cfg.Precision, DefaultPrecision)
	cfg.Tie = cmp.Or(cfg.Tie, DefaultTie)
	cfg.MinSample = cmp.Or(cfg.MinSample, DefaultMinSample)
	if cfg.Dir == "" {
		// The current directory, absolute: external writers, workers and
		// other ranks get the scratch directory's path.
		cfg.Dir, cfg.dirDefault = ".", true
		if wd, err := os.Getwd(); err == nil {
			cfg.Dir = wd
		}
	}
	if len(cfg.Dirs) == 0 {
		cfg.Dirs = []string{cfg.Dir}
	}
	cfg.Dir = cfg.Dirs[0]
	cfg.TimelineInterval = cmp.Or(cfg.TimelineInterval, DefaultTimelineInterval)
	return cfg
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

// Validate checks cfg (with defaults applied), that Dir is a writable
// directory and, with DropCaches, that caches can be dropped, leaving nothing
// behind: the checks Run makes before it writes anything.
func (cfg Config) Validate() error {
	c := cfg.withDefaults()
	_, err := c.check()
	return err
}

// check validates cfg (defaults applied) and the places it will use, and
// returns the cells of the sweep.
func (cfg *Config) check() ([]cell, error) {
	if err := cfg.checkDirs(); err != nil {
		return nil, err
	}
	cells, err := cfg.expand()
	if err != nil {
		return nil, err
	}
	if err := ranks.CheckLauncher(cfg.Job); err != nil {
		return nil, configError(err)
	}
	for _, d := range cfg.Dirs {
		if err := scratch.CheckDir(d); err != nil {
			if cfg.dirDefault {
				return nil, cfgErr("dir", "the current directory, where the scratch directory goes by default, cannot be used: %v; name a directory on the disk to measure", err)
			}
			return nil, cfgErr("dir", "%v", err)
		}
	}
	if cfg.DropCaches {
		if err := scratch.CanDropCaches(); err != nil {
			return nil, cfgErr("drop-caches", "%v", err)
		}
	}
	if err := checkMemory(cells, cfg.NoVerify, cfg.MemoryLimit, cfg.logf); err != nil {
		return nil, err
	}
	if err := checkLimits(cells, cfg.NoVerify); err != nil {
		return nil, err
	}
	return cells, nil
}

// checkDirs checks Dirs and Vs; with several directories it replaces
// Dirs by their absolute paths (symbolic links resolved), which name the
// cells' directories, and refuses one directory given twice.
func (cfg *Config) checkDirs() error {
	if slices.Contains(cfg.Vs, "dir") && len(cfg.Dirs) < 2 {
		return cfgErr("vs", "dir needs two or more directories ({dir} A,B)")
	}
	if len(cfg.Dirs) < 2 {
		return nil
	}
	if cfg.Job != nil && cfg.Job.Size() > 1 || cfg.SharedDir {
		return cfgErr("dir", "several directories do not combine with MPI ranks or {shared_dir}")
	}
	seen := map[string]string{}
	out := make([]string, len(cfg.Dirs))
	for i, d := range cfg.Dirs {
		if d == "" {
			return cfgErr("dir", "empty directory in the list")
		}
		if err := scratch.CheckDir(d); err != nil {
			return cfgErr("dir", "%v", err)
		}
		abs, err := filepath.Abs(d)
		if err != nil {
			return cfgErr("dir", "%s: %v", resultset.Printable(d), err)
		}
		if r, err := filepath.EvalSymlinks(abs); err == nil {
			abs = r
		}
		if prev, ok := seen[abs]; ok {
			return cfgErr("dir", "%s and %s are the same directory", resultset.Printable(prev), resultset.Printable(d))
		}
		seen[abs] = d
		out[i] = abs
	}
	cfg.Dirs = out
	cfg.Dir = out[0]
	return nil
}

// axisValues is the validated list of values of one axis.
type axisValues struct {
	axis  *resultset.Axis
	nums  []int64
	names []string
}

func (v *axisValues) len() int {
	if v.axis.Kind == resultset.KindName {
		return len(v.names)
	}
	return len(v.nums)
}

// validNames is the list a named axis's values must come from.
func validNames(a *resultset.Axis) []string {
	if a.Name == "per_file" {
		return strategies.PerFileNames()
	}
	return a.Names
}

// parseAxis parses and checks the textual values of axis a.
func parseAxis(a *resultset.Axis, vals []string) (axisValues, error) {
	av := axisValues{axis: a}
	if len(vals) == 0 {
		return av, cfgErr(a.Name, "no values")
	}
	for _, s := range vals {
		switch a.Kind {
		case resultset.KindName:
			known := validNames(a)
			if !slices.Contains(known, s) {
				msg := fmt.Sprintf("unknown value %q (known: %s)", s, strings.Join(known, ", "))
				if c := strategies.Closest(s, known); c != "" {
					msg += fmt.Sprintf("; did you mean %q?", c)
				}
				return av, cfgErr(a.Name, "%s", msg)
			}
			av.names = append(av.names, s)
		default:
			var n int64
			var err error
			if a.Kind == resultset.KindSize {
				n, err = textfmt.ParseSize(s)
			} else {
				n, err = strconv.ParseInt(strings.TrimSpace(s), 10, 64)
				if err != nil {
					err = fmt.Errorf("%q is not a whole number", s)
				}
			}
			if err != nil {
				return av, cfgErr(a.Name, "%v", err)
			}
			if err := a.CheckNumber(n); err != nil {
				return av, cfgErr(a.Name, "%v", err)
			}
			av.nums = append(av.nums, n)
		}
	}
	return av, nil
}

// sweepAxes returns the values of every axis in table order, validated in
// that order, so the same bad input always names the same field.
func (cfg *Config) sweepAxes() ([]axisValues, error) {
	for _, name := range sortedKeys(cfg.Knobs) {
		if a := resultset.AxisByName(name); a == nil || a.Name == "files" || a.Name == "size" || a.Name == "dir" {
			var known []string
			for _, a := range resultset.Axes()[2:] {
				if a.Name != "dir" {
					known = append(known, a.Name)
				}
			}
			return nil, cfgErr("knobs", "unknown axis %q (known: %s)", name, strings.Join(known, ", "))
		}
	}
	var out []axisValues
	for _, a := range resultset.Axes() {
		var av axisValues
		if a.Name == "dir" {
			continue // Dirs: the runner sets it per directory (expand)
		}
		switch a.Name {
		case "files":
			av.axis = a
			for _, f := range cfg.Files {
				if err := a.CheckNumber(int64(f)); err != nil {
					return nil, cfgErr("files", "%v", err)
				}
				av.nums = append(av.nums, int64(f))
			}
		case "size":
			av.axis = a
			for _, s := range cfg.Sizes {
				if err := a.CheckNumber(s); err != nil {
					return nil, cfgErr("sizes", "%v", err)
				}
				av.nums = append(av.nums, s)
			}
		default:
			vals, ok := cfg.Knobs[a.Name]
			if !ok {
				vals = strings.Split(a.Default, ",")
			}
			var err error
			if av, err = parseAxis(a, vals); err != nil {
				return nil, err
			}
		}
		out = append(out, av)
	}
	return out, nil
}

// scalarRanges are the bounds of the scalar fields whose zero a Config
// reads as the default, in checkScalars' order: Validate checks them, and
// CheckExplicit checks a value given explicitly, 0 included.
var scalarRanges = []struct {
	field string
	get   func(*Config) float64
	check func(v float64) error
}{
	{"repeat", func(c *Config) float64 { return float64(c.Repeat) }, func(v float64) error {
		if v < 1 || v > MaxRepeat {
			return cfgErr("repeat", "%d is out of range (1 to %d)", int64(v), MaxRepeat)
		}
		return nil
	}},
	{"min_rounds", func(c *Config) float64 { return float64(c.MinRounds) }, func(v float64) error {
		if v < 1 || v > MaxRepeat {
			return cfgErr("min_rounds", "%d is out of range (1 to %d)", int64(v), MaxRepeat)
		}
		return nil
	}},
	{"precision", func(c *Config) float64 { return c.Precision }, func(v float64) error {
		if !(v > 0 && v < 1) {
			return cfgErr("precision", "%v is out of range (above 0, below 1)", v)
		}
		return nil
	}},
	{"tie", func(c *Config) float64 { return c.Tie }, func(v float64) error {
		if !(v > 0 && v < 1) {
			return cfgErr("tie", "%v is out of range (above 0, below 1)", v)
		}
		return nil
	}},
}

// CheckExplicit checks v, given explicitly for field ("repeat",
// "min_rounds", "precision" or "tie"), as Validate checks the field, 0
// included: a Config reads 0 there as the default, so a command line that
// names 0 asks this. It returns a *ConfigError, nil for other fields.
func CheckExplicit(field string, v float64) error {
	for _, r := range scalarRanges {
		if r.field == field {
			return r.check(v)
		}
	}
	return nil
}

// checkScalars validates the scalar fields in a fixed order.
func (cfg *Config) checkScalars() error {
	for _, r := range scalarRanges {
		if err := r.check(r.get(cfg)); err != nil {
			return err
		}
	}
	switch {
	case cfg.Warmup > MaxRepeat:
		return cfgErr("warmup", "%d is out of range (0 to %d)", cfg.Warmup, MaxRepeat)
	case cfg.Budget < 0:
		return cfgErr("budget", "%v is negative", cfg.Budget)
	case cfg.MinSample > time.Minute:
		return cfgErr("min_sample", "%v is too long (at most 1m)", cfg.MinSample)
	case cfg.TimelineInterval < timeline.MinInterval || cfg.TimelineInterval > time.Hour:
		return cfgErr("timeline_interval", "%v is out of range (%v to 1h)", cfg.TimelineInterval, timeline.MinInterval)
	}
	if len(cfg.Vs) > 0 {
		if _, err := resultset.ParseVs(cfg.Vs); err != nil {
			return cfgErr("vs", "%v", err)
		}
	}
	return nil
}

// expand validates cfg and returns one cell per point of the sweep: the
// cartesian product of the axes that apply to each strategy. Knobs that do
// not apply to a strategy are left out, so sweeping record does not
// duplicate chunked cells.
func (cfg *Config) expand() ([]cell, error) {
	if err := cfg.checkScalars(); err != nil {
		return nil, err
	}
	axes, err := cfg.sweepAxes()
	if err != nil {
		return nil, err
	}
	var strats []strategies.Strategy
	for _, name := range cfg.Strategies {
		s, err := cfg.lookup(name)
		if err != nil {
			return nil, cfgErr("strategies", "%v", err)
		}
		strats = append(strats, s)
	}
	var cells []cell
	seen := map[string]bool{}
	for _, s := range strats {
		perFiles := []string{""}
		if slices.Contains(s.Knobs(), "per_file") {
			for _, av := range axes {
				if av.axis.Name == "per_file" {
					perFiles = av.names
				}
			}
		}
		for _, pf := range perFiles {
			knobs := strategies.Knobs(s, pf)
			var use []axisValues
			for _, av := range axes {
				switch {
				case av.axis.Name == "per_file":
					if pf != "" {
						use = append(use, axisValues{axis: av.axis, names: []string{pf}})
					}
				case !av.axis.Knob || slices.Contains(knobs, av.axis.Name):
					use = append(use, av)
				}
			}
			for _, idx := range product(use) {
				rc := newCell(s.Name())
				for k, av := range use {
					if av.axis.Kind == resultset.KindName {
						av.axis.Set(rc, 0, av.names[idx[k]])
					} else {
						av.axis.Set(rc, av.nums[idx[k]], "")
					}
				}
				if seen[rc.Key()] || (cfg.Keep != nil && !cfg.Keep(rc)) {
					continue
				}
				seen[rc.Key()] = true
				if len(cfg.Dirs) < 2 {
					cells = append(cells, cell{res: rc, strategy: s, params: paramsOf(rc)})
					continue
				}
				for _, d := range cfg.Dirs {
					dc := *rc
					dc.Dir = d
					cells = append(cells, cell{res: &dc, strategy: s, params: paramsOf(&dc)})
				}
			}
		}
	}
	return cells, nil
}

// product lists every combination of indices into the value lists of axes,
// the last axis varying fastest.
func product(axes []axisValues) [][]int {
	out := [][]int{{}}
	for _, av := range axes {
		var next [][]int
		for _, prefix := range out {
			for i := 0; i < av.len(); i++ {
				next = append(next, append(slices.Clone(prefix), i))
			}
		}
		out = next
	}
	return out
}

// newCell returns an empty cell of strategy name whose sample arrays are
// empty, not null, in the JSON even if it never completes a repetition.
func newCell(name string) *resultset.Cell {
	return &resultset.Cell{
		Strategy: name,
		Seconds:  []float64{}, WriteSyscalls: []int64{}, StorageBytes: []int64{},
		SyncSeconds: []float64{}, UserSeconds: []float64{}, SysSeconds: []float64{},
		Allocs: []uint64{}, AllocBytes: []uint64{},
	}
}

// paramsOf is the one place a cell's axis values become the strategy's
// Params (defaults filled in): every axis that is a knob of Params (by its
// tag) is copied by name.
func paramsOf(c *resultset.Cell) strategies.Params {
	var p strategies.Params
	for _, a := range resultset.Axes() {
		n, s := a.Get(c)
		if a.Kind == resultset.KindName {
			p.Set(a.Name, s) // files and size are no knobs: an unknown name is ignored
		} else {
			p.SetInt(a.Name, n)
		}
	}
	return p.WithDefaults()
}

// sortedKeys returns m's keys sorted.
func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// Bounds of Config.TimelineInterval.
const (
	DefaultTimelineInterval = timeline.DefaultInterval
	MinTimelineInterval     = timeline.MinInterval
)
