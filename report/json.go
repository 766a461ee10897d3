package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"

	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/report/summary"
	"github.com/writebench/writebench/resultset"
)

// SummarySchemaVersion is the version of the json format's layout.
const SummarySchemaVersion = 1

// JSONSummary is the document the json format writes: the derived summary
// of one or more result sets. Raw samples stay in the result sets; this
// holds medians and 95% confidence intervals per cell. See the README for
// the field list.
type JSONSummary struct {
	SummarySchema int       `json:"summary_schema"` // SummarySchemaVersion
	Tool          string    `json:"tool"`           // "writebench"
	Confidence    float64   `json:"confidence"`     // 0.95
	Sets          []JSONSet `json:"sets"`
	// Verdicts holds one entry per comparison group of every set (see
	// package report/verdict), in set order.
	Verdicts []JSONVerdict `json:"verdicts"`
}

// JSONSet is one result set's summary.
type JSONSet struct {
	Label    string        `json:"label"`
	Complete bool          `json:"complete"`
	Env      resultset.Env `json:"env"`
	Cells    []JSONCell    `json:"cells"`
	Winners  []JSONWin     `json:"winners"`
}

// JSONCell is one cell's summary. Metrics maps a metric name to its
// summary; a metric that was not measured (or does not apply) is absent.
type JSONCell struct {
	Key      string `json:"key"` // Cell.Key()
	Strategy string `json:"strategy"`
	Files    int    `json:"files"`
	FileSize int64  `json:"file_size"`
	// Knobs are the cell's knob values, one per knob axis of
	// resultset.Axes() in its order, read from the cell by axis name; a knob
	// at zero (not used by the strategy) or at its axis's Omit value is left
	// out. In the JSON each is a field of the cell ("record": 256), between
	// file_size and sync.
	Knobs    []resultset.Param `json:"-"`
	Sync     string            `json:"sync"`
	Dir      string            `json:"dir,omitempty"` // runs of several directories
	N        int               `json:"n"`
	Verified bool              `json:"verified"`
	Error    string            `json:"error,omitempty"`
	// RelativeSpeed is the median speed relative to the fastest cell with
	// the same files, size and sync mode (1 for the fastest); absent for
	// failed cells.
	RelativeSpeed float64               `json:"relative_speed,omitempty"`
	Fastest       bool                  `json:"fastest,omitempty"`
	Metrics       map[string]JSONMetric `json:"metrics,omitempty"`
}

// jsonKnobs lists c's knob values for its JSON summary.
func jsonKnobs(c *resultset.Cell) []resultset.Param {
	var out []resultset.Param
	for _, a := range resultset.Axes() {
		if !a.Knob {
			continue
		}
		n, v := a.Get(c)
		if a.Kind != resultset.KindName {
			if n == 0 {
				continue
			}
			v = strconv.FormatInt(n, 10)
		}
		if v == "" || v == a.Omit {
			continue
		}
		out = append(out, resultset.Param{Name: a.Name, Value: v})
	}
	return out
}

// MarshalJSON writes c with its knobs as fields between file_size and sync:
// numbers for sizes and counts, strings for names.
func (c JSONCell) MarshalJSON() ([]byte, error) {
	type plain JSONCell // without this method
	data, err := json.Marshal(plain(c))
	if err != nil || len(c.Knobs) == 0 {
		return data, err
	}
	var knobs []byte
	for _, k := range c.Knobs {
		knobs = append(knobs, ',')
		knobs = strconv.AppendQuote(knobs, k.Name)
		knobs = append(knobs, ':')
		if a := resultset.AxisByName(k.Name); a != nil && a.Kind != resultset.KindName {
			knobs = append(knobs, k.Value...)
		} else {
			v, err := json.Marshal(k.Value)
			if err != nil {
				return nil, err
			}
			knobs = append(knobs, v...)
		}
	}
	at := bytes.Index(data, []byte(`,"sync":`))
	if at < 0 {
		return nil, fmt.Errorf("json summary of cell %s: no sync field", c.Key)
	}
	return slices.Concat(data[:at], knobs, data[at:]), nil
}

// JSONMetric is the median of a metric and, when the cell has enough
// repetitions, the bounds of its 95% confidence interval (Lo and Hi are
// absent otherwise).
type JSONMetric struct {
	Median float64  `json:"median"`
	Lo     *float64 `json:"lo,omitempty"`
	Hi     *float64 `json:"hi,omitempty"`
}

// JSONWin is the fastest cell of one (files, size, sync) group.
type JSONWin struct {
	Files    int     `json:"files"`
	FileSize int64   `json:"file_size"`
	Sync     string  `json:"sync"`
	Key      string  `json:"key"`                 // the fastest cell
	RunnerUp string  `json:"runner_up,omitempty"` // the second fastest cell
	Margin   float64 `json:"margin,omitempty"`    // fastest / runner-up - 1
}

// metricStats maps metric names (resultset.Metrics(), the one spelling
// everywhere) to their Stat, in base units.
func metricStats(s *summary.Summary) map[string]summary.Stat { return s.Metrics }

// Summaries builds the json format's document.
func Summaries(sets []*resultset.Set, labels []string) *JSONSummary {
	sums := summary.Summarize(sets, labels)
	doc := &JSONSummary{SummarySchema: SummarySchemaVersion, Tool: resultset.Tool, Confidence: judge.DefaultConfidence, Sets: []JSONSet{}}
	for i, set := range sets {
		label := summary.Label(labels, i)
		js := JSONSet{Label: label, Complete: set.Complete, Env: set.Env, Cells: []JSONCell{}, Winners: []JSONWin{}}
		var mine []*summary.Summary
		for _, s := range sums {
			if s.Label != label {
				continue
			}
			mine = append(mine, s)
			c := s.Cell
			jc := JSONCell{
				Key: c.Key(), Strategy: c.Strategy, Files: c.Files, FileSize: c.FileSize,
				Knobs: jsonKnobs(c),
				Sync:  c.Sync, Dir: c.Dir, N: s.N, Verified: c.Verified, Error: c.Error,
				RelativeSpeed: s.Relative, Fastest: s.Fastest,
			}
			if !s.Failed() {
				jc.Metrics = map[string]JSONMetric{}
				for name, st := range metricStats(s) {
					if !st.OK() {
						continue
					}
					m := JSONMetric{Median: st.Median}
					if st.HasCI {
						lo, hi := st.Lo, st.Hi
						m.Lo, m.Hi = &lo, &hi
					}
					jc.Metrics[name] = m
				}
			}
			js.Cells = append(js.Cells, jc)
		}
		for _, w := range summary.Winners(mine) {
			jw := JSONWin{Files: w.Files, FileSize: w.FileSize, Sync: w.Sync, Key: w.Best.Cell.Key()}
			if w.RunnerUp != nil {
				jw.RunnerUp = w.RunnerUp.Cell.Key()
				if !math.IsNaN(w.Margin) {
					jw.Margin = w.Margin
				}
			}
			js.Winners = append(js.Winners, jw)
		}
		doc.Sets = append(doc.Sets, js)
	}
	doc.Verdicts = jsonVerdicts(sets, labels)
	return doc
}

// renderJSON writes the derived summary as indented JSON.
func renderJSON(w io.Writer, sets []*resultset.Set, labels []string) error {
	data, err := json.MarshalIndent(Summaries(sets, labels), "", "  ")
	if err != nil {
		return err
	}
	_, err = w.Write(append(jsonEscapeControls(data), '\n'))
	return err
}
