package writebench

import (
	"bufio"
	"os"
	"slices"
	"strconv"
	"strings"

	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies"
)

// MemoryEstimator is implemented by a strategy that knows its peak memory
// better than EstimateMemory's reading of its knobs (an external program,
// a ring of its own buffers). PeakMemory returns the bytes it holds at
// once while writing a batch of files × size with p, beyond the runner's
// own.
type MemoryEstimator interface {
	PeakMemory(files int, size int64, p strategies.Params) uint64
}

// Memory-estimate constants, checked against measured peak RSS (see
// TestMemoryEstimateHonest and docs/safety.md).
const (
	// memBase is the resident size of writebench before any cell: the Go
	// runtime, the pages of the binary it touches, the content pattern and
	// the result set (measured 14 to 33 MiB for a 4 KiB cell on a loaded
	// machine).
	memBase = 48 << 20
	// memGCFactor: buffers are allocated afresh for every repetition, and
	// with GOGC=100 the heap may grow to twice the live heap before the
	// collector frees the previous repetition's.
	memGCFactor = 2
	// mmapWindowBytes is how much of a file the mmap writer maps at once;
	// the pages it touches count in the process's resident size.
	mmapWindowBytes = 64 << 20
	// verifyChunkBytes: the verifier reads a file this much at a time into
	// a buffer and compares it with a content buffer of the same size.
	verifyChunkBytes = 1 << 20
	contentBlock     = 4096
)

// EstimateMemory returns the peak memory, in bytes, of one repetition of a
// cell: strategy s writing files files of size bytes each with p (defaults
// applied), plus verification unless noVerify. It counts what the
// strategies allocate per worker (a content buffer of max(chunk, record)
// bytes capped at the file size, a bufio buffer, an mmap window), the
// number of workers (concurrency, at most one per file), the verifier's
// two buffers, the runner's per-file latency arrays, the garbage collector's
// headroom, and a fixed base. A strategy implementing MemoryEstimator
// supplies its own part.
func EstimateMemory(s strategies.Strategy, files int, size int64, p strategies.Params, noVerify bool) uint64 {
	knobs := strategies.Knobs(s, p.PerFile)
	has := func(k string) bool { return slices.Contains(knobs, k) }
	var heap, mapped uint64
	if me, ok := s.(MemoryEstimator); ok {
		heap = me.PeakMemory(files, size, p)
	} else {
		workers := uint64(1)
		if has("concurrency") && p.Concurrency > 1 {
			workers = uint64(min(p.Concurrency, max(files, 1)))
		}
		piece := int64(max(p.Chunk, p.Record))
		if has("batch") && p.Batch > 1 {
			piece = max(piece, int64(p.Batch)*int64(p.Record))
		}
		piece = min(piece, max(size, 1))
		per := contentBuffer(piece)
		if has("queue_depth") && p.QueueDepth > 1 {
			per *= uint64(p.QueueDepth)
		}
		if has("buffer") || p.PerFile == "bufio" || s.Name() == "bufio" {
			per += uint64(p.Buffer)
		}
		heap = workers * per
		if s.Name() == "mmap" || p.PerFile == "mmap" {
			mapped = workers * uint64(min(size, mmapWindowBytes))
		}
	}
	if !noVerify {
		v := min(size, verifyChunkBytes)
		heap += uint64(max(v, 1)) + contentBuffer(v) + uint64(files)/8
	}
	heap += 16 * uint64(files) // latency and sync-time arrays
	return memBase + memGCFactor*heap + mapped
}

// contentBuffer is the size of a strategies.Buffer serving n bytes: whole
// 4 KiB blocks plus one, and a 16-byte tag per block.
func contentBuffer(n int64) uint64 {
	blocks := uint64((max(n, 1)+contentBlock-1)/contentBlock + 1)
	return blocks*contentBlock + blocks*16
}

