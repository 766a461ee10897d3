package resultset

import "slices"

// Better says which direction of a metric is an improvement.
type Better int

// The directions.
const (
	LowerIsBetter Better = iota
	HigherIsBetter
)

// Metric is one measured or derived quantity of a cell, computed per
// counted repetition from the raw samples. Metrics is the single table of
// them: the JSON summary, CSV columns, compare and charts read it, so every
// metric has one spelling everywhere.
type Metric struct {
	Name   string // e.g. "bytes_per_second", "latency_p99"
	Unit   string // base unit: "s", "B/s", "files/s", "count", "B", "ratio", "s/MiB", "count/MiB"
	Better Better
	Help   string // one line
	// Bench is the metric's unit in Go benchmark format ("sec/op"), the
	// benchfmt output's columns; empty when that output leaves it out.
	Bench string
	// samples returns one value per counted repetition, or nil when the
	// metric is unavailable for the cell (not recorded, or not meaningful,
	// e.g. throughput of empty files).
	samples func(c *Cell) []float64
}

// Samples returns the metric's per-repetition values for c, or nil when it
// is unavailable. Failed cells have none.
func (m *Metric) Samples(c *Cell) []float64 {
	if c.Failed() || c.Skipped != "" || len(c.Seconds) == 0 {
		return nil
	}
	return m.samples(c)
}

// MetricByName returns the metric named name, or nil.
func MetricByName(name string) *Metric {
	for _, m := range metricTable {
		if m.Name == name {
			return m
		}
	}
	return nil
}

// MetricNames lists the metric names in table order.
func MetricNames() []string {
	out := make([]string, len(metricTable))
	for i, m := range metricTable {
		out[i] = m.Name
	}
	return out
}

const mebibyte = 1 << 20

// metricTable is the table of every metric, in the order outputs list them.
var metricTable = []*Metric{
	{Name: "seconds", Unit: "s", Better: LowerIsBetter, Bench: "sec/op", Help: "wall time of one repetition (the whole batch), sync included",
		samples: func(c *Cell) []float64 { return c.Seconds }},
	{Name: "bytes_per_second", Unit: "B/s", Better: HigherIsBetter, Bench: "B/s", Help: "logical bytes (files × size, all ranks) per second",
		samples: func(c *Cell) []float64 {
			if c.Bytes() <= 0 {
				return nil
			}
			return perTime(c, float64(c.Bytes()))
		}},
	{Name: "files_per_second", Unit: "files/s", Better: HigherIsBetter, Bench: "files/s", Help: "files written per second (all ranks)",
		samples: func(c *Cell) []float64 { return perTime(c, float64(c.Files*c.RankCount())) }},
	{Name: "write_syscalls", Unit: "count", Better: LowerIsBetter, Bench: "syscalls/op", Help: "write-family system calls (/proc/self/io syscw; io_uring_enter calls for io_uring strategies)",
		samples: func(c *Cell) []float64 { return validInts(c.WriteSyscalls) }},
	{Name: "write_syscalls_per_mib", Unit: "count/MiB", Better: LowerIsBetter, Help: "write syscalls per MiB of logical bytes",
		samples: func(c *Cell) []float64 { return perMiB(c, validInts(c.WriteSyscalls)) }},
	{Name: "ring_submissions", Unit: "count", Better: LowerIsBetter, Help: "io_uring submissions (SQEs)",
		samples: func(c *Cell) []float64 { return validInts(c.RingSubmissions) }},
	{Name: "storage_bytes", Unit: "B", Better: LowerIsBetter, Help: "bytes sent to storage (/proc/self/io write_bytes)",
		samples: func(c *Cell) []float64 { return validInts(c.StorageBytes) }},
	{Name: "storage_ratio", Unit: "ratio", Better: LowerIsBetter, Help: "storage bytes over logical bytes",
		samples: func(c *Cell) []float64 {
			v := validInts(c.StorageBytes)
			if v == nil || c.Bytes() <= 0 {
				return nil
			}
			return scale(v, 1/float64(c.Bytes()))
		}},
	{Name: "sync_seconds", Unit: "s", Better: LowerIsBetter, Help: "time in fsync/fdatasync/syncfs, summed over workers",
		samples: func(c *Cell) []float64 { return c.SyncSeconds }},
	{Name: "sync_share", Unit: "ratio", Better: LowerIsBetter, Help: "sync seconds over wall seconds (summed over workers, so it can exceed 1)",
		samples: func(c *Cell) []float64 {
			if len(c.SyncSeconds) != len(c.Seconds) {
				return nil
			}
			out := make([]float64, len(c.Seconds))
			for i, s := range c.Seconds {
				if s <= 0 {
					return nil
				}
				out[i] = c.SyncSeconds[i] / s
			}
			return out
		}},
	{Name: "cpu_seconds", Unit: "s", Better: LowerIsBetter, Help: "user + system CPU",
		samples: cpu},
	{Name: "cpu_seconds_per_mib", Unit: "s/MiB", Better: LowerIsBetter, Help: "CPU seconds per MiB of logical bytes",
		samples: func(c *Cell) []float64 { return perMiB(c, cpu(c)) }},
	{Name: "user_seconds", Unit: "s", Better: LowerIsBetter, Help: "user CPU",
		samples: func(c *Cell) []float64 { return c.UserSeconds }},
	{Name: "sys_seconds", Unit: "s", Better: LowerIsBetter, Help: "system CPU",
		samples: func(c *Cell) []float64 { return c.SysSeconds }},
	{Name: "allocs", Unit: "count", Better: LowerIsBetter, Help: "heap allocations in the timed region",
		samples: func(c *Cell) []float64 { return uints(c.Allocs) }},
	{Name: "alloc_bytes", Unit: "B", Better: LowerIsBetter, Help: "heap bytes allocated in the timed region",
		samples: func(c *Cell) []float64 { return uints(c.AllocBytes) }},
	{Name: "latency_p50", Unit: "s", Better: LowerIsBetter, Help: "median per-file latency (open to close)",
		samples: func(c *Cell) []float64 { return nilIfEmpty(c.LatencyP50) }},
	{Name: "latency_p99", Unit: "s", Better: LowerIsBetter, Help: "99th percentile per-file latency",
		samples: func(c *Cell) []float64 { return nilIfEmpty(c.LatencyP99) }},
	{Name: "latency_max", Unit: "s", Better: LowerIsBetter, Help: "slowest file's latency",
		samples: func(c *Cell) []float64 { return nilIfEmpty(c.LatencyMax) }},
	{Name: "write_latency_p50", Unit: "s", Better: LowerIsBetter, Help: "median latency of one write-family call ({write_latency})",
		samples: writeLatency(0.5)},
	{Name: "write_latency_p99", Unit: "s", Better: LowerIsBetter, Help: "99th percentile latency of one write-family call ({write_latency})",
		samples: writeLatency(0.99)},
	{Name: "write_latency_p999", Unit: "s", Better: LowerIsBetter, Help: "99.9th percentile latency of one write-family call ({write_latency})",
		samples: writeLatency(0.999)},
	{Name: "write_latency_max", Unit: "s", Better: LowerIsBetter, Help: "slowest write-family call ({write_latency})",
		samples: writeLatency(1)},
	{Name: "corrupt_records", Unit: "count", Better: LowerIsBetter, Help: "records found torn, lost, duplicated or mismatched (shared-file strategies)",
		samples: func(c *Cell) []float64 { return validInts(c.CorruptRecords) }},
}

