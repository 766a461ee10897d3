package report

// The answer first: paired verdicts per comparison group (package
// report/verdict decides them; this file words and tabulates them).

import (
	"encoding/csv"
	"fmt"
	"io"
	"math"
	"strconv"
	"strings"

	"github.com/writebench/writebench/internal/textfmt"
	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/resultset"
)

// setVerdicts is the verdicts of one set with its label.
type setVerdicts struct {
	label string
	set   *resultset.Set
	vs    []judge.Verdict
}

func allVerdicts(sets []*resultset.Set, labels []string) []setVerdicts {
	out := make([]setVerdicts, len(sets))
	for i, s := range sets {
		out[i] = setVerdicts{setLabel(labels, i), s, judge.Verdicts(s, judge.OptionsFor(s))}
	}
	return out
}

// workload splits a verdict's fixed parameters into the workload (files,
// size, sync) and the rest ("name=value").
func workload(v *judge.Verdict) (files, size, sync string, rest []string) {
	for _, p := range v.Group {
		switch p.Name {
		case "files":
			files = p.Value
		case "size":
			size = p.Value
		case "sync":
			sync = p.Value
		default:
			rest = append(rest, p.Name+"="+p.Value)
		}
	}
	return files, size, sync, rest
}

// groupName is "256 × 4KiB, sync none" plus any other fixed parameter.
func groupName(v *judge.Verdict) string {
	files, size, sync, rest := workload(v)
	s := files + " × " + size + ", sync " + sync
	if len(rest) > 0 {
		s += ", " + strings.Join(rest, ", ")
	}
	return s
}

// factor formats a speed factor: "1.31", "12.4".
func factor(f float64) string {
	switch {
	case f >= 99.5:
		return strconv.FormatFloat(f, 'f', 0, 64)
	case f >= 9.995:
		return strconv.FormatFloat(f, 'f', 1, 64)
	}
	return strconv.FormatFloat(f, 'f', 2, 64)
}

// ratioText is a speed relative to the fastest: "0.78×"; below 0.095,
// where two decimals would round towards "0.00×", the slowdown: "12×
// slower".
func ratioText(r float64) string {
	if r < 0.095 && r > 0 {
		return factor(1/r) + "× slower"
	}
	return factor(r) + "×"
}

// intervalText is the interval of a ratio r as ratioText writes r:
// "[0.71, 0.80]", or for a slowdown "[11, 14]× slower".
func intervalText(r, lo, hi float64) string {
	if r < 0.095 && r > 0 && lo > 0 {
		return "[" + factor(1/hi) + ", " + factor(1/lo) + "]× slower"
	}
	return "[" + factor(lo) + ", " + factor(hi) + "]"
}

// notCompared lists the skipped, failed and unsafe contenders.
func notCompared(v *judge.Verdict) string {
	var parts []string
	for _, c := range v.Contenders {
		switch c.Verdict {
		case judge.Skipped:
			parts = append(parts, c.Label+" skipped ("+oneLine(c.Note, 60)+")")
		case judge.Failed:
			parts = append(parts, c.Label+" failed")
		case judge.Unsafe:
			parts = append(parts, c.Label+" unsafe (corrupted records)")
		}
	}
	if len(parts) == 0 {
		return ""
	}
	return "; not compared: " + strings.Join(parts, ", ")
}

func contendersWith(v *judge.Verdict, verdicts ...string) []*judge.Contender {
	var out []*judge.Contender
	for i := range v.Contenders {
		for _, want := range verdicts {
			if v.Contenders[i].Verdict == want {
				out = append(out, &v.Contenders[i])
			}
		}
	}
	return out
}

