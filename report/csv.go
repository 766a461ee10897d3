package report

import (
	"encoding/csv"
	"io"
	"strconv"
)

// csvHeader is the header row of the csv format. Every value column is the
// median over the cell's repetitions in base units (seconds, bytes, counts);
// an empty field means unavailable.
var csvHeader = []string{
	"set", "strategy", "files", "file_size", "record", "buffer", "chunk", "concurrency", "per_file", "sync",
	"n", "seconds", "bytes_per_second", "files_per_second", "write_syscalls", "storage_bytes",
	"sync_seconds", "user_seconds", "sys_seconds", "allocs", "alloc_bytes",
	"latency_p50_seconds", "latency_p99_seconds", "latency_max_seconds", "relative_speed", "verified", "error",
}

// renderCSV writes one header row and one row per cell, medians in base
// units, for spreadsheets.
func renderCSV(w io.Writer, sets []*Set, labels []string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, s := range Summarize(sets, labels) {
		c := s.Cell
		optInt := func(v int) string {
			if v == 0 {
				return ""
			}
			return strconv.Itoa(v)
		}
		row := []string{
			escapeCSV(s.Label), escapeCSV(c.Strategy), strconv.Itoa(c.Files), strconv.FormatInt(c.FileSize, 10),
			optInt(c.Record), optInt(c.Buffer), optInt(c.Chunk), optInt(c.Concurrency), escapeCSV(c.PerFile), escapeCSV(c.Sync),
			strconv.Itoa(s.N),
		}
		for _, st := range []Stat{
			s.Seconds, s.BytesPerSec, s.FilesPerSec, s.WriteSyscalls, s.StorageBytes,
			s.SyncSeconds, s.UserSeconds, s.SysSeconds, s.Allocs, s.AllocBytes,
			s.LatencyP50, s.LatencyP99, s.LatencyMax,
		} {
			row = append(row, csvFloat(st))
		}
		rel := ""
		if s.Relative > 0 {
			rel = strconv.FormatFloat(s.Relative, 'g', 6, 64)
		}
		row = append(row, rel, strconv.FormatBool(c.Verified), escapeCSV(c.Error))
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvFloat(s Stat) string {
	if !s.OK() {
		return ""
	}
	return strconv.FormatFloat(s.Median, 'g', -1, 64)
}
