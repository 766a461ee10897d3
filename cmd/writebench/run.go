package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/writebench/writebench"
	"github.com/writebench/writebench/report"
	"github.com/writebench/writebench/strategies"
)

const runUsage = `Usage: writebench run [flags]

Runs every strategy over the cartesian product of --files × --sizes × the
other list flags, --warmup uncounted then --repeat counted repetitions per
cell, interleaved across cells in a shuffled order (--seed), verifies every
byte written, saves the raw samples as JSON (--out) and prints a summary.

Sizes take plain bytes or IEC units: 4096, 4KiB, 1MiB, 2GiB. Lists are
comma-separated. Flags given override the --preset.

Examples:
  writebench run                                   # all strategies, default sweep (under a minute)
  writebench run --preset quick                    # a first look in ~15 s
  writebench run --strategies bufio,unbuffered --files 1 --sizes 64MiB --record 64,256,4096
  writebench run --strategies pool,semaphore --files 10000 --sizes 4KiB --concurrency 1,2,10,100
  writebench run --sync none,close --dir /mnt/ssd --out results/ssd.json
  writebench run --preset ci --out new.json && writebench compare base.json new.json`

// runFlags holds the parsed flags of run.
type runFlags struct {
	fs                                 *pflag.FlagSet
	strategies, perFile, sync          stringList
	files, concurrency                 intList
	sizes, record, buffer, chunk       sizeList
	repeat, warmup                     int
	dir, out, preset, progress, format string
	noVerify, dropCaches, noSpace      bool
	seed                               uint64
	// External strategies (exec.go): --exec, --exec-file, --exec-timeout,
	// and any an embedding command (ab) adds before config.
	exec, execFile []string
	execTimeout    time.Duration
	custom         []strategies.Strategy
}

func newRunFlags() *runFlags {
	f := &runFlags{fs: pflag.NewFlagSet("run", pflag.ContinueOnError)}
	fs := f.fs
	fs.SortFlags = false
	fs.Var(&f.strategies, "strategies", "strategies to run, comma-separated (default all; see 'writebench list')")
	fs.Var(&f.files, "files", "file counts per cell (default from --preset: 1,16,256)")
	fs.Var(&f.sizes, "sizes", "bytes per file (default from --preset: 4KiB,64KiB,1MiB)")
	fs.Var(&f.record, "record", "bytes per application record for unbuffered and bufio (default 256)")
	fs.Var(&f.buffer, "buffer", "bufio.Writer size (default 8KiB)")
	fs.Var(&f.chunk, "chunk", "bytes per write for chunked, per copy for mmap (default 64KiB)")
	fs.Var(&f.concurrency, "concurrency", "pool workers / semaphore slots (default 10)")
	fs.Var(&f.perFile, "per-file", "how pool and semaphore write each file: unbuffered, bufio, chunked or mmap (default chunked)")
	fs.Var(&f.sync, "sync", "durability: none, close (fsync before close), data (fdatasync before close), end (one syncfs at the end) (default none)")
	fs.IntVar(&f.repeat, "repeat", 0, "counted repetitions per cell; 6 is the fewest with a 95% interval for the median, more narrow it (default 10)")
	fs.IntVar(&f.warmup, "warmup", 0, "uncounted repetitions per cell before the counted ones (default 1)")
	fs.StringVar(&f.dir, "dir", os.TempDir(), "directory under which writebench makes its scratch directory writebench-*")
	fs.StringVar(&f.out, "out", "", "result set path (default results/<UTC timestamp>.json)")
	fs.StringVar(&f.preset, "preset", "default", "sweep preset: "+strings.Join(writebench.PresetNames(), ", "))
	fs.StringVar(&f.format, "format", "table", "summary format printed at the end: "+strings.Join(report.Formats, ", "))
	fs.StringVar(&f.progress, "progress", "auto", "progress bar on stderr: auto (when a terminal), always, never")
	fs.BoolVar(&f.noVerify, "no-verify", false, "do not read every file back to check its content")
	fs.BoolVar(&f.dropCaches, "drop-caches", false, "drop the page cache before every repetition (Linux, root)")
	fs.BoolVar(&f.noSpace, "no-space-check", false, "do not check free space before each cell")
	fs.Uint64Var(&f.seed, "seed", 0, "seed of the interleaving shuffle (default: from the clock, recorded)")
	addExecFlags(f)
	return f
}

