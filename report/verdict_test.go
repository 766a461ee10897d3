package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"

	"github.com/writebench/writebench/report/internal/testsets"
	"github.com/writebench/writebench/resultset"
)

// vcell and vset build synthetic cells and sets (see testsets).
var (
	vcell = testsets.Cell
	vset  = testsets.Set
)

// ratioCell is a cell of 12 rounds whose seconds are 1/r[k]: next to
// ratioCell(name, nil) (all ones) its per-round ratios are exactly r.
func ratioCell(strategy string, r []float64) resultset.Cell {
	c := vcell(strategy, 0, 1, 12)
	for k := range c.Seconds {
		c.Seconds[k] = 1
		if r != nil {
			c.Seconds[k] = 1 / r[k]
		}
	}
	return c
}

func budgetSpent(s *resultset.Set) *resultset.Set {
	s.Env.BudgetSpent = true
	return s
}

func corrupt(c resultset.Cell, bad int64) resultset.Cell {
	for range c.Seconds {
		c.Records = append(c.Records, 1000)
		c.CorruptRecords = append(c.CorruptRecords, bad)
	}
	return c
}

func renderString(t *testing.T, s *resultset.Set, format string) string {
	t.Helper()
	var b bytes.Buffer
	if err := Render(&b, []*resultset.Set{s}, []string{"x"}, format); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func TestVerdictText(t *testing.T) {
	skipped := resultset.Cell{Strategy: "direct", Files: 256, FileSize: 4096, Sync: "none", Skipped: "O_DIRECT is not supported on tmpfs"}
	for _, tt := range []struct {
		name string
		set  *resultset.Set
		want []string // substrings, in this order
		not  []string
	}{
		{"winner", vset(vcell("bufio", 0, 1.3, 10), vcell("chunked", 0, 1.0, 10), vcell("pool", 0, 2.0, 10)),
			[]string{"256 × 4KiB, sync none: use chunked: ran 1.30 [1.30, 1.30]× faster than bufio; slower: pool 2.00 [1.99, 2.00]×", "┌",
				"use chunked", "bufio", "0.77×"},
			[]string{"Data safety", "undecided:", "leads"}},
		{"tie", vset(vcell("bufio", 0, 1.0, 12), vcell("chunked", 0, 1.01, 12), vcell("unbuffered", 0, 0.995, 12), vcell("pool", 0, 1.28, 12)),
			[]string{"use unbuffered ≈ bufio ≈ chunked; slower: pool 1.29 [1.29, 1.29]×",
				"┌", "use unbuffered ≈ bufio ≈ chunked "}, []string{"leads"}},
		{"unsafe fastest", vset(corrupt(vcell("shared", 0, 0.5, 10), 3), vcell("locked", 0, 1.0, 10), corrupt(vcell("locked2", 0, 1.5, 10), 0)),
			[]string{"use locked: ran 1.50 [1.50, 1.51]× faster than locked2; not compared: shared unsafe (corrupted records)",
				"Data safety", "shared (256 × 4KiB, sync none): UNSAFE: 30 of 10000 records corrupted (0.3%) in 10 of 10 repetitions",
				"locked2 (256 × 4KiB, sync none): no corrupt record in 10000 (10 repetitions)"}, nil},
		{"two unsafe", vset(corrupt(vcell("shared", 0, 0.5, 10), 3), corrupt(vcell("paired", 0, 0.6, 10), 2), vcell("locked", 0, 1.0, 10)),
			[]string{"use locked; not compared: shared unsafe (corrupted records), paired unsafe (corrupted records)"}, []string{"use shared"}},
		{"skipped contender", vset(skipped, vcell("a", 0, 1.0, 10), vcell("b", 0, 1.2, 10)),
			[]string{"use a: ran 1.20 [1.20, 1.20]× faster than b; not compared: direct skipped (O"},
			[]string{"direct (0"}},
		{"knob sweep", vset(vcell("chunked", 4096, 2.0, 10), vcell("chunked", 65536, 1.0, 10), vcell("chunked", 1<<20, 1.01, 10)),
			[]string{"use chunk=64KiB ≈ chunk=1MiB; slower: chunk=4KiB 2.00 [1.99, 2.00]×"}, nil},
		{"no faster", vset(ratioCell("a", nil), ratioCell("b", []float64{0.90, 0.92, 0.94, 0.96, 0.98, 1.0, 1.02, 0.91, 0.93, 0.95, 0.97, 0.99}), vcell("c", 0, 2, 12)),
			[]string{"use a; within 5% or slower: b 1.05 [1.01, 1.09]×; slower: c 2.00 [1.97, 2.03]×"}, []string{"undecided:"}},
		{"undecided when the budget ran out", budgetSpent(vset(vcell("a", 0, 1.0, 4), vcell("b", 0, 1.5, 4))),
			[]string{"it needs at least 2 more rounds before it can be decided (the --budget ended the sweep first)"}, []string{"--repeat 6", "about 2 more rounds would decide it"}},
		{"undecided", vset(vcell("a", 0, 1.0, 4), vcell("b", 0, 1.5, 4)),
			[]string{"undecided: a leads; undecided: b 1.50× slower (no interval yet); it needs at least 2 more rounds before it can be decided (--repeat 6)",
				"┌", "undecided: a leads "}, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			for _, format := range []string{"table", "markdown"} {
				out := renderString(t, tt.set, format)
				rest := out
				for _, w := range tt.want {
					if format == "markdown" && w == "┌" {
						w = "| strategy"
					}
					i := strings.Index(rest, w)
					if i < 0 {
						t.Errorf("%s: missing (or out of order) %q in:\n%s", format, w, out)
						break
					}
					rest = rest[i+len(w):]
				}
				for _, w := range tt.not {
					if strings.Contains(out, w) {
						t.Errorf("%s: unexpected %q in:\n%s", format, w, out)
					}
				}
			}
		})
	}
}

