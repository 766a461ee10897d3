package main

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/writebench/writebench"
	"github.com/writebench/writebench/internal/textfmt"
	"github.com/writebench/writebench/report"
	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies"
)

const runUsage = `Usage: writebench run [flags]

Runs the preset's strategies (or --strategies) over the cartesian product of
--files × --sizes × the other list flags, in rounds: every cell's repetition
k runs in round k, in a shuffled order (--seed), so the cells of one workload
are compared round by round. Verifies every byte written, saves the raw
samples as JSON (--out) and prints the answer first: one verdict line per
workload, a recommendation, then the tables.

With --budget (the default and quick presets have one) every cell gets
--min-rounds rounds if time allows, then only the contenders still in
question go on. Sizes take plain bytes or IEC units: 4096, 4KiB, 1MiB, 2GiB.
Lists are comma-separated. Flags given override the --preset.

Run times below were measured on a 2-core VM with ext4; other machines differ
2-3x: --dry-run estimates yours.

Examples:
  writebench run                                   # the default sweep, 43.6-45.0 s there
  writebench run --preset quick                    # a first look, about 12 s there
  writebench run --dry-run                         # the cells and the estimated time, nothing kept
  writebench run --strategies bufio,unbuffered,writev --files 1 --sizes 64MiB --record 64,256,4096
  writebench run --strategies pool,semaphore --files 10000 --sizes 4KiB --concurrency 1,2,10,100
  writebench run --sync none,close --dir /mnt/ssd --out results/ssd.json
  writebench run --preset claim6                   # writers sharing one file: who corrupts data
  writebench run --exec 'mine=python3 my_writer.py' --strategies mine,bufio   # your own writer (docs/protocol.md)`

// runFlags holds the parsed flags of run. The sweep's axes (files, sizes
// and every knob) are registered from resultset.Axes(), one typed value each.
type runFlags struct {
	fs                                 *pflag.FlagSet
	strategies, vs                     stringList
	axes                               []*axisFlag
	repeat, warmup, minRounds          int
	budget, minSample                  time.Duration
	precision, tie                     float64
	dir, out, preset, progress, format string
	noVerify, dropCaches, noSpace      bool
	memoryLimit                        memoryLimitFlag
	sharedDir                          bool
	dryRun, details                    bool
	timeline, writeLatency             bool
	timelineInterval                   time.Duration
	seed                               uint64
	job                                *writebench.Job // the MPI ranks, if any (set before config)
	// External strategies (exec.go): --exec, --exec-file, --exec-timeout,
	// and any an embedding command (ab) adds before config.
	exec, execFile   []string
	execTimeout      time.Duration
	execStartTimeout time.Duration
	custom           []strategies.Strategy
}

