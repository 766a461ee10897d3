package main

import (
	"sort"
	"time"

	"github.com/writebench/writebench"
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
	}
}

const (
	kib = 1 << 10
	mib = 1 << 20
)

// presets are the built-in sweeps. "default" is what a plain
// `writebench run` measures. Run times in descriptions were measured on a
// 2-core VM with ext4 (Nov 2026); other machines differ 2-3x, so check
// yours with --dry-run.
var presets = map[string]Preset{
	"default": {
		Name:        "default",
		Description: "the everyday strategies (bufio, chunked, mmap, pool, semaphore, unbuffered) over 1, 16 and 64 files of 4KiB, 64KiB and 1MiB, adaptive within a 45 s budget (43.6-45.0 s in seventeen runs on a 2-core VM)",
		Strategies:  defaultStrategies,
		Files:       []int{1, 16, 64},
		Sizes:       []int64{4 * kib, 64 * kib, 1 * mib},
		Repeat:      200,
		Warmup:      1,
		Budget:      45 * time.Second,
	},
	"quick": {
		Name:        "quick",
		Description: "a first look: the default strategies, 1 and 64 files of 4KiB and 1MiB, adaptive within a 12 s budget (10.7-12.0 s on a 2-core VM)",
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
		Description: "claim 6: 8 writers appending 300-byte records to one shared file (or data+index pair) of 8MiB, unlocked vs locked, pwrite and queue; verifies every record (2.5 s on a 2-core VM)",
		Strategies:  []string{"shared-unlocked", "shared-locked", "shared-pwrite", "shared-queue", "paired-unlocked", "paired-locked"},
		Files:       []int{1},
		Sizes:       []int64{8 * mib},
		Knobs:       map[string][]string{"record": {"300"}, "buffer": {"4KiB"}, "concurrency": {"8"}},
		Repeat:      10,
		Warmup:      1,
	},
	"seeds": {
		Name:        "seeds",
		Description: "the advice's own Python writers (aiofiles unbuffered and buffered, open(buffering=8192), one batched run_in_executor) next to unbuffered, bufio and chunked: one 4MiB file in 256-byte records, claims 1 and 2 (the writers are built in; python3-aiofiles from scripts/setup-python.sh, else those cells are skipped with the reason; 30 s on a 2-core VM)",
		Strategies:  []string{"unbuffered", "bufio", "chunked", "py-aiofiles-unbuf", "py-aiofiles-buf", "py-open-buffered", "py-executor-batch"},
		Files:       []int{1},
		Sizes:       []int64{4 * mib},
		Knobs:       map[string][]string{"record": {"256"}},
		Repeat:      10,
		Warmup:      1,
		Writers:     "python",
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
// share of the 45 s budget that decides it: on a 2-core VM the cells that
// went on past the interim look got 50-111 rounds in ten plain runs.
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
