package report

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/writebench/writebench/resultset"
	"golang.org/x/perf/benchfmt"
)

// hostile is text a planted result set may carry: terminal escape
// sequences (clear screen, set title, C1 CSI), a bidi override, a table
// separator, a newline that starts a Markdown heading, and a spreadsheet
// formula.
const hostile = "boom\x1b[2J\x1b]0;pwned\a|x\n# heading \u202e\u009b31m =HYPERLINK(\"http://e\")"

// hostileSet is a fixture whose free-text fields (cell errors, environment
// strings, the command) hold hostile text, saved and loaded back, so it is
// exactly what a renderer meets in a planted file.
func hostileSet(t *testing.T) *resultset.Set {
	t.Helper()
	s := loadFixture(t, "failed")
	s.Env.CPU = hostile
	s.Env.Kernel = hostile
	s.Env.Device = hostile
	s.Env.Command = []string{"writebench", "run", "--out", "a`b|c" + hostile}
	s.Interrupted = hostile
	for i := range s.Results {
		if s.Results[i].Failed() {
			s.Results[i].Error = hostile
		}
	}
	path := filepath.Join(t.TempDir(), "hostile.json")
	if err := resultset.Save(path, s); err != nil {
		t.Fatal(err)
	}
	got, err := resultset.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// assertNoControls fails when out holds a raw escape, BEL, C1 or bidi
// character.
func assertNoControls(t *testing.T, format string, out string) {
	t.Helper()
	for _, bad := range []string{"\x1b", "\a", "\u009b", "\u202e"} {
		if strings.Contains(out, bad) {
			t.Errorf("%s output holds a raw %q", format, bad)
		}
	}
}

// TestRenderEscapesHostileText renders a hostile set in every format, with
// hostile labels too (labels are file names), and checks each format's
// promise.
func TestRenderEscapesHostileText(t *testing.T) {
	s := hostileSet(t)
	labels := []string{"=cmd|/C calc\n# x"}
	for _, format := range formatList {
		var b bytes.Buffer
		if err := Render(&b, []*resultset.Set{s}, labels, format); err != nil {
			t.Fatalf("%s: %v", format, err)
		}
		out := b.String()
		assertNoControls(t, format, out)
		switch format {
		case "table":
			if strings.Contains(out, "\n# heading") {
				t.Errorf("table: the newline in an error reached the output")
			}
		case "markdown":
			for _, line := range strings.Split(out, "\n") {
				if strings.HasPrefix(line, "#") {
					t.Errorf("markdown: a heading was injected: %q", line)
				}
			}
			assertTableColumns(t, out)
		case "csv":
			recs, err := csv.NewReader(strings.NewReader(out)).ReadAll()
			if err != nil {
				t.Fatalf("csv: %v", err)
			}
			if len(recs) != 1+len(s.Results) {
				t.Errorf("csv: %d records, want %d", len(recs), 1+len(s.Results))
			}
			for _, r := range recs[1:] {
				if !strings.HasPrefix(r[0], "'=") {
					t.Errorf("csv: set label %q is not neutralised", r[0])
				}
				if e := r[len(r)-1]; e != "" && strings.ContainsAny(e[:1], "=+-@") {
					t.Errorf("csv: error field %q starts a formula", e)
				}
			}
		case "benchfmt":
			rd := benchfmt.NewReader(strings.NewReader(out), "hostile")
			n := 0
			for rd.Scan() {
				switch r := rd.Result().(type) {
				case *benchfmt.SyntaxError:
					t.Errorf("benchfmt: %v", r)
				case *benchfmt.Result:
					n++
					if bytes.ContainsAny(r.Name, " \t\n") {
						t.Errorf("benchfmt: name %q holds a space", r.Name)
					}
					for _, c := range r.Config {
						if bytes.ContainsAny(c.Value, "\n\x1b") {
							t.Errorf("benchfmt: config %s = %q", c.Key, c.Value)
						}
					}
				}
			}
			want := 0
			for _, c := range s.Results {
				if !c.Failed() {
					want += len(c.Seconds)
				}
			}
			if n != want {
				t.Errorf("benchfmt: %d results read back, want %d (a line was split or lost)", n, want)
			}
		case "json":
			var doc JSONSummary
			if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
				t.Fatalf("json: %v", err)
			}
			found := false
			for _, c := range doc.Sets[0].Cells {
				found = found || c.Error == hostile
			}
			if !found {
				t.Error("json: the error did not survive escaping unchanged")
			}
		}
	}
}

// assertTableColumns checks that every Markdown table row has as many
// unescaped '|' as its header: no cell text split a row.
func assertTableColumns(t *testing.T, out string) {
	t.Helper()
	want := -1
	for _, line := range strings.Split(out, "\n") {
		if !strings.HasPrefix(line, "|") {
			want = -1
			continue
		}
		n := unescapedPipes(line)
		if want < 0 {
			want = n
		} else if n != want {
			t.Errorf("markdown row has %d cells separators, header %d: %q", n, want, line)
		}
	}
}

func unescapedPipes(line string) int {
	n := 0
	for i := 0; i < len(line); i++ {
		switch line[i] {
		case '\\':
			i++
		case '|':
			n++
		}
	}
	return n
}

// TestMarkdownPageEscapes writes the Markdown page of a hostile set: no
// raw control character, no injected heading, every table row intact, and
// the command (with backticks and '|') shown as one code span.
func TestMarkdownPageEscapes(t *testing.T) {
	s := hostileSet(t)
	page := filepath.Join(t.TempDir(), "page.md")
	if err := WriteMarkdownPage(page, []*resultset.Set{s}, []string{"x\n# injected"}, ""); err != nil {
		t.Fatal(err)
	}
	data, _ := os.ReadFile(page)
	out := string(data)
	assertNoControls(t, "page", out)
	for _, line := range strings.Split(out, "\n") {
		if strings.HasPrefix(line, "# injected") || strings.HasPrefix(line, "# heading") {
			t.Errorf("heading injected: %q", line)
		}
	}
	assertTableColumns(t, out)
	if !strings.Contains(out, "``writebench run --out a`b\\|c") {
		t.Errorf("command is not one code span with a longer fence:\n%s", out)
	}
}

func TestEscapers(t *testing.T) {
	for _, tc := range []struct {
		f       func(string) string
		in, out string
	}{
		{escapeText, "plain /tmp/x", "plain /tmp/x"},
		{escapeText, "a\x1b[31mb\n", `a\x1b[31mb\n`},
		{escapeText, "bad\xffutf8", `bad\xffutf8`},
		{escapeMarkdown, "a|b*c_d", `a\|b\*c\_d`},
		{escapeMarkdown, "<!-- x", `\<\!-- x`},
		{escapeMarkdown, "[0.61, 0.67]", "[0.61, 0.67]"},
		{escapeMarkdown, "[docs](http://e) [a][b]", `[docs\](http://e) [a\][b]`},
		{escapeCSV, "=1+2", "'=1+2"},
		{escapeCSV, "  -cmd", "'  -cmd"},
		{escapeCSV, "@SUM(A1)", "'@SUM(A1)"},
		{escapeCSV, "ok", "ok"},
		{benchSafe, "a b\tc\nd", `a_b\tc\nd`},
		{markdownCode, "run `x`", "`` run `x` ``"},
		{markdownCode, "a|b", "`a\\|b`"},
	} {
		if got := tc.f(tc.in); got != tc.out {
			t.Errorf("escape(%q) = %q, want %q", tc.in, got, tc.out)
		}
	}
}
