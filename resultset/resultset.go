// Package resultset is writebench's on-disk result schema: the Set, Env and
// Cell types, Load, Decode, Save and Validate, cell keys and the byte-unit
// formatting keys use. It has no rendering dependencies, so the runner (and
// any Go program that calls writebench.Run) links it without gonum/plot or
// tablewriter; the renderers in package report read what it loads.
//
// A result set holds raw samples only, in base units (seconds, bytes,
// counts), one array entry per counted repetition. Medians, throughput and
// confidence intervals are computed when rendering, never stored, so a set
// saved today can be re-rendered with better statistics later.
package resultset

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"github.com/writebench/writebench/internal/safefs"
	"io"
	"math"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"
)

// SchemaVersion is the version of the result-set layout written by Save.
// Load accepts sets with this version or older compatible ones and rejects
// newer ones.
const SchemaVersion = 1

// Tool is the value of Set.Tool in every result set writebench writes.
const Tool = "writebench"

// Set is one saved result set: the environment it was measured in and one
// Cell per point of the sweep.
type Set struct {
	Schema   int    `json:"schema"`
	Tool     string `json:"tool"`
	Env      Env    `json:"env"`
	Complete bool   `json:"complete"` // false when the run was interrupted
	// Interrupted names the signal that stopped the run early, if any.
	Interrupted string `json:"interrupted,omitempty"`
	Results     []Cell `json:"results"`
}

// InMemory reports whether the set's directory was on a file system that
// keeps its files in memory (tmpfs, ramfs): its figures measure memory, not
// a disk.
func (e Env) InMemory() bool { return e.FSType == "tmpfs" || e.FSType == "ramfs" }

