package main

import (
	"sort"
	"time"

	"github.com/writebench/writebench"
	"github.com/writebench/writebench/internal/sysinfo"
	"github.com/writebench/writebench/internal/timeline"
	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies"
)

// Preset is a named sweep: a Config without the machine-specific fields.
// Flags given on the command line override it.
type Preset struct {
	Name        string
	Description string
	Strategies  []string // nil: all registered
	Files       []int
	Sizes       []int64
	Knobs       map[string][]string
	Repeat      int           // counted repetitions; with a Budget, the most a cell gets
	Warmup      int           // negative: none
	Budget      time.Duration // 0: no adaptive sampling
	// Writers names a set of external writer programs built into the
	// writebench command that the preset needs: "python" is the advice's
	// Python writers (package scripts), run from copies in the scratch
	// directory. The command line adds them unless --exec-file is given.
	Writers string
	// MinSample is Config.MinSample (0: its default; negative: off).
	MinSample time.Duration
	// Timeline turns on --timeline.
	Timeline bool
	// Sustained sizes the preset's one stream from the kernel's dirty
	// limit instead of Sizes (see sustainedSize); --sizes overrides it.
	Sustained bool
	// Keep, when non-nil, leaves out of the sweep the cells it returns
	// false for (e.g. every sync mode but one strategy's).
	Keep func(c *resultset.Cell) bool
}

// Config returns the preset as a Config.
func (p Preset) Config() writebench.Config {
	knobs := map[string][]string{}
	for k, v := range p.Knobs {
		knobs[k] = append([]string(nil), v...)
	}
	return writebench.Config{
		Strategies: p.Strategies, Files: p.Files, Sizes: p.Sizes, Knobs: knobs,
		Repeat: p.Repeat, Warmup: p.Warmup, Budget: p.Budget, Preset: p.Name,
		MinSample: p.MinSample, Timeline: p.Timeline, Keep: p.Keep,
	}
}

const (
	kib = 1 << 10
	mib = 1 << 20
)

// presets are the built-in sweeps. "default" is what a plain
// `writebench run` measures. How long a preset takes depends on the
// machine: --dry-run estimates it (docs/figures.md has measured runs).
var presets = map[string]Preset{
	"default": {
		Name:        "default",
		Description: "the everyday strategies (bufio, chunked, mmap, pool, semaphore, unbuffered) over 1, 16 and 64 files of 4KiB, 64KiB and 1MiB, adaptive within a 45 s budget",
		Strategies:  defaultStrategies,
		Files:       []int{1, 16, 64},
		Sizes:       []int64{4 * kib, 64 * kib, 1 * mib},
		Repeat:      200,
		Warmup:      1,
		Budget:      45 * time.Second,
	},
	"quick": {
		Name:        "quick",
		Description: "a first look: the default strategies, 1 and 64 files of 4KiB and 1MiB, adaptive within a 12 s budget",
		Strategies:  defaultStrategies,
		Files:       []int{1, 64},
		Sizes:       []int64{4 * kib, 1 * mib},
		Repeat:      200,
		Warmup:      1,
		Budget:      12 * time.Second,
	},
	"all": {
		Name:        "all",
		Description: "every registered strategy (async offload, unbounded fan-out, O_DIRECT, io_uring and the shared-file writers included) over 16 files of 64KiB and 1MiB, adaptive within a 90 s budget",
		Files:       []int{16},
		Sizes:       []int64{64 * kib, 1 * mib},
		Repeat:      30,
		Warmup:      1,
		Budget:      90 * time.Second,
	},
	"claim6": {
		Name:        "claim6",
		Description: "claim 6: 8 writers appending 300-byte records to one shared file (or data+index pair) of 8MiB, unlocked vs locked, pwrite and queue; verifies every record",
		Strategies:  []string{"shared-unlocked", "shared-locked", "shared-pwrite", "shared-queue", "paired-unlocked", "paired-locked"},
		Files:       []int{1},
		Sizes:       []int64{8 * mib},
		Knobs:       map[string][]string{"record": {"300"}, "buffer": {"4KiB"}, "concurrency": {"8"}},
		Repeat:      10,
		Warmup:      1,
	},
	"seeds": {
		Name:        "seeds",
		Description: "the advice's own Python writers (aiofiles unbuffered and buffered, open(buffering=8192), one batched run_in_executor) next to unbuffered, bufio and chunked: one 4MiB file in 256-byte records, claims 1 and 2 (the writers are built in; python3-aiofiles from scripts/setup-python.sh, else those cells are skipped with the reason)",
		Strategies:  []string{"unbuffered", "bufio", "chunked", "py-aiofiles-unbuf", "py-aiofiles-buf", "py-open-buffered", "py-executor-batch"},
		Files:       []int{1},
		Sizes:       []int64{4 * mib},
		Knobs:       map[string][]string{"record": {"256"}},
		Repeat:      10,
		Warmup:      1,
		Writers:     "python",
	},
	"sustained": {
		Name:        "sustained",
		Description: "one stream of about 2× the kernel's dirty limit (capped by free space; --sizes overrides) written by chunked, bufio, direct and chunked with --sync end, timelines on, 3 repetitions: where the page cache stops helping and which strategy holds up after (docs/claims.md, claim 8). Tens of GB: minutes per repetition",
		Strategies:  []string{"chunked", "bufio", "direct"},
		Files:       []int{1},
		Knobs:       map[string][]string{"sync": {"none", "end"}},
		Repeat:      3,
		Warmup:      -1,
		MinSample:   -1, // every repetition lasts seconds: no calibration repetition
		Timeline:    true,
		Sustained:   true,
		Keep: func(c *resultset.Cell) bool {
			return c.Sync == string(strategies.SyncNone) || c.Strategy == "chunked"
		},
	},
	"ci": {
		Name:        "ci",
		Description: "a small, stable sweep for CI: bufio, chunked, unbuffered over 1 and 16 files of 1MiB and 4MiB (12 cells), 12 counted repetitions after 2 warm-ups each (fixed rounds, no budget; 255 MiB written per round)",
		// Chosen for stability (see docs/ci.md): cells of many small
		// files swing ±25% between runs with the state of ext4's inode
		// allocator, cells under 1 ms with scheduling, and pool's small-file
		// cells with Go's thread hand-offs. 1-4 MiB files keep every cell
		// dominated by the copy into the page cache.
		Strategies: []string{"bufio", "chunked", "unbuffered"},
		Files:      []int{1, 16},
		Sizes:      []int64{1 * mib, 4 * mib},
		Repeat:     12,
		Warmup:     2,
	},
}

