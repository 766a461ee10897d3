package summary

import (
	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/resultset"

	"fmt"
	"math"
	"slices"
	"sort"
	"strconv"

	"github.com/writebench/writebench/stats"
)

// MiB is 2^20 bytes, the unit of the per-MiB columns.
const MiB = 1 << 20

// Stat is the summary of one metric of one cell over its repetitions: the
// median and, when there are enough samples, its 95% confidence interval
// computed by golang.org/x/perf/benchmath without assuming a distribution.
// Units are those of the metric (see Summary).
type Stat struct {
	N      int     // number of samples; 0 means the metric is unavailable
	Median float64 // sample median
	// Lo and Hi bound the confidence interval; meaningful only when HasCI.
	Lo, Hi float64
	// HasCI is false when the cell has too few samples for an interval
	// (benchmath needs at least 6 at 95%).
	HasCI bool
}

// OK reports whether the metric was measured.
func (s Stat) OK() bool { return s.N > 0 }

// RelCI is the larger half-width of the interval relative to the median
// (0.03 means ±3%), or NaN without an interval.
func (s Stat) RelCI() float64 {
	if !s.HasCI || s.Median == 0 {
		return math.NaN()
	}
	return math.Max(s.Hi-s.Median, s.Median-s.Lo) / math.Abs(s.Median)
}

// newStat summarizes values (stats.MedianCI, which copies them).
// Negative values mean "unavailable"; if any sample is negative the metric
// is unavailable.
func newStat(values []float64) Stat {
	if len(values) == 0 {
		return Stat{}
	}
	vs := make([]float64, len(values))
	for i, v := range values {
		if v < 0 || math.IsNaN(v) || math.IsInf(v, 0) {
			return Stat{}
		}
		vs[i] = v
	}
	med, lo, hi, ok := stats.MedianCI(vs, judge.DefaultConfidence)
	st := Stat{N: len(vs), Median: med, Lo: lo, Hi: hi, HasCI: ok}
	return st
}

// Summary is the derived view of one cell: medians and intervals of the
// metrics people compare. Every metric is computed per repetition first
// (e.g. bytes / seconds of that repetition), then summarized, so an interval
// is an interval of the metric itself.
type Summary struct {
	Label string // the set the cell came from (file label)
	Cell  *resultset.Cell
	N     int // counted repetitions

	Seconds        Stat // wall time of one repetition (the whole batch), seconds
	BytesPerSec    Stat // logical bytes (files × file_size) per second; N=0 when file_size is 0
	FilesPerSec    Stat // files per second
	SyscallsPerMiB Stat // write-family syscalls per MiB of logical bytes; N=0 when unavailable or file_size 0
	WriteSyscalls  Stat // write-family syscalls per repetition
	StorageBytes   Stat // bytes sent to storage per repetition; N=0 when unavailable
	StorageRatio   Stat // storage bytes / logical bytes; N=0 when unavailable or file_size 0
	SyncSeconds    Stat // time in fsync/fdatasync/syncfs per repetition, summed over workers
	SyncShare      Stat // sync seconds / wall seconds per repetition (can exceed 1 for concurrent strategies)
	CPUSeconds     Stat // user + system CPU per repetition
	CPUPerMiB      Stat // CPU seconds per MiB of logical bytes; N=0 when file_size is 0
	UserSeconds    Stat
	SysSeconds     Stat
	Allocs         Stat
	AllocBytes     Stat
	LatencyP50     Stat // per-file write latency, seconds; N=0 when not recorded
	LatencyP99     Stat
	LatencyMax     Stat

	// Metrics holds every metric of resultset.Metrics() by name (the fields
	// above are views of the common ones).
	Metrics map[string]Stat

	// Group names the row group the cell is ranked in: set, files, size and
	// sync mode. Relative is this cell's median speed relative to the
	// fastest cell of its group (1 for the fastest); 0 for failed cells.
	// For a contender of a comparison group (see pairSummaries), Group is
	// that group, Relative its paired ratio to the verdict's fastest, and
	// the metrics are anchored to that fastest cell.
	Group    string
	Relative float64
	Fastest  bool
	// Rounds is the cell's counted rounds and RefRounds those of its
	// group's reference (the fastest); fewer means it stopped early.
	Rounds, RefRounds int

	// Ratios is the cell's paired ratio in each comparison group it is a
	// contender of, in the order of the groups; empty when it is in none.
	Ratios []GroupRatio
}

// Failed reports whether the cell recorded an error.
func (s *Summary) Failed() bool { return s.Cell.Failed() }