// Env describes where and how a set was measured.
type Env struct {
	WritebenchVersion string    `json:"writebench_version"`
	GoVersion         string    `json:"go_version"`
	GOOS              string    `json:"goos"`
	GOARCH            string    `json:"goarch"`
	Kernel            string    `json:"kernel"`
	CPU               string    `json:"cpu"`
	Cores             int       `json:"cores"`                // CPUs this process could run on (its affinity mask)
	HostCores         int       `json:"host_cores,omitempty"` // the host's online CPUs, when more than Cores (an MPI rank bound to a core); 0: equal to Cores
	GOMAXPROCS        int       `json:"gomaxprocs"`
	Hostname          string    `json:"hostname,omitempty"`
	Dir               string    `json:"dir"`                // the --dir the scratch directories were made under
	FSType            string    `json:"fs_type"`            // e.g. "ext4", "tmpfs"
	Device            string    `json:"device"`             // mount source, e.g. /dev/vda
	MountOptions      string    `json:"mount_options"`      // e.g. "rw,relatime"
	FreeBytes         uint64    `json:"free_bytes"`         // free space of Dir at start, bytes
	PageCache         string    `json:"page_cache"`         // "kept" or "dropped between repetitions"
	DropCaches        bool      `json:"drop_caches"`        // true when the page cache was dropped before every repetition
	Verify            bool      `json:"verify"`             // true when every file was read back and checked
	Warmup            int       `json:"warmup"`             // uncounted repetitions per cell
	Repeat            int       `json:"repeat"`             // counted repetitions per cell
	Seed              uint64    `json:"seed"`               // seed of the interleaving shuffle
	Command           []string  `json:"command"`            // full command line
	Start             time.Time `json:"start"`              // UTC
	TotalSeconds      float64   `json:"total_seconds"`      // wall time of the whole sweep
	PeakRSS           uint64    `json:"peak_rss,omitempty"` // peak resident set size of the sweep's process, bytes (0: unknown)
	SyncTimed         bool      `json:"sync_timed"`         // always true: sync calls are inside the timed region
	Preset            string    `json:"preset,omitempty"`

	// PageReporting describes a virtual machine's free page reporting
	// (sysinfo.PageReporting): "" where none was found. ReportedBytes is
	// the free memory the machine returned to its host during the sweep,
	// where the kernel counts it. A repetition that writes into returned
	// memory waits for the host to fault it in again.
	PageReporting string `json:"page_reporting,omitempty"`
	ReportedBytes uint64 `json:"reported_bytes,omitempty"`

	// Ranks is the number of processes of an MPI run (mpirun, srun) that
	// all ran the sweep; 0 or 1 means a single process. Hosts names the
	// host of every rank, indexed by rank. SharedDir is true when all ranks
	// wrote under one shared scratch directory instead of one each.
	Ranks     int      `json:"ranks,omitempty"`
	Hosts     []string `json:"hosts,omitempty"`
	SharedDir bool     `json:"shared_dir,omitempty"`

	// Adaptive sampling (see writebench.Config.Budget); zero in sets of a
	// fixed number of repetitions and in sets written before it existed.
	BudgetSeconds float64 `json:"budget_seconds,omitempty"` // the --budget, seconds
	BudgetSpent   bool    `json:"budget_spent,omitempty"`   // the sweep stopped because the budget ran out
	MinRounds     int     `json:"min_rounds,omitempty"`     // counted rounds every cell got before groups could stop
	Precision     float64 `json:"precision,omitempty"`      // interval half-width that counted as decided
	Tie           float64 `json:"tie,omitempty"`            // tie margin used to decide
	// Looks is how many times the runner looked at the data to decide
	// whether to go on (the final verdict included); Confidence is the
	// two-sided confidence of every interval at every look (each decision
	// is one-sided, so the 5% are split over the looks as 2.5% each, 0.95
	// with the two looks the runner makes), which verdicts rendered from
	// this set use too, so stopping early does not inflate false
	// decisions. 0 means 0.95.
	Looks      int     `json:"looks,omitempty"`
	Confidence float64 `json:"confidence,omitempty"`
	// MinSampleSeconds is the shortest timed sample (--min-sample); cells
	// whose batch was shorter ran it Loops times per repetition.
	MinSampleSeconds float64 `json:"min_sample_seconds,omitempty"`

	// Dirs, in a run of several directories (--dir A,B), describes each:
	// its path as cells name it, filesystem, device, mount options and
	// free space at the start. Empty in a run of one directory.
	Dirs []DirEnv `json:"dirs,omitempty"`
	// Vs lists the axes whose values tell the contenders of a comparison
	// apart (axis names of Axes and "strategy"; see DefaultVs and run's
	// --vs); every other axis is part of the workload, and cells that
	// differ in one are in different comparison groups. Empty in sets
	// written before it existed, which are read with DefaultVs.
	Vs []string `json:"vs,omitempty"`
	// Drift is, per comparison group, how much the rounds changed over the
	// sweep (see Drift); empty in sets written before it was recorded.
	Drift []Drift `json:"drift,omitempty"`

	// Dirty holds the kernel's dirty page-cache thresholds at the start
	// (Linux; nil elsewhere and in sets written before they were recorded).
	Dirty *DirtyLimits `json:"dirty,omitempty"`
	// TimelineIntervalSeconds is the timeline sampler's interval
	// (--timeline-interval) when timelines were recorded, else 0.
	TimelineIntervalSeconds float64 `json:"timeline_interval_seconds,omitempty"`
	// WriteLatency is true when the latency of every write-family call
	// was recorded (--write-latency).
	WriteLatency bool `json:"write_latency,omitempty"`
}

// DirEnv describes one directory of a run of several.
type DirEnv struct {
	Dir          string `json:"dir"`           // absolute path, as Cell.Dir names it
	FSType       string `json:"fs_type"`       // e.g. "ext4", "tmpfs"
	Device       string `json:"device"`        // mount source
	MountOptions string `json:"mount_options"` // e.g. "rw,relatime"
	FreeBytes    uint64 `json:"free_bytes"`    // free space at start, bytes
}

// VsDir reports whether the set compared directories as contenders
// (Env.Vs holds "dir").
func (s *Set) VsDir() bool { return slices.Contains(VsOf(s), "dir") }