// defaultStrategies are the strategies of the default and quick presets:
// the everyday ways of writing files. The others (writev, offload,
// unbounded, direct, uring, the shared-file writers) answer narrower
// questions and have presets or flags of their own. Each strategy added
// here adds nine cells to every round of the default sweep and takes a
// share of the 45 s budget that decides it, so fewer rounds for every
// contender (docs/figures.md has the rounds plain runs got).
var defaultStrategies = []string{"bufio", "chunked", "mmap", "pool", "semaphore", "unbuffered"}

// presetNames returns the preset names, sorted.
func presetNames() []string {
	var n []string
	for k := range presets {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}

// sustainedSize returns the size of the sustained preset's stream under
// dir: twice the kernel's dirty limit (so about half of the stream is
// written after the page cache stopped absorbing it), rounded to 512 MiB,
// capped at 80% of dir's free space. It refuses, with a usage error naming
// --sizes or --dir, a system without the dirty settings and a filesystem whose free
// space cannot hold more than 1.25× the limit: such a stream would never
// pass it.
func sustainedSize(dir string) (int64, error) {
	lim := timeline.DirtyLimits()
	if lim == nil || lim.LimitBytes <= 0 {
		return 0, usagef("run: --sizes: the sustained preset sizes its stream from the kernel's dirty limit (/proc/sys/vm/dirty_*), which this system does not have: give --sizes")
	}
	// Rounded to 512 MiB, so runs a little apart (the free memory the
	// limit follows moves) usually write the same size.
	const step = 512 * mib
	target := max((2*lim.LimitBytes+step/2)/step*step, step)
	free, _, err := sysinfo.FreeSpace(dir)
	if err != nil {
		return target, nil // cannot tell: the space check before the cell decides
	}
	room := int64(free / 10 * 8)
	if room < lim.LimitBytes+lim.LimitBytes/4 {
		return 0, usagef("run: --dir: the sustained preset writes one stream of about 2× the dirty limit (2 × %s = %s), but %s has %s free, not even 1.25× the limit: use a --dir with more room or give a smaller --sizes",
			resultset.FormatIEC(uint64(lim.LimitBytes)), resultset.FormatIEC(uint64(target)), resultset.Printable(dir), resultset.FormatIEC(free))
	}
	return min(target, room/mib*mib), nil
}