// Metrics returns the table of every metric (a copy), in the order outputs
// list them.
func Metrics() []*Metric { return slices.Clone(metricTable) }

func perTime(c *Cell, amount float64) []float64 {
	out := make([]float64, len(c.Seconds))
	for i, s := range c.Seconds {
		if !(s > 0) {
			return nil
		}
		out[i] = amount / s
	}
	return out
}

func perMiB(c *Cell, v []float64) []float64 {
	if v == nil || c.Bytes() <= 0 {
		return nil
	}
	return scale(v, mebibyte/float64(c.Bytes()))
}

func scale(v []float64, k float64) []float64 {
	out := make([]float64, len(v))
	for i, x := range v {
		out[i] = x * k
	}
	return out
}

// validInts converts counters, nil when absent or when any is negative
// (unavailable on this system).
func validInts(xs []int64) []float64 {
	if len(xs) == 0 {
		return nil
	}
	out := make([]float64, len(xs))
	for i, x := range xs {
		if x < 0 {
			return nil
		}
		out[i] = float64(x)
	}
	return out
}

func uints(xs []uint64) []float64 {
	if len(xs) == 0 {
		return nil
	}
	out := make([]float64, len(xs))
	for i, x := range xs {
		out[i] = float64(x)
	}
	return out
}

func nilIfEmpty(v []float64) []float64 {
	if len(v) == 0 {
		return nil
	}
	return v
}

func cpu(c *Cell) []float64 {
	if len(c.UserSeconds) != len(c.SysSeconds) || len(c.UserSeconds) == 0 {
		return nil
	}
	out := make([]float64, len(c.UserSeconds))
	for i := range out {
		out[i] = c.UserSeconds[i] + c.SysSeconds[i]
	}
	return out
}

// writeLatency returns the samples function of the q quantile of each
// repetition's write latency histogram; nil when any repetition recorded
// no call.
func writeLatency(q float64) func(c *Cell) []float64 {
	return func(c *Cell) []float64 {
		if len(c.WriteLatency) == 0 {
			return nil
		}
		out := make([]float64, len(c.WriteLatency))
		for i := range c.WriteLatency {
			h := &c.WriteLatency[i]
			v, ok := h.Quantile(q)
			if q == 1 {
				v = h.Max
			}
			if !ok {
				return nil
			}
			out[i] = v
		}
		return out
	}
}