// moreRoundsText says what would decide an undecided group, with the
// --repeat that would give that many rounds in all, or, when the set's
// budget ended the sweep (budgetSpent), that a larger --budget would.
func moreRoundsText(v *judge.Verdict, budgetSpent bool) string {
	if v.MoreRounds <= 0 {
		return ""
	}
	repeat := 0
	for _, c := range v.Contenders {
		repeat = max(repeat, c.Pairs)
	}
	s := "about " + textfmt.Plural(v.MoreRounds, "more round") + " would decide it"
	for _, c := range v.Contenders {
		if c.Verdict == judge.Undecided && !c.NoFaster && math.IsNaN(c.CILow) {
			// Too few rounds for an interval: the estimate is only the
			// rounds that would give one, not a decision.
			s = "it needs at least " + textfmt.Plural(v.MoreRounds, "more round") + " before it can be decided"
			break
		}
	}
	if v.MoreRounds >= judge.MaxMoreRounds {
		s = fmt.Sprintf("deciding it would take more than %d more rounds (an estimate lies close to the ±%s tie margin)", judge.MaxMoreRounds, resultset.FormatPercent(v.Tie))
	} else if budgetSpent {
		s += flagText(" (the {budget} ended the sweep first)")
	} else if repeat > 0 {
		s += flagText(fmt.Sprintf(" ({repeat} %d)", repeat+v.MoreRounds))
	}
	return s
}

// writeAnswer writes the answer-first section: one line per group, the
// recommendations and, when any cell counts records, the data-safety
// section. It writes nothing when no set has a comparison group or records.
func writeAnswer(ew *errWriter, svs []setVerdicts, markdown bool) {
	multi := len(svs) > 1
	bullet := ""
	if markdown {
		bullet = "- "
	}
	prefix := func(sv *setVerdicts) string {
		if multi {
			return sv.label + ": "
		}
		return ""
	}
	hasGroups := false
	for _, sv := range svs {
		hasGroups = hasGroups || len(sv.vs) > 0
	}
	if hasGroups {
		v0 := firstVerdict(svs)
		ew.printf("Per workload (paired per-round ratios, %s%% intervals; A ≈ B: within ±%s or not told apart):\n", strconv.FormatFloat(100*v0.Confidence, 'g', 4, 64), resultset.FormatPercent(v0.Tie))
		if markdown {
			ew.printf("\n")
		}
		for i := range svs {
			sv := &svs[i]
			for j := range sv.vs {
				v := &sv.vs[j]
				line := answerLineN(v, sv.set.Env.BudgetSpent, 2, true)
				for _, w := range v.Warnings {
					line += " (warning: " + w + ")"
				}
				line = prefix(sv) + groupName(v) + ": " + line
				if markdown {
					line = escapeMarkdown(line)
				} else {
					line = escapeText(line)
				}
				ew.printf("%s%s\n", bullet, line)
			}
		}
		ew.printf("\n")
	}
	if lines := safetyLines(svs); len(lines) > 0 {
		ew.printf("Data safety (records checked after every repetition of strategies whose writers share files):\n")
		if markdown {
			ew.printf("\n")
		}
		for _, l := range lines {
			ew.printf("%s%s\n", bullet, l)
		}
		ew.printf("\n")
	}
}

func firstVerdict(svs []setVerdicts) *judge.Verdict {
	for i := range svs {
		if len(svs[i].vs) > 0 {
			return &svs[i].vs[0]
		}
	}
	return &judge.Verdict{Confidence: judge.DefaultConfidence, Tie: judge.DefaultTie}
}

// safetyLines says, for every cell that counts records, how many were
// corrupted and in how many repetitions.
func safetyLines(svs []setVerdicts) []string {
	var out []string
	for _, sv := range svs {
		for i := range sv.set.Results {
			c := &sv.set.Results[i]
			if len(c.Records) == 0 {
				continue
			}
			var recs, bad int64
			reps := 0
			for k := range c.Records {
				recs += c.Records[k]
				if k < len(c.CorruptRecords) && c.CorruptRecords[k] > 0 {
					bad += c.CorruptRecords[k]
					reps++
				}
			}
			name := c.Strategy + " (" + strconv.Itoa(c.Files) + " × " + resultset.FormatBytes(c.FileSize) + ", sync " + c.Sync + ")"
			if len(svs) > 1 {
				name = sv.label + ": " + name
			}
			if bad == 0 {
				out = append(out, fmt.Sprintf("%s: no corrupt record in %d (%s)", name, recs, textfmt.Plural(len(c.Records), "repetition")))
				continue
			}
			out = append(out, fmt.Sprintf("%s: UNSAFE: %d of %d records corrupted (%s) in %d of %s",
				name, bad, recs, resultset.FormatPercent(float64(bad)/float64(max(recs, 1))), reps, textfmt.Plural(len(c.Records), "repetition")))
		}
	}
	return out
}