// Speed is the ranking metric: files per second, which orders cells of one
// (files, size) group exactly as throughput does and also works for empty
// files.
func (s *Summary) Speed() float64 {
	if s.Failed() || !s.FilesPerSec.OK() {
		return 0
	}
	return s.FilesPerSec.Median
}

// Summarize computes the Summary of every cell of every set, in a stable
// order: by set (in the order given), files, file size, sync mode, then
// strategy and the remaining parameters. labels[i] names sets[i]; missing
// labels default to "set1", "set2"...
func Summarize(sets []*resultset.Set, labels []string) []*Summary {
	var out []*Summary
	for i, s := range sets {
		label := Label(labels, i)
		for j := range s.Results {
			sum := summarizeCell(label, &s.Results[j])
			if d := s.Results[j].Dir; d != "" && !s.VsDir() {
				sum.Group += "|" + d // each directory is a workload of its own
			}
			out = append(out, sum)
		}
	}
	setOrder := map[string]int{}
	for i := range sets {
		setOrder[Label(labels, i)] = i
	}
	sort.SliceStable(out, func(a, b int) bool {
		x, y := out[a], out[b]
		if setOrder[x.Label] != setOrder[y.Label] {
			return setOrder[x.Label] < setOrder[y.Label]
		}
		if x.Cell.Files != y.Cell.Files {
			return x.Cell.Files < y.Cell.Files
		}
		if x.Cell.FileSize != y.Cell.FileSize {
			return x.Cell.FileSize < y.Cell.FileSize
		}
		if x.Cell.Sync != y.Cell.Sync {
			return syncOrder(x.Cell.Sync) < syncOrder(y.Cell.Sync)
		}
		if x.Cell.Strategy != y.Cell.Strategy {
			return x.Cell.Strategy < y.Cell.Strategy
		}
		return paramLess(x.Cell, y.Cell)
	})
	rank(out)
	pairSummaries(out, sets, labels)
	return out
}

// Label is the label of set i: labels[i], or "setN" (counting from 1)
// when labels has none for it.
func Label(labels []string, i int) string {
	if i < len(labels) && labels[i] != "" {
		return labels[i]
	}
	return "set" + strconv.Itoa(i+1)
}

func syncOrder(s string) int {
	if a := resultset.AxisByName("sync"); a != nil {
		if i := slices.Index(a.Names, s); i >= 0 {
			return i
		}
	}
	return 99
}

// paramLess orders two cells of one strategy by their parameters, every
// axis of resultset.Axes() beyond files, size and sync (which order the
// groups) in its order.
func paramLess(a, b *resultset.Cell) bool {
	for _, ax := range resultset.Axes() {
		switch ax.Name {
		case "files", "size", "sync":
			continue
		}
		if c := ax.Compare(a, b); c != 0 {
			return c < 0
		}
	}
	return false
}

func summarizeCell(label string, c *resultset.Cell) *Summary {
	s := &Summary{Label: label, Cell: c, N: len(c.Seconds)}
	s.Group = fmt.Sprintf("%s|%d|%d|%s", label, c.Files, c.FileSize, c.Sync)
	if c.Failed() {
		return s
	}
	// Every metric comes from the one table, resultset.Metrics(): computed
	// per repetition from the raw samples, then summarized.
	s.Metrics = make(map[string]Stat, len(resultset.Metrics()))
	for _, m := range resultset.Metrics() {
		s.Metrics[m.Name] = newStat(m.Samples(c))
	}
	s.syncFields()
	return s
}

// syncFields sets the named Stat fields from Metrics.
func (s *Summary) syncFields() {
	st := func(name string) Stat { return s.Metrics[name] }
	s.Seconds = st("seconds")
	s.FilesPerSec = st("files_per_second")
	s.BytesPerSec = st("bytes_per_second")
	s.SyncShare = st("sync_share")
	s.WriteSyscalls = st("write_syscalls")
	s.SyscallsPerMiB = st("write_syscalls_per_mib")
	s.StorageBytes = st("storage_bytes")
	s.StorageRatio = st("storage_ratio")
	s.SyncSeconds = st("sync_seconds")
	s.UserSeconds = st("user_seconds")
	s.SysSeconds = st("sys_seconds")
	s.CPUSeconds = st("cpu_seconds")
	s.CPUPerMiB = st("cpu_seconds_per_mib")
	s.Allocs = st("allocs")
	s.AllocBytes = st("alloc_bytes")
	s.LatencyP50 = st("latency_p50")
	s.LatencyP99 = st("latency_p99")
	s.LatencyMax = st("latency_max")
}

