package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"flag"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/writebench/writebench/internal/textfmt"
	"github.com/writebench/writebench/report/summary"
	"github.com/writebench/writebench/resultset"
	"golang.org/x/perf/benchfmt"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

// fixtures are the hand-built result sets in testdata.
var fixtures = []string{"basic", "failed", "single", "onesample"}

func loadFixture(t *testing.T, name string) *resultset.Set {
	t.Helper()
	s, err := resultset.Load(filepath.Join("testdata", name+".json"))
	if err != nil {
		t.Fatalf("fixture %s: %v", name, err)
	}
	return s
}

func checkGolden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./report -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from golden file (run go test ./report -update after checking):\n--- got ---\n%s\n--- want ---\n%s", path, got, want)
	}
}

func TestRenderGolden(t *testing.T) {
	type tc struct {
		name   string
		sets   []string
		labels []string
	}
	cases := []tc{}
	for _, f := range fixtures {
		cases = append(cases, tc{f, []string{f}, []string{f}})
	}
	cases = append(cases, tc{"two-sets", []string{"basic", "onesample"}, []string{"old", "new"}})
	for _, c := range cases {
		var sets []*resultset.Set
		for _, f := range c.sets {
			sets = append(sets, loadFixture(t, f))
		}
		for _, format := range formatList {
			t.Run(c.name+"/"+format, func(t *testing.T) {
				var buf bytes.Buffer
				if err := Render(&buf, sets, c.labels, format); err != nil {
					t.Fatal(err)
				}
				checkGolden(t, c.name+"."+format, buf.Bytes())
			})
		}
	}
}

func TestRenderUnknownFormat(t *testing.T) {
	err := Render(io.Discard, []*resultset.Set{loadFixture(t, "basic")}, nil, "yaml")
	if err == nil || !strings.Contains(err.Error(), `"yaml"`) || !strings.Contains(err.Error(), "benchfmt") {
		t.Fatalf("err = %v, want unknown format naming yaml and the known ones", err)
	}
}

func TestRenderEmptySet(t *testing.T) {
	s := &resultset.Set{Schema: 1, Tool: resultset.Tool, Complete: true}
	for _, f := range formatList {
		var buf bytes.Buffer
		if err := Render(&buf, []*resultset.Set{s}, []string{"empty"}, f); err != nil {
			t.Errorf("%s: %v", f, err)
		}
	}
}

func TestCSVShape(t *testing.T) {
	for _, f := range fixtures {
		s := loadFixture(t, f)
		var buf bytes.Buffer
		if err := Render(&buf, []*resultset.Set{s}, []string{f}, "csv"); err != nil {
			t.Fatal(err)
		}
		recs, err := csv.NewReader(&buf).ReadAll()
		if err != nil {
			t.Fatalf("%s: csv does not parse: %v", f, err)
		}
		if len(recs) != 1+len(s.Results) {
			t.Errorf("%s: %d rows, want 1 header + %d cells", f, len(recs), len(s.Results))
		}
		if strings.Join(recs[0], ",") != strings.Join(csvHeader, ",") {
			t.Errorf("%s: header = %v", f, recs[0])
		}
	}
}

func TestJSONSummary(t *testing.T) {
	s := loadFixture(t, "basic")
	var buf bytes.Buffer
	if err := Render(&buf, []*resultset.Set{s}, []string{"basic"}, "json"); err != nil {
		t.Fatal(err)
	}
	var doc JSONSummary
	if err := json.Unmarshal(buf.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.Sets) != 1 || len(doc.Sets[0].Cells) != len(s.Results) {
		t.Fatalf("json summary has %d sets / wrong cell count", len(doc.Sets))
	}
	m, ok := doc.Sets[0].Cells[0].Metrics["bytes_per_second"]
	if !ok || m.Lo == nil || m.Hi == nil || !(*m.Lo <= m.Median && m.Median <= *m.Hi) {
		t.Errorf("bytes_per_second = %+v, want median inside its interval", m)
	}
	// One sample per cell: no interval.
	var one bytes.Buffer
	if err := Render(&one, []*resultset.Set{loadFixture(t, "onesample")}, nil, "json"); err != nil {
		t.Fatal(err)
	}
	var doc1 JSONSummary
	if err := json.Unmarshal(one.Bytes(), &doc1); err != nil {
		t.Fatal(err)
	}
	if m := doc1.Sets[0].Cells[0].Metrics["seconds"]; m.Lo != nil || m.Hi != nil {
		t.Errorf("one-sample cell has an interval: %+v", m)
	}
}