// verdictTable builds the table of every contender of every group.
func verdictTable(svs []setVerdicts) ([]string, [][]string) {
	multi := len(svs) > 1
	var header []string
	if multi {
		header = append(header, "set")
	}
	header = append(header, "group", "answer", "contender", "vs fastest", "interval", "rounds", "contender verdict")
	var rows [][]string
	for _, sv := range svs {
		for j := range sv.vs {
			v := &sv.vs[j]
			for k, c := range v.Contenders {
				var r []string
				if multi {
					r = append(r, sv.label)
				}
				g, gv := groupName(v), Headline(v)
				if k > 0 {
					g, gv = "", ""
				}
				vs, iv := "-", "-"
				if !math.IsNaN(c.Ratio) {
					vs = ratioText(c.Ratio)
				}
				if c.Verdict == judge.Fastest {
					vs = "1×"
				} else if !math.IsNaN(c.CILow) {
					iv = intervalText(c.Ratio, c.CILow, c.CIHigh)
				}
				rounds := "-"
				if c.Pairs > 0 {
					rounds = strconv.Itoa(c.Pairs)
				}
				r = append(r, g, gv, c.Label, vs, iv, rounds, Standing(v, &v.Contenders[k]))
				rows = append(rows, r)
			}
		}
	}
	return header, rows
}

// verdictCSVHeader is the header of the csv-verdicts format: one row per
// contender of every comparison group. Ratios are speeds relative to the
// group's fastest safe contender; empty fields are not computed.
var verdictCSVHeader = []string{
	"set", "files", "file_size", "sync", "group_verdict", "fastest", "leaders", "more_rounds", "tie", "confidence", "pair_confidence",
	"contender", "strategy", "params", "key", "ratio", "ci_low", "ci_high", "rounds", "verdict", "unsafe", "records", "corrupt_records", "note", "no_faster",
	"answer", "group",
}

// verdictCSVText are the columns of verdictCSVHeader that hold text.
var verdictCSVText = []int{0, 3, 4, 5, 6, 11, 12, 13, 14, 19, 23, 25, 26}

// groupParams is a group's workload as "files=16;size=4KiB;sync=none;record=256B".
func groupParams(v *judge.Verdict) string {
	parts := make([]string, len(v.Group))
	for i, p := range v.Group {
		parts[i] = p.Name + "=" + p.Value
	}
	return strings.Join(parts, ";")
}

// renderVerdictCSV writes the csv-verdicts format.
func renderVerdictCSV(w io.Writer, sets []*resultset.Set, labels []string) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(verdictCSVHeader); err != nil {
		return err
	}
	num := func(f float64) string {
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return ""
		}
		return strconv.FormatFloat(f, 'g', 6, 64)
	}
	for _, sv := range allVerdicts(sets, labels) {
		for j := range sv.vs {
			v := &sv.vs[j]
			first := &sv.set.Results[v.Contenders[0].Cell]
			for _, c := range v.Contenders {
				cell := &sv.set.Results[c.Cell]
				var params []string
				for _, p := range c.Differs {
					params = append(params, p.Name+"="+p.Value)
				}
				row := []string{
					sv.label, strconv.Itoa(first.Files), strconv.FormatInt(first.FileSize, 10), first.Sync,
					v.Verdict, v.Fastest, strings.Join(v.Leaders, ";"), strconv.Itoa(v.MoreRounds),
					num(v.Tie), num(v.Confidence), num(v.PairConfidence),
					c.Label, c.Strategy, strings.Join(params, ";"), cell.Key(),
					num(c.Ratio), num(c.CILow), num(c.CIHigh), strconv.Itoa(c.Pairs), c.Verdict,
					strconv.FormatBool(c.Unsafe), strconv.FormatInt(c.Records, 10), strconv.FormatInt(c.CorruptRecords, 10), c.Note,
					strconv.FormatBool(c.NoFaster), Headline(v), groupParams(v),
				}
				for _, i := range verdictCSVText { // text from the set: escaped
					row[i] = escapeCSV(row[i])
				}
				if err := cw.Write(row); err != nil {
					return err
				}
			}
		}
	}
	cw.Flush()
	return cw.Error()
}