// rank sets Relative and Fastest within each group.
func rank(sums []*Summary) {
	best := map[string]float64{}
	for _, s := range sums {
		if v := s.Speed(); v > best[s.Group] {
			best[s.Group] = v
		}
	}
	for _, s := range sums {
		if b := best[s.Group]; b > 0 && s.Speed() > 0 {
			s.Relative = s.Speed() / b
			s.Fastest = s.Speed() == b
		}
	}
}

// Winner is the fastest cell of one row group and its margin over the
// runner-up.
type Winner struct {
	Label    string
	Files    int
	FileSize int64
	Sync     string
	Best     *Summary
	// Margin is best speed / runner-up speed - 1 (0.25 means 25% faster);
	// NaN when the group has no runner-up.
	Margin     float64
	RunnerUp   *Summary
	Candidates int // cells that succeeded in the group
	// Clear is true when the winner's 95% interval of files/s lies wholly
	// above the runner-up's: the win is not an accident of noise. It is
	// false when the intervals overlap or either cell has too few samples.
	Clear bool
}

// Winners lists the fastest cell of every row group of sums, in the order of
// sums. Groups where every cell failed are left out.
func Winners(sums []*Summary) []Winner {
	var out []Winner
	idx := map[string]int{}
	for _, s := range sums {
		if s.Speed() <= 0 {
			continue
		}
		i, ok := idx[s.Group]
		if !ok {
			idx[s.Group] = len(out)
			out = append(out, Winner{Label: s.Label, Files: s.Cell.Files, FileSize: s.Cell.FileSize, Sync: s.Cell.Sync, Margin: math.NaN()})
			i = len(out) - 1
		}
		w := &out[i]
		w.Candidates++
		switch {
		case w.Best != nil && w.Best.Fastest && !s.Fastest:
			if w.RunnerUp == nil || s.Speed() > w.RunnerUp.Speed() {
				w.RunnerUp = s
			}
		case w.Best == nil || s.Fastest || s.Speed() > w.Best.Speed():
			w.RunnerUp, w.Best = w.Best, s
		case w.RunnerUp == nil || s.Speed() > w.RunnerUp.Speed():
			w.RunnerUp = s
		}
	}
	for i := range out {
		if b, r := out[i].Best, out[i].RunnerUp; r != nil {
			out[i].Margin = b.Speed()/r.Speed() - 1
			out[i].Clear = b.FilesPerSec.HasCI && r.FilesPerSec.HasCI && b.FilesPerSec.Lo > r.FilesPerSec.Hi
		}
	}
	return out
}

// KnobView is what tells apart the cells of one view (a cell table, one
// set's benchmark lines, a winner map): the parameters that vary among
// them and how to read every cell's value of them.
type KnobView struct {
	settings *resultset.Settings
	// Varying lists the parameter names (beyond strategy, files and size)
	// that take more than one value among the cells that have them, in the
	// order of resultset.Axes(); "sync" is listed when it varies.
	Varying []string
}

// NewKnobView looks at every axis of resultset.Axes(): an axis's Omit value
// counts as a value (cells with prealloc "none" and "fallocate" differ,
// though keys leave "none" out), and a cell that leaves it empty reads as
// that value when another cell of its strategy has the axis (see
// resultset.Settings), so older sets render as before.
func NewKnobView(sums []*Summary) *KnobView {
	cells := make([]*resultset.Cell, len(sums))
	for i, s := range sums {
		cells[i] = s.Cell
	}
	kv := &KnobView{settings: resultset.NewSettings(cells)}
	vals := map[string]map[string]bool{}
	for _, c := range cells {
		for _, p := range kv.settings.Of(c) {
			if vals[p.Name] == nil {
				vals[p.Name] = map[string]bool{}
			}
			vals[p.Name][p.Value] = true
		}
	}
	for _, a := range resultset.Axes() {
		if len(vals[a.Name]) > 1 {
			kv.Varying = append(kv.Varying, a.Name)
		}
	}
	return kv
}

// Value returns c's value of parameter name, or "-" when it does not apply.
// A nil KnobView reads only what c has.
func (kv *KnobView) Value(c *resultset.Cell, name string) string {
	a := resultset.AxisByName(name)
	if a == nil {
		return "-"
	}
	var st *resultset.Settings
	if kv != nil {
		st = kv.settings
	}
	if v, ok := st.Value(c, a); ok {
		return v
	}
	return "-"
}