func TestBenchfmtReadsBack(t *testing.T) {
	sets := []*resultset.Set{loadFixture(t, "basic"), loadFixture(t, "failed")}
	var buf bytes.Buffer
	if err := Render(&buf, sets, []string{"basic", "failed"}, "benchfmt"); err != nil {
		t.Fatal(err)
	}
	want := 0
	for _, s := range sets {
		for _, c := range s.Results {
			if !c.Failed() {
				want += len(c.Seconds)
			}
		}
	}
	r := benchfmt.NewReader(&buf, "out.txt")
	got, better := 0, map[string]string{}
	for r.Scan() {
		switch rec := r.Result().(type) {
		case *benchfmt.SyntaxError:
			t.Errorf("syntax error: %v", rec)
		case *benchfmt.UnitMetadata:
			better[rec.Unit] = rec.Value
		case *benchfmt.Result:
			got++
			name := string(rec.Name)
			if !strings.HasPrefix(name, "Write/strategy=") || !strings.Contains(name, "/files=") || !strings.Contains(name, "/size=") || !strings.Contains(name, "/sync=") {
				t.Errorf("name %q lacks strategy/files/size/sync keys", name)
			}
			if _, ok := rec.Value("sec/op"); !ok {
				t.Errorf("%s: no sec/op", name)
			}
			if rec.GetConfig("goos") != "linux" || rec.GetConfig("set") == "" {
				t.Errorf("%s: config goos=%q set=%q", name, rec.GetConfig("goos"), rec.GetConfig("set"))
			}
			if name == "Write/strategy=bufio/files=100/size=1MiB/sync=none" {
				if v, ok := rec.Value("B/s"); !ok || v < 1e9 {
					t.Errorf("%s: B/s = %v, %v", name, v, ok)
				}
			}
		}
	}
	if err := r.Err(); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Errorf("read %d results, want one per repetition = %d", got, want)
	}
	for unit, b := range map[string]string{"sec/op": "lower", "B/s": "higher", "files/s": "higher", "syscalls/op": "lower"} {
		if better[unit] != b {
			t.Errorf("unit %s better=%q, want %q", unit, better[unit], b)
		}
	}
}

func TestFormatters(t *testing.T) {
	for _, c := range []struct{ got, want string }{
		{formatRate(850e6), "850 MB/s"},
		{formatRate(1.234e9), "1.23 GB/s"},
		{formatRate(999.7e6), "1.00 GB/s"},
		{formatRate(12.34e3), "12.3 kB/s"},
		{formatCount(850), "850"},
		{formatCount(12345), "12.3k"},
		{textfmt.Duration(0.00012), "120µs"},
		{textfmt.Duration(1.5), "1.50s"},
		{textfmt.Duration(3e-8), "30.0ns"},
		{resultset.FormatPercent(0.25), "25%"},
		{ciSuffix(summary.Stat{N: 3, Median: 1}), " (n=3, no CI)"},
		{ciSuffix(summary.Stat{N: 6, Median: 100, Lo: 97, Hi: 102, HasCI: true}), " ±3%"},
		{summary.Margin(0.23), "+23%"},
		{summary.Margin(2.5), "3.5x"},
	} {
		if c.got != c.want {
			t.Errorf("got %q, want %q", c.got, c.want)
		}
	}
}

func TestWinners(t *testing.T) {
	sums := summary.Summarize([]*resultset.Set{loadFixture(t, "onesample")}, nil)
	ws := summary.Winners(sums)
	if len(ws) != 2 {
		t.Fatalf("%d winners, want 2 (one per size)", len(ws))
	}
	for _, w := range ws {
		if w.Best.Cell.Strategy != "pool" || w.RunnerUp.Cell.Strategy != "bufio" || !(w.Margin > 0) || w.Candidates != 3 {
			t.Errorf("winner %+v", w)
		}
	}
}

// TestRepetitionsTextAdaptive: a budgeted set's header says how many
// counted repetitions ran (the range over its cells) beside the cap, never
// the cap alone; a fixed set keeps "N repetitions".
func TestRepetitionsTextAdaptive(t *testing.T) {
	s := &resultset.Set{Env: resultset.Env{Repeat: 200, Warmup: 1, BudgetSeconds: 45}}
	for _, n := range []int{7, 50, 0} {
		s.Results = append(s.Results, resultset.Cell{Seconds: make([]float64, n)})
	}
	if got, want := repetitionsText(s), "7-50 of up to 200 repetitions (adaptive, 45.0s budget)"; got != want {
		t.Errorf("adaptive: %q, want %q", got, want)
	}
	if got := envLine(s); !strings.Contains(got, "7-50 of up to 200 repetitions (adaptive, 45.0s budget) + 1 warm-up") {
		t.Errorf("env line %q lacks the counted range", got)
	}
	if got, want := repetitionsRow(s), "7-50 (adaptive: up to 200 within a 45.0s budget) counted + 1 warm-up per cell, interleaved (seed 0)"; got != want {
		t.Errorf("page row: %q, want %q", got, want)
	}
	s.Env.BudgetSeconds = 0
	if got, want := repetitionsText(s), "200 repetitions"; got != want {
		t.Errorf("fixed: %q, want %q", got, want)
	}
}

// TestEnvLinePageReporting: the environment line says when the VM returns
// free memory to its host, and how much went back during the sweep; a set
// without the fields reads as before.
func TestEnvLinePageReporting(t *testing.T) {
	s := &resultset.Set{Env: resultset.Env{Repeat: 3, PageReporting: "on (virtio-balloon), min_free_ms 0", ReportedBytes: 1_744_830_464}}
	if got, want := envLine(s), "free page reporting on (virtio-balloon), min_free_ms 0, 1.74 GB returned to the host during the sweep"; !strings.Contains(got, want) {
		t.Errorf("env line %q lacks %q", got, want)
	}
	s.Env.ReportedBytes = 0
	if got := envLine(s); !strings.Contains(got, "min_free_ms 0") || strings.Contains(got, "returned") {
		t.Errorf("env line %q: want reporting without an amount", got)
	}
	s.Env.PageReporting = ""
	if got := envLine(s); strings.Contains(got, "page reporting") {
		t.Errorf("env line %q speaks of page reporting without it", got)
	}
}
