package writebench

import "sort"

// Preset is a named sweep: the strategies, file counts, sizes and
// repetitions of a Config. Flags given on the command line override it.
type Preset struct {
	Name        string
	Description string
	Strategies  []string // nil: all
	Files       []int
	Sizes       []int64
	Repeat      int
	Warmup      int
}

const (
	kib = 1 << 10
	mib = 1 << 20
)

// Presets are the built-in sweeps. "default" is what a plain
// `writebench run` measures.
var Presets = map[string]Preset{
	"default": {
		Name:        "default",
		Description: "all six strategies over 1, 16 and 256 files of 4KiB, 64KiB and 1MiB (about 25 s on 2 cores)",
		Files:       []int{1, 16, 256},
		Sizes:       []int64{4 * kib, 64 * kib, 1 * mib},
		Repeat:      10,
		Warmup:      1,
	},
	"quick": {
		Name:        "quick",
		Description: "a first look: all six strategies, 1 and 64 files of 4KiB and 1MiB (under 15 s)",
		Files:       []int{1, 64},
		Sizes:       []int64{4 * kib, 1 * mib},
		Repeat:      10,
		Warmup:      1,
	},
	"ci": {
		Name:        "ci",
		Description: "a small, stable sweep for CI regression runs: bufio, chunked, unbuffered over 1 and 16 files of 1MiB and 4MiB, 12 repetitions (about 4 s)",
		// Chosen for stability (see scripts/false-positive.md): cells of many
		// small files swing ±25% between runs with the state of ext4's inode
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

// PresetNames returns the preset names, sorted.
func PresetNames() []string {
	var n []string
	for k := range Presets {
		n = append(n, k)
	}
	sort.Strings(n)
	return n
}