func init() {
	commands["run"] = &command{
		summary: "run a sweep of write strategies and save the raw samples",
		usage:   runUsage,
		run:     runCmd,
	}
	flagSets["run"] = func() *pflag.FlagSet { return newRunFlags().fs }
}

// config turns the flags into a runner config: the preset first, then
// every flag the user gave.
func (f *runFlags) config(args []string) (writebench.Config, error) {
	p, ok := writebench.Presets[f.preset]
	if !ok {
		msg := fmt.Sprintf("--preset: unknown preset %q (known: %s)", f.preset, strings.Join(writebench.PresetNames(), ", "))
		if c := strategies.Closest(f.preset, writebench.PresetNames()); c != "" {
			msg += fmt.Sprintf("; did you mean %q?", c)
		}
		return writebench.Config{}, usagef("run: %s", msg)
	}
	cfg := writebench.Config{
		Strategies: p.Strategies, Files: p.Files, Sizes: p.Sizes,
		Repeat: p.Repeat, Warmup: p.Warmup,
		Preset: p.Name,
	}
	set := func(name string) bool { return f.fs.Changed(name) }
	if set("strategies") {
		cfg.Strategies = f.strategies
	}
	if set("files") {
		cfg.Files = f.files
	}
	if set("sizes") {
		cfg.Sizes = f.sizes
	}
	// Sizes above MaxParam are refused here, naming the value as given
	// (toInts clamps them, which would show a made-up number).
	for _, p := range []struct {
		name string
		v    sizeList
	}{{"record", f.record}, {"buffer", f.buffer}, {"chunk", f.chunk}} {
		for _, x := range p.v {
			if set(p.name) && x > writebench.MaxParam {
				return cfg, usagef("run: --%s: %s is out of range (1 to 1GiB)", p.name, report.FormatBytes(x))
			}
		}
	}
	if set("record") {
		cfg.Records = toInts(f.record)
	}
	if set("buffer") {
		cfg.Buffers = toInts(f.buffer)
	}
	if set("chunk") {
		cfg.Chunks = toInts(f.chunk)
	}
	if set("concurrency") {
		cfg.Concurrency = f.concurrency
	}
	if set("per-file") {
		cfg.PerFile = f.perFile
	}
	if set("sync") {
		for _, s := range f.sync {
			m, err := strategies.ParseSync(s)
			if err != nil {
				return cfg, usagef("run: --sync: %v", err)
			}
			cfg.Sync = append(cfg.Sync, m)
		}
	}
	if set("repeat") {
		if f.repeat < 1 {
			return cfg, usagef("run: --repeat: %d is out of range (at least 1; 6 or more for confidence intervals)", f.repeat)
		}
		cfg.Repeat = f.repeat
	}
	if set("warmup") {
		if f.warmup < 0 {
			return cfg, usagef("run: --warmup: %d is negative", f.warmup)
		}
		cfg.Warmup = f.warmup
		if f.warmup == 0 {
			cfg.Warmup = -1 // Config: negative means none
		}
	}
	switch f.progress {
	case "auto", "always", "never":
	default:
		return cfg, usagef("run: --progress: unknown value %q (known: auto, always, never)", f.progress)
	}
	if !slices.Contains(report.Formats, f.format) {
		return cfg, usagef("run: --format: unknown format %q (known: %s)", f.format, strings.Join(report.Formats, ", "))
	}
	cfg.Dir = f.dir
	cfg.NoVerify = f.noVerify
	cfg.DropCaches = f.dropCaches
	cfg.NoSpaceCheck = f.noSpace
	cfg.Seed = f.seed
	custom, err := f.execStrategies()
	if err != nil {
		return cfg, err
	}
	cfg.Custom = custom
	cfg.Command = append([]string{"writebench", "run"}, args...)
	if err := cfg.Validate(); err != nil {
		return cfg, usagef("run: %v", err)
	}
	return cfg, nil
}

func toInts(v []int64) []int {
	out := make([]int, len(v))
	for i, x := range v {
		out[i] = int(min(x, int64(writebench.MaxParam)+1))
	}
	return out
}