// Drift is how much one comparison group's rounds changed over a sweep:
// the median seconds of the last rounds over the median seconds of the
// first rounds, for the contender that ran the most rounds. Paired
// verdicts cancel such a change; the absolute numbers (throughput, files
// per second) do not.
type Drift struct {
	Group  string  `json:"group"`  // the group's workload, e.g. "files=16/size=4KiB/sync=none/record=256B"
	Cell   string  `json:"cell"`   // key of the contender measured
	Rounds int     `json:"rounds"` // its counted rounds
	Window int     `json:"window"` // rounds at each end compared
	Ratio  float64 `json:"ratio"`  // median seconds of the last Window rounds / of the first Window rounds
}

// VsOf returns the contender axes of s: Env.Vs, or DefaultVs for a set
// written before roles were recorded.
func VsOf(s *Set) []string {
	if len(s.Env.Vs) > 0 {
		return s.Env.Vs
	}
	return DefaultVs()
}

// ParseVs checks a list of contender axes (axis names or flags of Axes, or
// "strategy") and returns them as axis names in table order, without
// repeats. Files and size cannot be contenders: they are the batch itself.
func ParseVs(list []string) ([]string, error) {
	want := map[string]bool{}
	for _, n := range list {
		n = strings.TrimSpace(n)
		if n == StrategyAxis {
			want[n] = true
			continue
		}
		var found *Axis
		for _, a := range axisTable {
			if a.Name == n || a.Flag == n {
				found = a
			}
		}
		if found == nil {
			known := []string{StrategyAxis}
			for _, a := range axisTable {
				if a.Name != "files" && a.Name != "size" {
					known = append(known, a.Name)
				}
			}
			return nil, fmt.Errorf("unknown axis %q (known: %s)", n, strings.Join(known, ", "))
		}
		if found.Name == "files" || found.Name == "size" {
			return nil, fmt.Errorf("%q cannot be a contender axis: cells of other files or sizes do other work", n)
		}
		want[found.Name] = true
	}
	if len(want) == 0 {
		return nil, fmt.Errorf("no axis given")
	}
	var out []string
	if want[StrategyAxis] {
		out = append(out, StrategyAxis)
	}
	for _, a := range axisTable {
		if want[a.Name] {
			out = append(out, a.Name)
		}
	}
	return out, nil
}

