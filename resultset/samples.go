package resultset

import (
	"reflect"
	"slices"
)

// Merge says how the ranks of a run combine one sample array.
type Merge int

// The ways to merge.
const (
	MergeMax Merge = iota // the slowest rank's (wall time, latency percentiles)
	MergeSum              // summed over ranks (counters, CPU, sync time); -1 (unavailable) on any rank stays -1
	// MergeOwn: not exchanged; every rank keeps its own values, so the
	// saved set (rank 0's) has rank 0's. For arrays of one structured
	// value per repetition (timelines, histograms).
	MergeOwn
)

// SampleArray is one raw sample array of a Cell: one value per counted
// repetition, in base units, in the Cell field whose JSON name is Name.
// sampleTable is the single table of them: Validate (lengths, time bounds)
// and the merge of several ranks' samples read it, so a new raw counter is
// one entry here plus its Cell field, the runner's code that records it and
// the metrics (metricTable) that read it.
type SampleArray struct {
	Name     string // JSON name, e.g. "write_syscalls"
	Unit     string // "s", "B" or "count"; "timeline" and "histogram" for the structured arrays
	Optional bool   // may be empty while Seconds is not (recorded by some strategies only)
	Merge    Merge
}

// sampleTable lists every raw sample array, Seconds first, in the order
// Validate checks them.
var sampleTable = []SampleArray{
	{Name: "seconds", Unit: "s", Merge: MergeMax},
	{Name: "write_syscalls", Unit: "count", Merge: MergeSum},
	{Name: "storage_bytes", Unit: "B", Merge: MergeSum},
	{Name: "sync_seconds", Unit: "s", Merge: MergeSum},
	{Name: "user_seconds", Unit: "s", Merge: MergeSum},
	{Name: "sys_seconds", Unit: "s", Merge: MergeSum},
	{Name: "allocs", Unit: "count", Merge: MergeSum},
	{Name: "alloc_bytes", Unit: "B", Merge: MergeSum},
	{Name: "latency_p50", Unit: "s", Optional: true, Merge: MergeMax},
	{Name: "latency_p99", Unit: "s", Optional: true, Merge: MergeMax},
	{Name: "latency_max", Unit: "s", Optional: true, Merge: MergeMax},
	{Name: "records", Unit: "count", Optional: true, Merge: MergeSum},
	{Name: "corrupt_records", Unit: "count", Optional: true, Merge: MergeSum},
	{Name: "ring_submissions", Unit: "count", Optional: true, Merge: MergeSum},
	{Name: "ring_enters", Unit: "count", Optional: true, Merge: MergeSum},
	// One structured value per repetition (At and Put do not apply).
	{Name: "timelines", Unit: "timeline", Optional: true, Merge: MergeOwn},
	{Name: "write_latency", Unit: "histogram", Optional: true, Merge: MergeOwn},
}

// SampleArrays returns the table of raw sample arrays (a copy), Seconds
// first.
func SampleArrays() []SampleArray { return slices.Clone(sampleTable) }

// field is the array's Cell field in c.
func (a SampleArray) field(c *Cell) reflect.Value {
	return cellField(c, a.Name)
}

// Len is the number of samples of the array in c.
func (a SampleArray) Len(c *Cell) int { return a.field(c).Len() }

// At returns sample k of the array in c as a float64.
func (a SampleArray) At(c *Cell, k int) float64 {
	v := a.field(c).Index(k)
	switch v.Kind() {
	case reflect.Float64:
		return v.Float()
	case reflect.Int64:
		return float64(v.Int())
	default:
		return float64(v.Uint())
	}
}

// Put sets sample k of the array in c to x, appending it when k is the
// array's length.
func (a SampleArray) Put(c *Cell, k int, x float64) {
	f := a.field(c)
	if k == f.Len() {
		f.Set(reflect.Append(f, reflect.Zero(f.Type().Elem())))
	}
	v := f.Index(k)
	switch v.Kind() {
	case reflect.Float64:
		v.SetFloat(x)
	case reflect.Int64:
		v.SetInt(int64(x))
	default:
		v.SetUint(uint64(x))
	}
}