// The json format's verdicts array and the csv-verdicts format carry the
// same decisions.
func TestVerdictMachineReadable(t *testing.T) {
	s := vset(corrupt(vcell("shared", 0, 0.5, 10), 3), vcell("locked", 0, 1.0, 10), vcell("slow", 0, 2.0, 10),
		resultset.Cell{Strategy: "direct", Files: 256, FileSize: 4096, Sync: "none", Skipped: "no O_DIRECT"})
	var doc struct {
		Verdicts []struct {
			Set        string            `json:"set"`
			Group      map[string]string `json:"group"`
			Verdict    string            `json:"verdict"`
			Fastest    string            `json:"fastest"`
			Contenders []struct {
				Label    string   `json:"label"`
				Strategy string   `json:"strategy"`
				Ratio    *float64 `json:"ratio"`
				CILow    *float64 `json:"ci_low"`
				CIHigh   *float64 `json:"ci_high"`
				Verdict  string   `json:"verdict"`
				Unsafe   bool     `json:"unsafe"`
			} `json:"contenders"`
		} `json:"verdicts"`
	}
	if err := json.Unmarshal([]byte(renderString(t, s, "json")), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Verdicts) != 1 {
		t.Fatalf("%d verdicts, want 1", len(doc.Verdicts))
	}
	v := doc.Verdicts[0]
	if v.Set != "x" || v.Verdict != "winner" || v.Fastest != "locked" || v.Group["files"] != "256" || v.Group["size"] != "4KiB" || v.Group["sync"] != "none" {
		t.Errorf("verdict %+v", v)
	}
	got := map[string]string{}
	for _, c := range v.Contenders {
		got[c.Label] = c.Verdict
		switch c.Verdict {
		case "slower":
			if c.Ratio == nil || c.CILow == nil || c.CIHigh == nil || !(*c.CIHigh < 0.95) {
				t.Errorf("%s: slower without an interval below 0.95: %+v", c.Label, c)
			}
		case "skipped":
			if c.Ratio != nil {
				t.Errorf("%s: skipped with a ratio %v", c.Label, *c.Ratio)
			}
		case "unsafe":
			if !c.Unsafe {
				t.Errorf("%s: unsafe verdict without unsafe flag", c.Label)
			}
		}
	}
	want := map[string]string{"locked": "fastest", "slow": "slower", "shared": "unsafe", "direct": "skipped"}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("json: %s = %q, want %q", k, got[k], w)
		}
	}

	recs, err := csv.NewReader(strings.NewReader(renderString(t, s, "csv-verdicts"))).ReadAll()
	if err != nil {
		t.Fatalf("csv-verdicts does not parse: %v", err)
	}
	if len(recs) != 5 {
		t.Fatalf("csv-verdicts: %d rows, want header + 4", len(recs))
	}
	col := map[string]int{}
	for i, h := range recs[0] {
		col[h] = i
	}
	for _, r := range recs[1:] {
		if w := want[r[col["contender"]]]; r[col["verdict"]] != w || r[col["group_verdict"]] != "winner" || r[col["fastest"]] != "locked" {
			t.Errorf("csv row %v: verdict %q, want %q", r, r[col["verdict"]], w)
		}
		if r[col["verdict"]] == "skipped" && r[col["ratio"]] != "" {
			t.Errorf("csv: skipped row has ratio %q", r[col["ratio"]])
		}
	}
}

// A group whose contenders ran different loop counts says so on its line
// and in the json.
func TestVerdictLoopsWarningRendered(t *testing.T) {
	a, b := vcell("a", 0, 1.0, 10), vcell("b", 0, 1.5, 10)
	a.Loops, b.Loops = 3, 10
	s := vset(a, b)
	if out := renderString(t, s, "table"); !strings.Contains(out, "(warning: contenders ran 3 to 10 batches per sample (loops)") {
		t.Errorf("no loops warning in:\n%s", out)
	}
	if out := renderString(t, s, "json"); !strings.Contains(out, `"warnings": [`) {
		t.Errorf("no warnings in json:\n%s", out)
	}
}
