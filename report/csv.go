package report

import (
	"encoding/csv"
	"io"
	"strconv"

	"github.com/writebench/writebench/report/summary"
	"github.com/writebench/writebench/resultset"
)

// csvHeader is the header row of the csv format: the set, the strategy, one
// column per axis of resultset.Axes() (in base units: bytes and counts; file
// size is "file_size"), the number of samples, one column per metric of
// resultset.Metrics() (the median over the cell's repetitions in base units;
// an empty field means unavailable), then relative speed, verification,
// skip reason and error.
var csvHeader = func() []string {
	h := []string{"set", "strategy"}
	for _, a := range resultset.Axes() {
		h = append(h, csvAxisName(a))
	}
	h = append(h, "n")
	h = append(h, resultset.MetricNames()...)
	return append(h, "relative_speed", "verified", "skipped", "error")
}()

func csvAxisName(a *resultset.Axis) string {
	if a.Name == "size" {
		return "file_size"
	}
	return a.Name
}

// renderCSV writes one header row and one row per cell, medians in base
// units, for spreadsheets.
func renderCSV(w io.Writer, sets []*resultset.Set, labels []string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvHeader); err != nil {
		return err
	}
	for _, s := range summary.Summarize(sets, labels) {
		c := s.Cell
		row := []string{escapeCSV(s.Label), escapeCSV(c.Strategy)}
		for _, a := range resultset.Axes() {
			switch {
			case !a.Applies(c):
				row = append(row, "")
			case a.Kind == resultset.KindName:
				_, v := a.Get(c)
				row = append(row, escapeCSV(v))
			default:
				n, _ := a.Get(c)
				row = append(row, strconv.FormatInt(n, 10))
			}
		}
		row = append(row, strconv.Itoa(s.N))
		for _, m := range resultset.Metrics() {
			row = append(row, csvFloat(s.Metrics[m.Name]))
		}
		rel := ""
		if s.Relative > 0 {
			rel = strconv.FormatFloat(s.Relative, 'g', 6, 64)
		}
		row = append(row, rel, strconv.FormatBool(c.Verified), escapeCSV(c.Skipped), escapeCSV(c.Error))
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

func csvFloat(s summary.Stat) string {
	if !s.OK() {
		return ""
	}
	return strconv.FormatFloat(s.Median, 'g', -1, 64)
}