// MemoryLimit returns the memory writebench may use, in bytes, and where
// the figure comes from: the smaller of MemAvailable in /proc/meminfo and
// the limit of the process's memory cgroup (v2 memory.max or v1
// memory.limit_in_bytes) minus its usage. ok is false when neither can be
// read (then no memory check is made).
func MemoryLimit() (limit uint64, source string, ok bool) {
	if v, found := meminfo("MemAvailable"); found {
		limit, source, ok = v, "MemAvailable in /proc/meminfo", true
	}
	if v, found := cgroupRoom(); found && (!ok || v < limit) {
		limit, source, ok = v, "the memory cgroup's limit minus its usage", true
	}
	return limit, source, ok
}

// meminfo returns a /proc/meminfo field in bytes.
func meminfo(field string) (uint64, bool) { return procField("/proc/meminfo", field) }

// PeakRSS returns this process's peak resident set size in bytes (VmHWM
// in /proc/self/status; ok false where there is none). Unlike
// getrusage's ru_maxrss it counts this program only: a process started by
// a large parent inherits the parent's size in ru_maxrss (Linux records the
// pre-exec address space, shared with the parent under vfork).
func PeakRSS() (uint64, bool) { return procField("/proc/self/status", "VmHWM") }

// procField returns a "Key: N [kB]" field of a /proc file, in bytes.
func procField(path, field string) (uint64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || k != field {
			continue
		}
		fs := strings.Fields(v)
		if len(fs) == 0 {
			return 0, false
		}
		n, err := strconv.ParseUint(fs[0], 10, 64)
		if err != nil {
			return 0, false
		}
		if len(fs) > 1 && fs[1] == "kB" {
			n *= 1024
		}
		return n, true
	}
	return 0, false
}

// cgroupRoom returns the memory cgroup's limit minus its current usage,
// when the process is in a limited memory cgroup.
func cgroupRoom() (uint64, bool) {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		var limit, usage string
		switch {
		case parts[0] == "0" && parts[1] == "":
			limit = "/sys/fs/cgroup" + parts[2] + "/memory.max"
			usage = "/sys/fs/cgroup" + parts[2] + "/memory.current"
		case slices.Contains(strings.Split(parts[1], ","), "memory"):
			limit = "/sys/fs/cgroup/memory" + parts[2] + "/memory.limit_in_bytes"
			usage = "/sys/fs/cgroup/memory" + parts[2] + "/memory.usage_in_bytes"
		default:
			continue
		}
		l, ok1 := readUint(limit)
		u, ok2 := readUint(usage)
		if ok1 && ok2 && l < 1<<60 && l > u {
			return l - u, true
		}
	}
	return 0, false
}

func readUint(path string) (uint64, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64)
	return n, err == nil
}

// checkMemory refuses a sweep any of whose cells would need more memory
// than the machine has (MemoryLimit), naming the cell and both figures.
// It runs before anything is written; nothing is checked when the limit
// cannot be read.
func checkMemory(cells []cell, noVerify bool) error {
	limit, source, ok := MemoryLimit()
	if !ok {
		return nil
	}
	return checkMemoryLimit(cells, noVerify, limit, source)
}

func checkMemoryLimit(cells []cell, noVerify bool, limit uint64, source string) error {
	var worst *cell
	var need uint64
	for i := range cells {
		c := &cells[i]
		if n := EstimateMemory(c.strategy, c.res.Files, c.res.FileSize, c.params, noVerify); n > need {
			need, worst = n, c
		}
	}
	if worst == nil || need <= limit {
		return nil
	}
	field := "sizes"
	switch {
	case worst.params.Concurrency > 1 && worst.res.Files > 1 && slices.Contains(strategies.Knobs(worst.strategy, worst.params.PerFile), "concurrency"):
		field = "concurrency"
	case int64(worst.params.Chunk) >= worst.res.FileSize || worst.params.Chunk >= worst.params.Record:
		field = "chunk"
	}
	return cfgErr(field, "cell %s would need about %s of memory at its peak, but only %s is available (%s): use smaller --chunk/--record/--sizes or a lower --concurrency",
		resultset.Printable(worst.res.Key()), resultset.FormatIEC(need), resultset.FormatIEC(limit), source)
}