func newRunFlags() *runFlags {
	f := &runFlags{fs: pflag.NewFlagSet("run", pflag.ContinueOnError)}
	fs := f.fs
	fs.SortFlags = false
	fs.Var(&f.strategies, "strategies", "strategies to run, comma-separated (default all; see 'writebench list')")
	for _, a := range resultset.Axes() {
		if a.Name == "dir" {
			continue // --dir below: a path list, not a knob
		}
		af := &axisFlag{axis: a}
		f.axes = append(f.axes, af)
		fs.Var(af, a.Flag, axisHelp(a))
	}
	fs.IntVar(&f.repeat, "repeat", 0, "counted repetitions per cell: given without --budget, exactly this many (the preset's budget is dropped); with --budget, the most a cell gets (default from --preset)")
	fs.IntVar(&f.warmup, "warmup", 0, "uncounted repetitions per cell before the counted ones; 0 runs none, and the first counted round then calibrates --min-sample (default 1)")
	fs.DurationVar(&f.budget, "budget", 0, "bound the sweep's wall time and sample adaptively: after --min-rounds, rounds go only to groups still undecided; the warm-ups and the first counted round run whatever the budget (--dry-run warns when they alone exceed it) (0: every cell runs --repeat; default from --preset)")
	fs.IntVar(&f.minRounds, "min-rounds", 0, "counted rounds every cell gets before adaptive sampling may stop its group (default "+strconv.Itoa(writebench.DefaultMinRounds)+")")
	fs.Float64Var(&f.precision, "precision", 0, "with --budget, stop sampling a group once each of its undecided contenders has an interval narrower than ±this (relative): more rounds would only pin a difference too close to the tie margin to matter; the verdict stays undecided (default 0.05)")
	fs.Var(&f.vs, "vs", "the contender axes, comma-separated: cells that differ only in them compete, every other axis is the workload (e.g. --vs chunk compares chunk sizes within each strategy, --vs dir with --dir A,B the directories; default "+strings.Join(resultset.DefaultVs(), ",")+")")
	fs.Float64Var(&f.tie, "tie", 0, "tie margin: contenders within it of the fastest are a tie, and a group is decided once none can be faster than its fastest by more than it (default 0.05)")
	fs.DurationVar(&f.minSample, "min-sample", 0, "shortest timed sample: a batch faster than this runs several times back to back per repetition (default 2ms; 0 or negative: off)")
	fs.BoolVar(&f.dryRun, "dry-run", false, "print the cells, the repetitions planned, an estimate of the wall time (the cost model calibrated by a few short batches under --dir, external writers probed with one short real batch each; every probe file removed at once) and whether the budget reaches the rounds a verdict needs; keep nothing")
	fs.StringVar(&f.dir, "dir", "", "directory under which writebench makes its scratch directory "+writebench.ScratchPrefix+"*, removed at the end: the disk it is on is the disk measured, and a tmpfs or ramfs measures memory (default: the current directory); with several, comma-separated (A,B; a directory whose name holds a comma is taken whole when it exists), every cell runs in each, round by round in one sweep, each directory a workload of its own unless --vs dir")
	fs.StringVar(&f.out, "out", "", "result set path (default results/<UTC timestamp>.json)")
	fs.StringVar(&f.preset, "preset", "default", "sweep preset: "+strings.Join(presetNames(), ", "))
	fs.StringVar(&f.format, "format", "table", "summary format printed at the end: "+strings.Join(report.Formats(), ", "))
	fs.BoolVar(&f.details, "details", false, "with --format table: print the full tables (as 'writebench report FILE' does) instead of the one-screen answer")
	fs.StringVar(&f.progress, "progress", "auto", "progress bar on stderr: auto (when a terminal), always, never")
	fs.BoolVar(&f.noVerify, "no-verify", false, "do not read every file back to check its content")
	fs.BoolVar(&f.dropCaches, "drop-caches", false, "drop the page cache before every repetition (Linux, root)")
	fs.BoolVar(&f.noSpace, "no-space-check", false, "do not check free space before each cell")
	fs.Var(&f.memoryLimit, "memory-limit", "memory the largest cell may need before the sweep is refused, instead of what is available now (MemAvailable, or the memory cgroup's room counting its reclaimable page cache); off: no memory check. RLIMIT_AS and RLIMIT_NPROC are checked whatever it says (default: measured)")
	fs.BoolVar(&f.sharedDir, "shared-dir", false, "MPI runs: every rank writes each cell's files into one shared directory (rank 0's scratch under --dir, which every host must see at the same path), rank r's named r<r>-f<i>: the shared-directory metadata case (mdtest -hard); see docs/mpi.md")
	fs.BoolVar(&f.timeline, "timeline", false, "record, during every counted repetition, the bytes written so far and the kernel's Dirty and Writeback memory (report --plots draws them against time with the dirty thresholds)")
	fs.DurationVar(&f.timelineInterval, "timeline-interval", writebench.DefaultTimelineInterval, "sampling interval of --timeline ("+writebench.MinTimelineInterval.String()+" to 1h)")
	fs.BoolVar(&f.writeLatency, "write-latency", false, "record the latency of every write-family call (io_uring: submission to completion) in a log-bucketed histogram per repetition: p50/p99/p99.9/max columns and a latency distribution chart (adds two clock reads per call)")
	fs.Uint64Var(&f.seed, "seed", 0, "seed of the interleaving shuffle (default: from the clock, recorded)")
	addExecFlags(f)
	return f
}

// axisHelp is the help line of an axis flag.
func axisHelp(a *resultset.Axis) string {
	h := a.Help
	if a.Name == "per_file" {
		h += ": " + strings.Join(strategies.PerFileNames(), ", ")
	}
	def := a.Default
	if a.Name == "files" || a.Name == "size" {
		def = "from --preset"
	}
	return h + " (default " + def + ")"
}

// flagOf maps a field named by a writebench.ConfigError to its flag: the
// axis's flag, else the field with dashes (memory_limit: memory-limit), as
// resultset.FlagOf, the one mapping from the library's field names.
func flagOf(field string) string { return resultset.FlagOf(field) }