// Cell is one point of the sweep: a strategy with one value for every
// parameter, and its raw samples, one entry per counted repetition.
//
// Parameters that do not apply to a strategy are zero (and omitted from the
// JSON).
type Cell struct {
	Strategy    string `json:"strategy"`
	Files       int    `json:"files"`
	FileSize    int64  `json:"file_size"`             // bytes per file
	Record      int    `json:"record,omitempty"`      // bytes per application record (unbuffered, bufio)
	Buffer      int    `json:"buffer,omitempty"`      // bufio.Writer size, bytes
	Chunk       int    `json:"chunk,omitempty"`       // bytes per write (chunked, mmap copy)
	Concurrency int    `json:"concurrency,omitempty"` // workers / in-flight files (pool, semaphore)
	PerFile     string `json:"per_file,omitempty"`    // how pool and semaphore write each file
	Batch       int    `json:"batch,omitempty"`       // records per writev(2) (writev)
	QueueDepth  int    `json:"queue_depth,omitempty"` // io_uring submissions in flight (uring)
	Prealloc    string `json:"prealloc,omitempty"`    // none, fallocate or truncate (strategies that create files)
	Sync        string `json:"sync"`                  // none, data, close, end, dsync or uncached
	// Dir, in a run of several directories (--dir A,B), is the directory
	// (absolute) the cell wrote under; Env.Dirs describes its filesystem.
	// Empty in a run of one directory (Env.Dir).
	Dir string `json:"dir,omitempty"`
	// Loops is how many times each counted repetition ran the batch back to
	// back (into fresh directories) to reach the minimum sample duration;
	// 0 or 1 means once. Seconds and the counters are per batch (divided
	// by Loops).
	Loops int `json:"loops,omitempty"`
	// Settled is set on a cell the runner stopped sampling at its interim
	// look (adaptive sampling): its interval against every contender of
	// its group that went on already showed it no faster than that one by
	// more than the tie margin, so its rounds could not change the group's
	// verdict. A settled cell is never its group's fastest.
	Settled bool `json:"settled,omitempty"`
	// Ranks is the number of MPI ranks that each wrote the cell's files ×
	// file_size in every repetition; 0 or 1 means a single process. With
	// several ranks, Seconds is the aggregate time (from the barrier that
	// starts a repetition to the last rank's end), the counters are summed
	// over ranks, and RankSeconds keeps every rank's own time.
	Ranks int `json:"ranks,omitempty"`

	// Rounds is the round of the sweep each counted sample was taken in
	// (0 = first counted round). Samples of cells of one comparison group
	// with the same round ran back to back and are paired by it. Sets
	// written before it existed omit it: sample k is then round k.
	Rounds        []int     `json:"rounds,omitempty"`
	Seconds       []float64 `json:"seconds"`               // wall time of the timed region
	WriteSyscalls []int64   `json:"write_syscalls"`        // /proc/self/io syscw delta (-1 when unavailable)
	StorageBytes  []int64   `json:"storage_bytes"`         // /proc/self/io write_bytes delta (-1 when unavailable)
	SyncSeconds   []float64 `json:"sync_seconds"`          // time spent in fsync/fdatasync/syncfs, summed over workers
	UserSeconds   []float64 `json:"user_seconds"`          // getrusage user CPU delta
	SysSeconds    []float64 `json:"sys_seconds"`           // getrusage system CPU delta
	Allocs        []uint64  `json:"allocs"`                // heap allocations (objects) in the timed region
	AllocBytes    []uint64  `json:"alloc_bytes"`           // heap bytes allocated in the timed region
	LatencyP50    []float64 `json:"latency_p50,omitempty"` // per-file write latency percentiles, seconds
	LatencyP99    []float64 `json:"latency_p99,omitempty"`
	LatencyMax    []float64 `json:"latency_max,omitempty"`
	// RankSeconds, in a run of several ranks, is every rank's own time of
	// the timed region per counted repetition: RankSeconds[k][r] is rank r's
	// time in sample k (Seconds[k] is their maximum).
	RankSeconds [][]float64 `json:"rank_seconds,omitempty"`

	// Records and CorruptRecords, for strategies whose writers share files:
	// records expected and records found damaged (torn, lost, duplicated or
	// mismatched index entries) per counted repetition. A cell with any
	// corrupt record is unsafe: a result, not a failure.
	Records        []int64 `json:"records,omitempty"`
	CorruptRecords []int64 `json:"corrupt_records,omitempty"`
	// RingSubmissions and RingEnters, for io_uring strategies: SQEs submitted
	// and io_uring_enter(2) calls per counted repetition (/proc/self/io
	// does not count them).
	RingSubmissions []int64 `json:"ring_submissions,omitempty"`
	RingEnters      []int64 `json:"ring_enters,omitempty"`

	// Timelines, with --timeline, holds one Timeline per counted
	// repetition (empty for strategies whose writes happen in another
	// program, which the sampler cannot see).
	Timelines []Timeline `json:"timelines,omitempty"`
	// WriteLatency, with --write-latency, holds the latency distribution of
	// the write-family calls of every counted repetition (empty for
	// strategies whose writes the runner cannot time: external programs;
	// mmap stores are no calls and leave their histograms empty).
	WriteLatency []WriteLatency `json:"write_latency,omitempty"`

	Verified bool   `json:"verified"` // every file of every counted repetition read back and matched
	Error    string `json:"error"`    // empty when the cell succeeded
	// Skipped is why the cell could not run on this machine (O_DIRECT on
	// tmpfs, io_uring disabled, python3 missing); a skipped cell has no
	// samples and is not a failure.
	Skipped string `json:"skipped,omitempty"`
}

// Bytes is the logical number of bytes one repetition of c writes: files ×
// file size, times the number of ranks in a run of several.
func (c *Cell) Bytes() int64 { return int64(c.RankCount()) * int64(c.Files) * c.FileSize }

// RankCount is the number of ranks that wrote the cell (at least 1).
func (c *Cell) RankCount() int { return max(c.Ranks, 1) }

// Round returns the round of sample k (see Rounds).
func (c *Cell) Round(k int) int {
	if k < len(c.Rounds) {
		return c.Rounds[k]
	}
	return k
}