// JSONVerdict is one comparison group's verdict in the json format.
// Ratios are speeds relative to the fastest safe contender; null when not
// computed.
type JSONVerdict struct {
	Set      string            `json:"set"`
	Group    map[string]string `json:"group"` // fixed parameters: files, size, sync, ...
	Files    int               `json:"files"`
	FileSize int64             `json:"file_size"`
	Sync     string            `json:"sync"`
	Verdict  string            `json:"verdict"` // winner, tie or undecided
	// Answer is the line's headline, as the one-screen answer and the
	// verdict table word it: "use A ≈ B", "undecided: A leads".
	Answer         string          `json:"answer"`
	Fastest        string          `json:"fastest"`
	Leaders        []string        `json:"leaders"`
	MoreRounds     int             `json:"more_rounds"`
	Tie            float64         `json:"tie"`
	Confidence     float64         `json:"confidence"`
	PairConfidence float64         `json:"pair_confidence"` // two-sided, of each contender's interval
	Warnings       []string        `json:"warnings,omitempty"`
	Contenders     []JSONContender `json:"contenders"`
}

// JSONContender is one contender of a JSONVerdict.
type JSONContender struct {
	Label          string            `json:"label"`
	Strategy       string            `json:"strategy"`
	Params         map[string]string `json:"params,omitempty"` // the knob values that tell it apart
	Key            string            `json:"key"`              // Cell.Key()
	Ratio          cmpJSONFloat      `json:"ratio"`
	CILow          cmpJSONFloat      `json:"ci_low"`
	CIHigh         cmpJSONFloat      `json:"ci_high"`
	Rounds         int               `json:"rounds"` // paired rounds with the fastest
	Verdict        string            `json:"verdict"`
	Unsafe         bool              `json:"unsafe"`
	Records        int64             `json:"records,omitempty"`
	CorruptRecords int64             `json:"corrupt_records,omitempty"`
	Note           string            `json:"note,omitempty"`
	// NoFaster: undecided, but not faster than the fastest by more than
	// the tie margin (its interval's upper bound is within it), so it does
	// not hold the group undecided.
	NoFaster bool `json:"no_faster,omitempty"`
}

func jsonVerdicts(sets []*resultset.Set, labels []string) []JSONVerdict {
	out := []JSONVerdict{}
	for _, sv := range allVerdicts(sets, labels) {
		for j := range sv.vs {
			v := &sv.vs[j]
			first := &sv.set.Results[v.Contenders[0].Cell]
			jv := JSONVerdict{
				Set: sv.label, Group: map[string]string{}, Files: first.Files, FileSize: first.FileSize, Sync: first.Sync,
				Verdict: v.Verdict, Answer: Headline(v), Fastest: v.Fastest, Leaders: v.Leaders, MoreRounds: v.MoreRounds,
				Tie: v.Tie, Confidence: v.Confidence, PairConfidence: v.PairConfidence, Warnings: v.Warnings,
			}
			if jv.Leaders == nil {
				jv.Leaders = []string{}
			}
			for _, p := range v.Group {
				jv.Group[p.Name] = p.Value
			}
			for _, c := range v.Contenders {
				jc := JSONContender{
					Label: c.Label, Strategy: c.Strategy, Key: sv.set.Results[c.Cell].Key(),
					Ratio: cmpJSONFloat(c.Ratio), CILow: cmpJSONFloat(c.CILow), CIHigh: cmpJSONFloat(c.CIHigh),
					Rounds: c.Pairs, Verdict: c.Verdict, Unsafe: c.Unsafe, Records: c.Records, CorruptRecords: c.CorruptRecords, Note: c.Note,
					NoFaster: c.NoFaster,
				}
				if len(c.Differs) > 0 {
					jc.Params = map[string]string{}
					for _, p := range c.Differs {
						jc.Params[p.Name] = p.Value
					}
				}
				jv.Contenders = append(jv.Contenders, jc)
			}
			out = append(out, jv)
		}
	}
	return out
}
