package report

import (
	"encoding/json"
	"io"
	"math"

	"github.com/writebench/writebench/judge"
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
	Key         string `json:"key"` // Cell.Key()
	Strategy    string `json:"strategy"`
	Files       int    `json:"files"`
	FileSize    int64  `json:"file_size"`
	Record      int    `json:"record,omitempty"`
	Buffer      int    `json:"buffer,omitempty"`
	Chunk       int    `json:"chunk,omitempty"`
	Concurrency int    `json:"concurrency,omitempty"`
	PerFile     string `json:"per_file,omitempty"`
	Batch       int    `json:"batch,omitempty"`
	QueueDepth  int    `json:"queue_depth,omitempty"`
	Prealloc    string `json:"prealloc,omitempty"` // omitted when "none", as in Key
	Sync        string `json:"sync"`
	Dir         string `json:"dir,omitempty"` // runs of several directories
	N           int    `json:"n"`
	Verified    bool   `json:"verified"`
	Error       string `json:"error,omitempty"`
	// RelativeSpeed is the median speed relative to the fastest cell with
	// the same files, size and sync mode (1 for the fastest); absent for
	// failed cells.
	RelativeSpeed float64               `json:"relative_speed,omitempty"`
	Fastest       bool                  `json:"fastest,omitempty"`
	Metrics       map[string]JSONMetric `json:"metrics,omitempty"`
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

// omitDefault is v, or "" when v is the Omit value of the axis named axis:
// the value keys leave out, which every set measured before the axis
// existed, so summaries of those sets read as before.
func omitDefault(axis, v string) string {
	if a := resultset.AxisByName(axis); a != nil && a.Omit != "" && v == a.Omit {
		return ""
	}
	return v
}

// metricStats maps metric names (resultset.Metrics(), the one spelling
// everywhere) to their Stat, in base units.
func metricStats(s *Summary) map[string]Stat { return s.Metrics }

// Summaries builds the json format's document.
func Summaries(sets []*resultset.Set, labels []string) *JSONSummary {
	sums := Summarize(sets, labels)
	doc := &JSONSummary{SummarySchema: SummarySchemaVersion, Tool: resultset.Tool, Confidence: judge.DefaultConfidence, Sets: []JSONSet{}}
	for i, set := range sets {
		label := setLabel(labels, i)
		js := JSONSet{Label: label, Complete: set.Complete, Env: set.Env, Cells: []JSONCell{}, Winners: []JSONWin{}}
		var mine []*Summary
		for _, s := range sums {
			if s.Label != label {
				continue
			}
			mine = append(mine, s)
			c := s.Cell
			jc := JSONCell{
				Key: c.Key(), Strategy: c.Strategy, Files: c.Files, FileSize: c.FileSize,
				Record: c.Record, Buffer: c.Buffer, Chunk: c.Chunk, Concurrency: c.Concurrency, PerFile: c.PerFile,
				Batch: c.Batch, QueueDepth: c.QueueDepth, Prealloc: omitDefault("prealloc", c.Prealloc),
				Sync: c.Sync, Dir: c.Dir, N: s.N, Verified: c.Verified, Error: c.Error,
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
		for _, w := range Winners(mine) {
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