// flagRef is how a message names a field: its flag, "--chunk". Every
// library text the command shows (errors, log lines, skip reasons and cell
// errors the runner stores, strategy descriptions) names fields as {field}
// and is rendered with it (Config.FieldName, textfmt.FieldRefs).
func flagRef(field string) string { return "--" + flagOf(field) }

// flagText is a *writebench.ConfigError as the command prints it, every
// field named by its flag: "--chunk: cell ... use smaller --chunk/--record".
func flagText(ce *writebench.ConfigError) string {
	msg := ce.Text(flagRef)
	if ce.Field == "" {
		return msg
	}
	return flagRef(ce.Field) + ": " + msg
}

// configError turns a library error into a usage error naming the flag.
func configError(err error) error {
	if ue := rankUsage(err); ue != nil {
		return ue
	}
	var ce *writebench.ConfigError
	if errors.As(err, &ce) {
		return usagef("run: %s", flagText(ce))
	}
	return usagef("run: %v", err)
}

// config turns the flags into a runner config: the preset first, then
// every flag the user set (fs.Visit).
func (f *runFlags) config(args []string) (writebench.Config, error) {
	p, ok := presets[f.preset]
	if !ok {
		msg := fmt.Sprintf("--preset: unknown preset %q (known: %s)", f.preset, strings.Join(presetNames(), ", "))
		if c := strategies.Closest(f.preset, presetNames()); c != "" {
			msg += fmt.Sprintf("; did you mean %q?", c)
		}
		return writebench.Config{}, usagef("run: %s", msg)
	}
	cfg := p.Config()
	cfg.FieldName = flagRef
	var bad error
	f.fs.Visit(func(fl *pflag.Flag) {
		if bad == nil {
			bad = f.apply(&cfg, fl.Name)
		}
	})
	if bad != nil {
		return cfg, bad
	}
	if f.fs.Changed("repeat") && !f.fs.Changed("budget") {
		// --repeat N alone runs N counted rounds: the preset's budget
		// would make sampling adaptive and stop most cells well before N.
		cfg.Budget = 0
	}
	switch f.progress {
	case "auto", "always", "never":
	default:
		return cfg, usagef("run: --progress: unknown value %q (known: auto, always, never)", f.progress)
	}
	if _, err := report.LookupFormat(f.format); err != nil {
		return cfg, usagef("run: --format: %v", err)
	}
	dirs := splitDirs(f.dir)
	cfg.Dir = dirs[0]
	if len(dirs) > 1 {
		cfg.Dirs = dirs
	}
	cfg.Vs = f.vs
	setSecondNote(fmt.Sprintf("the partial result set is not saved, and the scratch directory %s* under %s may be left behind (the next run names it; remove it by hand)", writebench.ScratchPrefix, resultset.Printable(cmp.Or(f.dir, "."))))
	cfg.NoVerify = f.noVerify
	cfg.DropCaches = f.dropCaches
	cfg.NoSpaceCheck = f.noSpace
	cfg.MemoryLimit = f.memoryLimit.v
	cfg.SharedDir = f.sharedDir
	cfg.Seed = f.seed
	if p.Sustained && !f.fs.Changed("sizes") {
		if err := checkDirArg(cmp.Or(dirs[0], ".")); err != nil {
			return cfg, err
		}
		size, err := sustainedSize(cmp.Or(dirs[0], "."))
		if err != nil {
			return cfg, err
		}
		cfg.Sizes = []int64{size}
	}
	cfg.Timeline = cfg.Timeline || f.timeline
	cfg.WriteLatency = f.writeLatency
	if f.fs.Changed("timeline-interval") {
		if !cfg.Timeline {
			return cfg, usagef("run: --timeline-interval: needs --timeline")
		}
		cfg.TimelineInterval = f.timelineInterval
	}
	custom, user, err := f.execStrategies(p.Writers)
	if err != nil {
		return cfg, err
	}
	cfg.Custom = custom
	if len(user) > 0 && !f.fs.Changed("strategies") {
		// --exec without --strategies measures the programs it names,
		// not the preset's built-ins.
		cfg.Strategies = user
	}
	cfg.Command = append([]string{"writebench", "run"}, args...)
	cfg.Job = f.job
	if err := cfg.Validate(); err != nil {
		return cfg, configError(err)
	}
	return cfg, nil
}