// PairedRatios returns, for every round in which both cells have a sample,
// the speed of c relative to ref: ref's seconds over c's seconds (below 1
// means c is slower). Cells of one comparison group did the same work in
// each round, back to back, so the ratio cancels the drift of the machine.
func PairedRatios(ref, c *Cell) []float64 {
	at := make(map[int]float64, len(ref.Seconds))
	for k, s := range ref.Seconds {
		at[ref.Round(k)] = s
	}
	var out []float64
	for k, s := range c.Seconds {
		if r, ok := at[c.Round(k)]; ok && s > 0 && r > 0 {
			out = append(out, r/s)
		}
	}
	return out
}

// Unsafe reports whether any counted repetition of c found corrupt records.
func (c *Cell) Unsafe() bool {
	for _, n := range c.CorruptRecords {
		if n > 0 {
			return true
		}
	}
	return false
}

// Failed reports whether the cell recorded an error.
func (c *Cell) Failed() bool { return c.Error != "" }

// Key identifies a cell by strategy and every parameter, so cells of two sets
// can be matched. It is stable across versions.
func (c *Cell) Key() string {
	var b strings.Builder
	b.WriteString("strategy=" + c.Strategy)
	b.WriteString("/files=" + strconv.Itoa(c.Files))
	b.WriteString("/size=" + FormatBytes(c.FileSize))
	for _, p := range c.Params() {
		b.WriteString("/" + p.Name + "=" + p.Value)
	}
	return b.String()
}

// Param is one named parameter of a cell, formatted for display.
type Param struct{ Name, Value string }

// Params lists the parameters that apply to c beyond strategy, files and
// size, in the order of Axes, values as keys write them.
func (c *Cell) Params() []Param {
	var ps []Param
	for _, a := range axisTable {
		if a.Name == "files" || a.Name == "size" || !a.Applies(c) {
			continue
		}
		if v := a.Format(c); a.Omit == "" || v != a.Omit {
			ps = append(ps, Param{a.Name, v})
		}
	}
	return ps
}

// FormatBytes formats n in IEC units when it is an exact multiple of one
// (4KiB, 1MiB, 2GiB), else as plain bytes ("4097B").
func FormatBytes(n int64) string {
	units := []string{"EiB", "PiB", "TiB", "GiB", "MiB", "KiB"}
	for i, u := range units {
		m := int64(1) << (10 * uint(len(units)-i))
		if n != 0 && n%m == 0 {
			return strconv.FormatInt(n/m, 10) + u
		}
	}
	return strconv.FormatInt(n, 10) + "B"
}

// Save writes s as indented JSON to path atomically (see WriteFileAtomic):
// a crash never leaves a truncated file, an existing regular file is
// replaced only by a complete one, and anything else at path (a device, a
// FIFO, a directory) is refused.
func Save(path string, s *Set) error {
	data, err := encode(s)
	if err != nil {
		return err
	}
	return WriteFileAtomic(path, data)
}

// Encode returns s as the indented JSON Save writes.
func Encode(s *Set) ([]byte, error) { return encode(s) }

func encode(s *Set) ([]byte, error) {
	data, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return nil, fmt.Errorf("encode result set: %w", err)
	}
	return append(data, '\n'), nil
}

// Load reads and checks a result set. It rejects, with an error naming the
// file, anything it cannot trust: a missing or empty file, truncated or
// malformed JSON, a file written by another tool, a newer schema, and cells
// whose sample arrays disagree in length or hold impossible values.
func Load(path string) (*Set, error) {
	data, err := readSetFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Printable(path), err)
	}
	s, err := decode(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", Printable(path), err)
	}
	return s, nil
}

