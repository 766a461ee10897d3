package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/writebench/writebench/resultset"
)

const reportFixture = "../../report/testdata/basic.json"

func runReportCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{"report"}, args...), &out, &errb)
	code = exitCode(err, &errb)
	return code, out.String(), errb.String()
}

func TestReportCommandFormats(t *testing.T) {
	for _, c := range []struct{ format, want string }{
		{"table", "fastest"},
		{"markdown", "| strategy"},
		{"csv", "set,strategy,files,file_size"},
		{"json", `"summary_schema": 1`},
		{"benchfmt", "BenchmarkWrite/strategy=bufio/files=10/size=4KiB/sync=none 1 "},
	} {
		code, out, errs := runReportCLI(t, reportFixture, "--format", c.format)
		if code != 0 || !strings.Contains(out, c.want) {
			t.Errorf("--format %s: exit %d, stderr %q, stdout lacks %q", c.format, code, errs, c.want)
		}
	}
}

func TestReportCommandUsageErrors(t *testing.T) {
	dir := t.TempDir()
	corrupt := filepath.Join(dir, "corrupt.json")
	if err := os.WriteFile(corrupt, []byte(`{"schema": 1, "tool": "writebench", "results": [`), 0o644); err != nil {
		t.Fatal(err)
	}
	// Sets the runner never writes, each of which report used to render
	// with NaN or contradictory verdicts and exit 0.
	invalid := func(name string, edit func(s *resultset.Set)) string {
		s, err := resultset.Load(reportFixture)
		if err != nil {
			t.Fatal(err)
		}
		edit(s)
		path := filepath.Join(dir, name)
		if err := resultset.Save(path, s); err != nil {
			t.Fatal(err)
		}
		return path
	}
	huge := invalid("huge.json", func(s *resultset.Set) { s.Results[1].Seconds[0] = 1e308 })
	zero := invalid("zero.json", func(s *resultset.Set) { s.Results[1].Seconds[0] = 0 })
	noFiles := invalid("nofiles.json", func(s *resultset.Set) { s.Results[1].Files = 0 })
	dup := invalid("dup.json", func(s *resultset.Set) { s.Results = append(s.Results, s.Results[1]) })
	rounds := invalid("rounds.json", func(s *resultset.Set) {
		c := &s.Results[1]
		c.Rounds = make([]int, len(c.Seconds)) // every sample in round 0
	})
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"missing file", []string{filepath.Join(dir, "nope.json")}, "nope.json"},
		{"corrupt file", []string{corrupt}, "corrupt.json"},
		{"seconds 1e308", []string{huge}, huge + ": result 1 (unbuffered): invalid seconds sample 1e+308"},
		{"seconds 0", []string{zero}, zero + ": result 1 (unbuffered): invalid seconds sample 0"},
		{"files 0", []string{noFiles}, noFiles + ": result 1 (unbuffered): files is 0"},
		{"duplicate cell", []string{dup}, dup + ": result 8 (unbuffered): duplicate cell: same strategy and parameters as result 1"},
		{"repeated rounds", []string{rounds}, rounds + ": result 1 (unbuffered): invalid rounds entry 0 (sample 1)"},
		{"one bad set of two", []string{reportFixture, huge}, huge + ": result 1 (unbuffered)"},
		{"unknown format", []string{reportFixture, "--format", "yaml"}, `report: --format: unknown format "yaml" (known: table, markdown, csv, csv-verdicts, json, benchfmt)`},
		{"no file", nil, "no result set given"},
		{"unknown flag", []string{reportFixture, "--colour"}, "report: unknown flag: --colour"},
	} {
		code, out, errs := runReportCLI(t, c.args...)
		if code != 2 {
			t.Errorf("%s: exit %d, want 2", c.name, code)
		}
		if !strings.Contains(errs, c.want) || strings.Count(strings.TrimSpace(errs), "\n") != 0 {
			t.Errorf("%s: stderr %q, want one line containing %q", c.name, errs, c.want)
		}
		if out != "" {
			t.Errorf("%s: stdout %q, want nothing", c.name, out)
		}
	}
}

func TestReportCommandPlotsAndPage(t *testing.T) {
	dir := t.TempDir()
	plots := filepath.Join(dir, "plots")
	page := filepath.Join(dir, "RESULTS.md")
	code, _, errs := runReportCLI(t, reportFixture, "--plots", plots, "--markdown", page)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	for _, f := range []string{"throughput.png", "throughput.svg", "winner-map.png"} {
		if _, err := os.Stat(filepath.Join(plots, f)); err != nil {
			t.Error(err)
		}
	}
	md, err := os.ReadFile(page)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(md), "(plots/throughput.png)") {
		t.Errorf("page does not link the charts relatively")
	}
}

func TestReportLabels(t *testing.T) {
	got := strings.Join(reportLabels([]string{"a/run.json", "b/run.json", "c/new.json", "c/new.json"}), " ")
	if got != "a/run.json b/run.json c/new.json c/new.json#2" {
		t.Errorf("labels = %s", got)
	}
}

func TestReportHelp(t *testing.T) {
	code, out, _ := runReportCLI(t, "-h")
	if code != 0 || !strings.Contains(out, "--plots") || !strings.Contains(out, "benchfmt") {
		t.Errorf("help: exit %d, %q", code, out)
	}
}