// explicitZero is the usage error for field given as 0 on the command
// line, which the library would read as its default; other values are
// the library's to check (Config.Validate).
func explicitZero(field string, v float64) error {
	if v != 0 {
		return nil
	}
	return configError(writebench.CheckExplicit(field, v))
}

// apply sets what flag name (given on the command line) says in cfg; the
// axis flags become cfg's files, sizes or knobs.
func (f *runFlags) apply(cfg *writebench.Config, name string) error {
	var bad error
	switch name {
	case "strategies":
		cfg.Strategies = f.strategies
	case "repeat":
		bad = explicitZero("repeat", float64(f.repeat))
		cfg.Repeat = f.repeat
	case "warmup":
		if f.warmup < 0 {
			bad = usagef("run: --warmup: %d is negative", f.warmup)
		}
		cfg.Warmup = f.warmup
		if f.warmup == 0 {
			cfg.Warmup = -1 // Config: negative means none
		}
	case "budget":
		cfg.Budget = f.budget
	case "min-rounds":
		bad = explicitZero("min_rounds", float64(f.minRounds))
		cfg.MinRounds = f.minRounds
	case "precision":
		bad = explicitZero("precision", f.precision)
		cfg.Precision = f.precision
	case "tie":
		bad = explicitZero("tie", f.tie)
		cfg.Tie = f.tie
	case "vs":
		if _, err := resultset.ParseVs(f.vs); err != nil {
			bad = usagef("run: --vs: %v", err)
		}
		cfg.Vs = f.vs
	case "min-sample":
		cfg.MinSample = f.minSample
		if f.minSample <= 0 {
			cfg.MinSample = -1 // Config: negative means off
		}
	}
	f.applyAxis(cfg, name)
	return bad
}

// applyAxis sets the axis whose flag is name, if any, from its parsed values.
func (f *runFlags) applyAxis(cfg *writebench.Config, name string) {
	for _, af := range f.axes {
		if af.axis.Flag != name {
			continue
		}
		switch af.axis.Name {
		case "files":
			cfg.Files = nil
			for _, n := range af.nums {
				cfg.Files = append(cfg.Files, int(n))
			}
		case "size":
			cfg.Sizes = af.nums
		default:
			if cfg.Knobs == nil {
				cfg.Knobs = map[string][]string{}
			}
			cfg.Knobs[af.axis.Name] = af.vals
		}
	}
}

func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) (err error) {
	f := newRunFlags()
	perr := parseFlags("run", f.fs, args, stdout)
	if errors.Is(perr, errHelpShown) {
		return perr
	}
	if perr == nil && f.fs.NArg() > 0 {
		perr = usagef("run: unexpected argument %q (run takes flags only)", f.fs.Arg(0))
	}
	// Under mpirun or srun: join the ranks (the mpi build) or refuse (the
	// default build), before anything is checked or written.
	job, jerr := writebench.StartJob()
	if jerr != nil {
		return cmp.Or(perr, usagef("run: %v", jerr))
	}
	if job.Size() == 1 && perr != nil {
		return perr
	}
	defer func() { err = endJob(ctx, job, err, stderr) }()
	f.job = job
	if job.Size() > 1 {
		// Every rank validates its own command line, then all agree on
		// the whole configuration before any work (agreeRanks).
		if err := agreeRanks(ctx, f, args, job, perr); err != nil {
			return err
		}
	}
	if job.Rank() != 0 {
		// Only rank 0 reports and saves; the others print errors only.
		return runRank(ctx, f, args, job, stderr)
	}
	cfg, err := f.config(args)
	if err != nil {
		return err
	}
	if f.dryRun {
		return dryRun(ctx, stdout, cfg)
	}
	out := f.out
	if out == "" && f.fs.Changed("out") {
		return usagef("run: --out: empty path (leave --out out to save to results/<UTC timestamp>.json)")
	}
	if out == "" {
		out = filepath.Join("results", time.Now().UTC().Format("20060102T150405Z")+".json")
	}
	dest, err := checkOut(out, !f.fs.Changed("out"))
	if err != nil {
		return err
	}
	cfg.Log = stderr
	cfg.Progress = newProgress(f.progress, stderr)
	// Say up front what will run, for about how long, and where the set
	// goes, so results/ never appears unannounced.
	announce(stderr, cfg, out)

	set, runErr := writebench.Run(ctx, cfg)
	if set == nil {
		var ce *writebench.ConfigError
		if errors.As(runErr, &ce) {
			return configError(runErr)
		}
		return runErr
	}
	// Save first: a failure to render must not lose measurements.
	saved, saveErr := saveOrFallback(out, dest, set, stderr)
	out = saved
	// The sync line leads human formats; machine formats (csv, json,
	// benchfmt) stay parseable on stdout and get it on stderr.
	noteTo := stdout
	if fm, _ := report.LookupFormat(f.format); !fm.Human {
		noteTo = stderr
	}
	if f.format == "table" && !f.details && saved != "(nowhere: not saved)" {
		// The answer on one screen; the full tables are a command away
		// (when nothing could be saved, they are all that is kept: below).
		if err := report.WriteAnswer(stdout, set, report.AnswerOptions{Path: out}); err != nil {
			fmt.Fprintf(stderr, "writebench: render summary: %v\n", err)
		}
	} else {
		fmt.Fprintln(noteTo, syncNote(set))
		if err := report.Render(stdout, []*resultset.Set{set}, reportLabels([]string{out}), f.format); err != nil {
			fmt.Fprintf(stderr, "writebench: render summary: %v\n", err)
		}
	}
	failed := reportEnd(stderr, set, out)
	if runErr != nil {
		if ie := interruption(ctx); ie != nil {
			return ie
		}
		return runErr
	}
	if saveErr != nil {
		return &failedError{msg: saveErr.Error()}
	}
	if failed > 0 {
		return &failedError{msg: fmt.Sprintf("%d of %d cells failed", failed, len(set.Results))}
	}
	return nil
}