// readSetFile reads path, refusing directories and devices and anything
// longer than MaxSetBytes. A pipe (a shell's <(...)) is read as a file.
func readSetFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, errors.Unwrap(err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if m := st.Mode(); !m.IsRegular() && m&os.ModeNamedPipe == 0 {
		return nil, fmt.Errorf("is %s, not a result set file", safefs.KindOf(m))
	}
	tooBig := fmt.Errorf("larger than %s, not a writebench result set", FormatIEC(MaxSetBytes))
	if st.Mode().IsRegular() && st.Size() > MaxSetBytes {
		return nil, tooBig
	}
	// Read into one buffer of the file's size (io.ReadAll would grow it by
	// doubling, and keep up to twice the file in memory).
	buf := bytes.NewBuffer(make([]byte, 0, min(st.Size(), MaxSetBytes)+512))
	if _, err := buf.ReadFrom(io.LimitReader(f, MaxSetBytes+1)); err != nil {
		return nil, err
	}
	data := buf.Bytes()
	if len(data) > MaxSetBytes {
		return nil, tooBig
	}
	return data, nil
}

// Decode reads and checks a result set from r; see Load.
func Decode(r io.Reader) (*Set, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxSetBytes+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxSetBytes {
		return nil, fmt.Errorf("larger than %s, not a writebench result set", FormatIEC(MaxSetBytes))
	}
	return decode(data)
}