func runCmd(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	f := newRunFlags()
	if err := parseFlags("run", f.fs, args, stdout); err != nil {
		return err
	}
	if f.fs.NArg() > 0 {
		return usagef("run: unexpected argument %q (run takes flags only)", f.fs.Arg(0))
	}
	cfg, err := f.config(args)
	if err != nil {
		return err
	}
	out := f.out
	if out == "" {
		out = filepath.Join("results", time.Now().UTC().Format("20060102T150405Z")+".json")
	}
	if err := checkOut(out, !f.fs.Changed("out")); err != nil {
		return err
	}
	cfg.Log = stderr
	cfg.Progress = newProgress(f.progress, stderr)

	set, runErr := writebench.Run(ctx, cfg)
	if set == nil {
		var ce *writebench.ConfigError
		if errors.As(runErr, &ce) {
			return usagef("run: %v", runErr)
		}
		return runErr
	}
	// Save first: a failure to render must not lose measurements.
	var saveErr error
	if err := report.Save(out, set); err != nil {
		// --out was checked before measuring, but its disk may have filled
		// or its directory gone since: keep the measurements elsewhere.
		fallback, ferr := saveFallback(set)
		if ferr != nil {
			return fmt.Errorf("save result set: %w; also failed to save it under %s: %v", err, os.TempDir(), ferr)
		}
		fmt.Fprintf(stderr, "writebench: cannot save the result set: %v; saved it to %s instead\n", err, fallback)
		saveErr = fmt.Errorf("result set not saved to %s (saved to %s instead)", out, fallback)
		out = fallback
	}
	// The sync line leads human formats; machine formats (csv, json,
	// benchfmt) stay parseable on stdout and get it on stderr.
	noteTo := stdout
	if f.format != "table" && f.format != "markdown" {
		noteTo = stderr
	}
	fmt.Fprintln(noteTo, syncNote(set))
	if err := report.Render(stdout, []*report.Set{set}, reportLabels([]string{out}), f.format); err != nil {
		fmt.Fprintf(stderr, "writebench: render summary: %v\n", err)
	}
	failed := 0
	for i := range set.Results {
		if set.Results[i].Failed() {
			failed++
			fmt.Fprintf(stderr, "writebench: cell %s failed: %s\n", set.Results[i].Key(), set.Results[i].Error)
		}
	}
	status := "complete"
	if !set.Complete {
		status = "INCOMPLETE (interrupted; partial samples kept)"
	}
	fmt.Fprintf(stderr, "writebench: %d cells, %s; sweep took %.1fs; result set saved to %s\n",
		len(set.Results), status, set.Env.TotalSeconds, out)
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

// saveFallback saves set to a new file in os.TempDir() when --out could not
// be written after the sweep, and returns its path.
func saveFallback(set *report.Set) (string, error) {
	f, err := os.CreateTemp("", "unsaved-writebench-set-*.json")
	if err != nil {
		return "", err
	}
	path := f.Name()
	f.Close()
	if err := report.Save(path, set); err != nil {
		os.Remove(path)
		return "", err
	}
	return path, nil
}

// checkOut makes sure the result set can be written to path before any
// measuring starts. The default results/ directory is created if missing.
func checkOut(path string, isDefault bool) error {
	dir := filepath.Dir(path)
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return usagef("run: --out: %s is a directory", path)
	}
	st, err := os.Stat(dir)
	switch {
	case err != nil && isDefault && errors.Is(err, os.ErrNotExist):
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return usagef("run: --out: cannot create %s: %v", dir, errors.Unwrap(err))
		}
	case err != nil:
		return usagef("run: --out: directory %s: %v", dir, errors.Unwrap(err))
	case !st.IsDir():
		return usagef("run: --out: %s is not a directory", dir)
	}
	probe, err := os.CreateTemp(dir, ".writebench-probe-*")
	if err != nil {
		return usagef("run: --out: cannot write in %s: %v", dir, errors.Unwrap(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// syncNote says in one line which sync modes were measured and whether the
// sync was inside the timing.
func syncNote(set *report.Set) string {
	var modes []string
	for _, c := range set.Results {
		if !slices.Contains(modes, c.Sync) {
			modes = append(modes, c.Sync)
		}
	}
	desc := map[string]string{
		"none":  "none (no fsync: this times the page cache, not the disk)",
		"close": "close (fsync before each close, inside the timing)",
		"data":  "data (fdatasync before each close, inside the timing)",
		"end":   "end (one syncfs after all files, inside the timing)",
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