// reportEnd names every failed cell of set on stderr and closes with the
// run's line (cells, status, time, where the set was saved: out); it
// returns the number of failed cells.
func reportEnd(stderr io.Writer, set *resultset.Set, out string) int {
	failed := 0
	for i := range set.Results {
		if set.Results[i].Failed() {
			failed++
			fmt.Fprintf(stderr, "writebench: cell %s failed: %s\n", resultset.Printable(set.Results[i].Key()), resultset.Printable(set.Results[i].Error))
		}
	}
	status := "complete"
	if failed > 0 {
		status = fmt.Sprintf("complete, %d failed", failed)
	}
	if !set.Complete {
		status = "INCOMPLETE (interrupted; partial samples kept)"
	}
	fmt.Fprintf(stderr, "writebench: %s, %s; sweep took %s; result set saved to %s\n",
		textfmt.Plural(len(set.Results), "cell"), status, formatElapsed(set.Env.TotalSeconds), resultset.Printable(out))
	return failed
}

// announce says up front what will run, for about how long, and where the
// set goes (out), with the cost model's warnings.
func announce(stderr io.Writer, cfg writebench.Config, out string) {
	if p, err := writebench.DryRun(cfg); err == nil {
		fmt.Fprintf(stderr, "writebench: %s, estimated %s (--dry-run explains); result set will be saved to %s\n",
			textfmt.Plural(len(p.Cells), "cell"), formatElapsed(p.Estimate.Seconds()), resultset.Printable(out))
		switch {
		case p.TooFewRounds:
			fmt.Fprintf(stderr, "writebench: warning: --repeat %d is fewer than the %d rounds a verdict needs: no workload can be decided\n", p.Repeat, p.VerdictRounds)
		case p.SuggestedBudget > 0:
			fmt.Fprintf(stderr, "writebench: warning: by the cost model, --budget %s cannot give every cell the %d rounds a verdict needs (--budget %s would; --dry-run measures this machine)\n",
				formatElapsed(p.Budget.Seconds()), p.VerdictRounds, p.SuggestedBudget)
		}
	}

}

// saveOrFallback saves set to out (dest is what checkOut found there), or,
// when that fails, to a file under the temporary directory; it returns
// where the set went and, when not to out, why.
func saveOrFallback(out string, dest *resultset.Output, set *resultset.Set, stderr io.Writer) (saved string, saveErr error) {
	saved, err := saveSet(out, dest, set)
	if err == nil && saved != out {
		// Another run saved to --out while this one ran: both are kept.
		fmt.Fprintf(stderr, "writebench: note: another process saved %s while this run measured; it was kept, and this set was saved as %s\n",
			resultset.Printable(out), resultset.Printable(saved))
	}
	if err != nil {
		// --out was checked before measuring, but its disk may have filled
		// or its directory gone since: keep the measurements elsewhere.
		fallback, ferr := saveFallback(set)
		if ferr != nil {
			// Nothing saved: the summary below is all that is left of the
			// measurements, so it is printed all the same.
			fmt.Fprintf(stderr, "writebench: cannot save the result set: %v; also failed to save it under %s: %v; the summary below is all that is kept\n",
				err, resultset.Printable(os.TempDir()), ferr)
			saveErr = fmt.Errorf("result set NOT saved (to %s nor under %s)", resultset.Printable(out), resultset.Printable(os.TempDir()))
			saved = "(nowhere: not saved)"
		} else {
			fmt.Fprintf(stderr, "writebench: cannot save the result set: %v; saved it to %s instead\n", err, fallback)
			saveErr = fmt.Errorf("result set not saved to %s (saved to %s instead)", resultset.Printable(out), fallback)
			saved = fallback
		}
	}
	return saved, saveErr
}