func decode(data []byte) (*Set, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, errors.New("empty file, not a writebench result set")
	}
	// Look at the header first so a newer schema is named as such even when
	// its fields changed shape.
	var head struct {
		Schema *int   `json:"schema"`
		Tool   string `json:"tool"`
	}
	if err := json.Unmarshal(data, &head); err != nil {
		return nil, fmt.Errorf("not a writebench result set: %s", jsonError(data, err))
	}
	if head.Tool != Tool || head.Schema == nil {
		return nil, errors.New("not a writebench result set (no \"tool\": \"writebench\" and \"schema\")")
	}
	if *head.Schema > SchemaVersion {
		return nil, fmt.Errorf("result set has schema %d, newer than this writebench understands (%d): upgrade writebench", *head.Schema, SchemaVersion)
	}
	if *head.Schema < 1 {
		return nil, fmt.Errorf("result set has invalid schema %d", *head.Schema)
	}
	// Before decoding: refuse a file whose decoded set would take far
	// more memory than its size warrants (a million empty results).
	if err := checkShape(data); err != nil {
		return nil, err
	}
	var s Set
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&s); err != nil {
		return nil, fmt.Errorf("malformed result set: %s", jsonError(data, err))
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

func jsonError(data []byte, err error) string {
	var se *json.SyntaxError
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.As(err, &se) && se.Offset >= int64(len(data)) {
		return fmt.Sprintf("truncated JSON (%d bytes; was the file cut short?)", len(data))
	}
	if se != nil {
		return fmt.Sprintf("%v at byte %d", err, se.Offset)
	}
	var te *json.UnmarshalTypeError
	if errors.As(err, &te) {
		// Name the JSON, not the Go type it was to be decoded into.
		if te.Field == "" {
			return fmt.Sprintf("the file holds a JSON %s, not an object", te.Value)
		}
		return fmt.Sprintf("field %q holds a JSON %s, expected %s (at byte %d)", te.Field, te.Value, jsonKind(te.Type.Kind()), te.Offset)
	}
	return err.Error()
}

// jsonKind names the JSON value a Go kind is decoded from.
func jsonKind(k reflect.Kind) string {
	switch k {
	case reflect.Bool:
		return "a boolean"
	case reflect.String:
		return "a string"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Struct, reflect.Map:
		return "an object"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return "an integer"
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "a non-negative integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	}
	return "another type"
}

// Bounds of a time sample (seconds, and the other sample arrays in
// seconds) Validate accepts. The runner times a repetition with a
// nanosecond clock and records it divided by the cell's loops (at most
// writebench.MaxLoops, 1000), so none of its seconds samples is below
// MinSeconds; a repetition writes at least one file, so none is 0. No real
// sample comes near MaxSeconds (about 32 years). Within them, every figure
// derived from the samples (throughput, ratios, intervals) stays finite.
const (
	MinSeconds = 1e-12
	MaxSeconds = 1e9
)

// validateAxes checks c's knob values against the axis table: numbers are
// not negative, names are among the axis's names (an empty knob is not
// recorded), and the sync mode is known.
func (c *Cell) validateAxes(where string) error {
	for _, a := range axisTable {
		if n, _ := a.Get(c); a.Knob && a.Kind != KindName && n < 0 {
			return fmt.Errorf("%s: negative %s %d", where, a.Name, n)
		}
	}
	if c.Loops < 0 {
		return fmt.Errorf("%s: negative loops %d", where, c.Loops)
	}
	for _, a := range axisTable {
		if _, s := a.Get(c); a.Knob && a.Kind == KindName && a.Names != nil && s != "" && !slices.Contains(a.Names, s) {
			return fmt.Errorf("%s: unknown %s %s", where, a.Name, strconv.Quote(s))
		}
	}
	if !slices.Contains(AxisByName("sync").Names, c.Sync) {
		return fmt.Errorf("%s: unknown sync mode %q", where, c.Sync)
	}
	return nil
}

// Validate checks the invariants a renderer relies on.
func (s *Set) Validate() error {
	if len(s.Env.Vs) > 0 {
		if _, err := ParseVs(s.Env.Vs); err != nil {
			return fmt.Errorf("env.vs: %w", err)
		}
	}
	for i, d := range s.Env.Drift {
		if !(d.Ratio > 0) || math.IsInf(d.Ratio, 0) || d.Rounds < 0 || d.Window < 0 {
			return fmt.Errorf("env.drift[%d]: invalid ratio %v or counts", i, d.Ratio)
		}
	}
	keys := make(map[string]int, len(s.Results))
	for i := range s.Results {
		c := &s.Results[i]
		where := fmt.Sprintf("result %d (%s)", i, Printable(c.Strategy))
		if err := c.validateShape(i, where); err != nil {
			return err
		}
		if err := c.validateSamples(where); err != nil {
			return err
		}
		// Cells are matched and grouped by key (compare, ab, verdicts):
		// two cells with one key would be compared with themselves.
		key := c.Key()
		if j, ok := keys[key]; ok {
			return fmt.Errorf("%s: duplicate cell: same strategy and parameters as result %d (%s)", where, j, key)
		}
		keys[key] = i
	}
	if s.Env.Ranks < 0 {
		return fmt.Errorf("env: negative ranks %d", s.Env.Ranks)
	}
	if len(s.Env.Hosts) > 0 && len(s.Env.Hosts) != max(s.Env.Ranks, 1) {
		return fmt.Errorf("env: hosts names %d ranks, ranks is %d", len(s.Env.Hosts), s.Env.Ranks)
	}
	return nil
}

// validateShape checks the cell's identity and parameters: a valid strategy
// name, files and size, the knob values (result i, described as where).
func (c *Cell) validateShape(i int, where string) error {
	if c.Strategy == "" {
		return fmt.Errorf("result %d: no strategy", i)
	}
	if !ValidName(c.Strategy) {
		return fmt.Errorf("result %d: invalid strategy name %s (1 to 64 letters, digits, '.', '_', '+', '-')", i, strconv.Quote(c.Strategy))
	}
	if c.PerFile != "" && !ValidName(c.PerFile) {
		return fmt.Errorf("%s: invalid per_file %s", where, strconv.Quote(c.PerFile))
	}
	if strings.ContainsFunc(c.Dir, func(r rune) bool { return r < 0x20 || r == 0x7f }) {
		return fmt.Errorf("%s: dir %s holds control characters", where, strconv.Quote(c.Dir))
	}
	if c.Files < 0 || c.FileSize < 0 {
		return fmt.Errorf("%s: negative files or file_size", where)
	}
	if c.Files == 0 {
		// The runner's files axis starts at 1 for every cell, skipped
		// and failed ones included: 0 files has no throughput.
		return fmt.Errorf("%s: files is 0: a cell writes at least 1 file", where)
	}
	if c.Files > 0 && c.FileSize > math.MaxInt64/int64(c.Files) {
		return fmt.Errorf("%s: files × file_size (%d × %d) overflows a 64-bit byte count", where, c.Files, c.FileSize)
	}
	if err := c.validateAxes(where); err != nil {
		return err
	}
	return nil
}

// validateSamples checks the cell's sample arrays: one sample per counted
// repetition in each, times in range, rounds in order, every rank's time.
func (c *Cell) validateSamples(where string) error {
	n := len(c.Seconds)
	// In table order, so the same file always gets the same message.
	for _, a := range sampleTable[1:] {
		if l := a.Len(c); l != n && !(a.Optional && l == 0) {
			return fmt.Errorf("%s: %s has %d samples, seconds has %d", where, a.Name, l, n)
		}
	}
	for _, a := range []struct {
		name string
		l    int
	}{{"rounds", len(c.Rounds)}, {"rank_seconds", len(c.RankSeconds)}} {
		if a.l != n && a.l != 0 {
			return fmt.Errorf("%s: %s has %d samples, seconds has %d", where, a.name, a.l, n)
		}
	}
	for _, a := range sampleTable {
		if a.Unit != "s" {
			continue
		}
		lo := 0.0
		if a.Name == "seconds" {
			lo = MinSeconds
		}
		for k := range a.Len(c) {
			// Written so that NaN fails too.
			if v := a.At(c, k); !(v >= lo && v <= MaxSeconds) {
				return fmt.Errorf("%s: invalid %s sample %v (sample %d): want a time from %g to %g s", where, a.Name, v, k, lo, float64(MaxSeconds))
			}
		}
	}
	for k, r := range c.Rounds {
		if r < 0 {
			return fmt.Errorf("%s: invalid rounds entry %d (sample %d): rounds are counted from 0", where, r, k)
		}
		if k > 0 && r <= c.Rounds[k-1] {
			return fmt.Errorf("%s: invalid rounds entry %d (sample %d): not after the previous sample's round %d (a cell has one sample per round, in order)", where, r, k, c.Rounds[k-1])
		}
	}
	if c.Ranks < 0 {
		return fmt.Errorf("%s: negative ranks %d", where, c.Ranks)
	}
	for k := range c.Timelines {
		if err := c.Timelines[k].validate(); err != nil {
			return fmt.Errorf("%s: timelines sample %d: %w", where, k, err)
		}
	}
	for k := range c.WriteLatency {
		if err := c.WriteLatency[k].validate(); err != nil {
			return fmt.Errorf("%s: write_latency sample %d: %w", where, k, err)
		}
	}
	for k, rs := range c.RankSeconds {
		if len(rs) != c.RankCount() {
			return fmt.Errorf("%s: rank_seconds sample %d has %d ranks, ranks is %d", where, k, len(rs), c.RankCount())
		}
		for _, v := range rs {
			if !(v >= 0) || v > c.Seconds[k] {
				return fmt.Errorf("%s: rank_seconds sample %d: invalid time %v (aggregate %v)", where, k, v, c.Seconds[k])
			}
		}
	}
	return nil
}

// FormatIEC formats n bytes with three significant digits in IEC units, e.g.
// "1.50GiB", "512B".
func FormatIEC(n uint64) string {
	v := float64(n)
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	i := 0
	for v >= 1023.5 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return FormatSig(v) + units[i]
}

// FormatPercent formats a fraction as a percentage: 0.05 is "5%", 0.004
// "0.4%".
func FormatPercent(v float64) string {
	p := 100 * v
	if p != 0 && math.Abs(p) < 1 {
		return strconv.FormatFloat(p, 'f', 1, 64) + "%"
	}
	return strconv.FormatFloat(p, 'f', 0, 64) + "%"
}

// FormatSig formats v with about three significant digits, no exponent for
// values from 0.001 up.
func FormatSig(v float64) string {
	switch a := math.Abs(v); {
	case a == 0:
		return "0"
	case a >= 1000:
		return strconv.FormatFloat(math.Round(v), 'f', 0, 64)
	case a >= 100:
		return strconv.FormatFloat(v, 'f', 0, 64)
	case a >= 10:
		return strconv.FormatFloat(v, 'f', 1, 64)
	case a >= 1:
		return strconv.FormatFloat(v, 'f', 2, 64)
	case a >= 0.001:
		return strconv.FormatFloat(v, 'g', 3, 64)
	}
	return strconv.FormatFloat(v, 'e', 2, 64)
}