// saveSet saves set to out: an explicit --out (dest, checked before the
// sweep) replaces the regular file that was there then, and only that (see
// resultset.Output.Write: a file another run saved there meanwhile is
// kept, and this set takes a name with a numeric suffix); the default name
// is never replaced: another name with a numeric suffix is taken when it
// exists, so two runs started in the same second both keep their sets. It
// returns the path written.
func saveSet(out string, dest *resultset.Output, set *resultset.Set) (string, error) {
	if dest == nil {
		return resultset.SaveNew(out, set)
	}
	data, err := resultset.Encode(set)
	if err != nil {
		return "", err
	}
	return dest.Write(data)
}

// saveFallback saves set to a new file in os.TempDir() when --out could not
// be written after the sweep, and returns its path.
func saveFallback(set *resultset.Set) (string, error) {
	name := fmt.Sprintf("unsaved-writebench-set-%s-%d.json", time.Now().UTC().Format("20060102T150405Z"), os.Getpid())
	return resultset.SaveNew(filepath.Join(os.TempDir(), name), set)
}

// checkOut makes sure the result set can be written to path before any
// measuring starts: an explicit --out must be a regular file (or a symlink
// to one) or a new name in an existing directory this user can write (see
// resultset.PrepareOutput, whose Output it returns, remembering what was
// there); the default results/ directory is created if missing (nil
// Output: saved under a new name).
func checkOut(path string, isDefault bool) (*resultset.Output, error) {
	if !isDefault {
		o, err := resultset.PrepareOutput(path)
		if err != nil {
			return nil, usagef("run: --out: %v", err)
		}
		return o, nil
	}
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil || !st.IsDir() {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, usagef("run: --out: cannot create %s: %v", dir, errors.Unwrap(err))
		}
	}
	if err := resultset.CheckNew(path); err != nil {
		return nil, usagef("run: --out: %v", err)
	}
	return nil, nil
}

// syncNote says in one line which sync modes were measured and whether the
// sync was inside the timing.
func syncNote(set *resultset.Set) string {
	var modes []string
	for _, c := range set.Results {
		if !slices.Contains(modes, c.Sync) {
			modes = append(modes, c.Sync)
		}
	}
	desc := map[string]string{
		"none":     "none (no fsync: this times the page cache, not the disk)",
		"close":    "close (fsync before each close, inside the timing)",
		"data":     "data (fdatasync before each close, inside the timing)",
		"end":      "end (one syncfs after all files, inside the timing)",
		"dsync":    "dsync (RWF_DSYNC on every write, inside the timing)",
		"uncached": "uncached (RWF_DONTCACHE on every write: page cache bypassed after writeback, no sync)",
	}
	var parts []string
	for _, m := range modes {
		parts = append(parts, desc[m])
	}
	verify := "every file read back and verified"
	if !set.Env.Verify {
		verify = "verification OFF (--no-verify)"
	}
	return fmt.Sprintf("sync: %s; %s; page cache %s", strings.Join(parts, "; "), verify, set.Env.PageCache)
}

// checkDirArg checks that --dir is an existing directory before anything
// reads its free space, with the library's own check and message.
func checkDirArg(dir string) error {
	if err := (writebench.Config{Dir: dir, Strategies: []string{"chunked"}, Files: []int{1}, Sizes: []int64{1}}).Validate(); err != nil {
		return configError(err)
	}
	return nil
}

// splitDirs reads --dir: a directory that exists as given (its name may
// hold a comma) is one directory; anything else is split at commas.
func splitDirs(v string) []string {
	if fi, err := os.Stat(v); err == nil && fi.IsDir() || !strings.Contains(v, ",") {
		return []string{v}
	}
	return strings.Split(v, ",")
}
