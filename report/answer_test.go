package report

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/report/internal/testsets"
	"github.com/writebench/writebench/resultset"
)

func answerText(t *testing.T, s *resultset.Set) string {
	t.Helper()
	var b bytes.Buffer
	if err := WriteAnswer(&b, s, AnswerOptions{Path: "results/20261206T074500Z.json"}); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

// bigSet is a sweep far beyond the default: 6 file counts × 6 sizes × 2
// sync modes of 9 contenders with long names, 12 rounds.
func bigSet() *resultset.Set {
	rng := rand.New(rand.NewPCG(3, 4))
	s := vset()
	for _, files := range []int{1, 4, 16, 64, 256, 1024} {
		for _, size := range []int64{512, 4096, 65536, 1 << 20, 16 << 20, 64 << 20} {
			for _, sync := range []string{"none", "close"} {
				for k := range 9 {
					c := vcell(fmt.Sprintf("external-writer-%d", k), 0, 1+0.3*float64(k), 12)
					c.Files, c.FileSize, c.Sync = files, size, sync
					for r := range c.Seconds {
						c.Seconds[r] *= 1 + 0.2*rng.Float64()
					}
					s.Results = append(s.Results, c)
				}
			}
		}
	}
	return s
}

// A plain run's answer fits one screen: at most 40 lines, none over 120
// characters, on the committed plain run and on a sweep of 72 workloads;
// it ends with where the set is and the command for the full tables.
func TestAnswerOneScreen(t *testing.T) {
	def, err := resultset.Load("../results/default.json")
	if err != nil {
		t.Fatal(err)
	}
	for name, s := range map[string]*resultset.Set{"results/default.json": def, "72 workloads": bigSet(), "drift": testsets.Drift()} {
		out := answerText(t, s)
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if len(lines) > 40 {
			t.Errorf("%s: %d lines, want at most 40:\n%s", name, len(lines), out)
		}
		for _, l := range lines {
			if n := utf8.RuneCountInString(l); n > MaxAnswerWidth {
				t.Errorf("%s: line of %d characters: %s", name, n, l)
			}
			if strings.Contains(l, "±") && !strings.Contains(l, "within ±") {
				t.Errorf("%s: ± in %q", name, l)
			}
		}
		if !strings.Contains(out, "full tables: writebench report results/20261206T074500Z.json") {
			t.Errorf("%s: no command for the full tables:\n%s", name, out)
		}
		if name == "results/default.json" && !strings.Contains(out, "\n1 × 4KiB: use bufio ≈ chunked; 4 more (1.09-1.11× slower, not all decided)") {
			t.Errorf("%s: first workload line not as expected:\n%s", name, out)
		}
	}
}

// Two copies of one writer are never ranked: whatever the rounds say, a
// line that does not declare a winner names both together.
func TestAnswerIdenticalWritersTogether(t *testing.T) {
	for seed := range uint64(40) {
		rng := rand.New(rand.NewPCG(seed, 9))
		a, b := vcell("wa", 0, 1, 12), vcell("wb", 0, 1, 12)
		for k := range a.Seconds {
			load := 1 + rng.Float64() // both see the same machine in a round
			a.Seconds[k] = 0.01 * load * (1 + 0.03*rng.NormFloat64())
			b.Seconds[k] = 0.01 * load * (1 + 0.03*rng.NormFloat64())
		}
		s := vset(a, b)
		v := judge.Verdicts(s, judge.Options{})[0]
		if v.Verdict == judge.Winner {
			t.Errorf("seed %d: a winner between identical writers", seed)
			continue
		}
		h := Headline(&v)
		if !strings.Contains(h, "wa ≈ wb") && !strings.Contains(h, "wb ≈ wa") {
			t.Errorf("seed %d: %q names one identical writer alone (%s, %+v)", seed, h, v.Verdict, v.Contenders[1])
		}
		out := answerText(t, s)
		if !strings.Contains(out, h) {
			t.Errorf("seed %d: the line does not start with the headline %q:\n%s", seed, h, out)
		}
		full := renderString(t, s, "table")
		if strings.Count(full, h) < 2 {
			t.Errorf("seed %d: the verdict table's words differ from the line's (%q):\n%s", seed, h, full)
		}
	}
}

// An 800× slowdown reads as one, never as "0.00×"; O_DIRECT beside page-cache
// writers under sync none gets a caveat; drift beyond the threshold a warning.
func TestAnswerWords(t *testing.T) {
	s := vset(vcell("chunked", 0, 0.01, 10), vcell("unbuffered", 0, 8, 10), vcell("direct", 0, 0.02, 10))
	for _, out := range []string{answerText(t, s), renderString(t, s, "table")} {
		if strings.Contains(out, "0.00") {
			t.Errorf("0.00 in:\n%s", out)
		}
		if !strings.Contains(out, "802") {
			t.Errorf("the 800× slowdown is not stated:\n%s", out)
		}
	}
	out := answerText(t, s)
	if !strings.Contains(out, "caveat: direct (O_DIRECT)") {
		t.Errorf("no caveat for direct under sync none:\n%s", out)
	}
	if strings.Contains(out, "drift:") {
		t.Errorf("drift warned on a steady set:\n%s", out)
	}
	if out := answerText(t, testsets.Drift()); !strings.Contains(out, "drift: in 1 of 1 workloads the last rounds took") {
		t.Errorf("no drift warning on a drifting set:\n%s", out)
	}
}

// A contender whose interval lies below 1 but reaches into the tie margin
// is neither proven slower nor tied: the one-screen line, the report's
// verdict line and the verdict table (text and Markdown) all say "within
// 5% or slower" of it, and none calls it plainly slower.
func TestAnswerAgreesWithTable(t *testing.T) {
	near := ratioCell("chunked", []float64{0.90, 0.92, 0.94, 0.96, 0.98, 1.0, 0.99, 0.91, 0.93, 0.95, 0.97, 0.985})
	s := vset(ratioCell("pool", nil), near, vcell("bufio", 0, 1.6, 12), vcell("mmap", 0, 2.3, 12), vcell("unbuffered", 0, 5.4, 12))
	v := judge.Verdicts(s, judge.Options{})[0]
	var c *judge.Contender
	for i := range v.Contenders {
		if v.Contenders[i].Label == "chunked" {
			c = &v.Contenders[i]
		}
	}
	if c == nil || c.Verdict != judge.Undecided || !c.NoFaster || !(c.CIHigh < 1) || !(c.CIHigh > 1-v.Tie) {
		t.Fatalf("the set does not make chunked NoFaster with its interval below 1 and inside the margin: %+v", c)
	}
	const want = "within 5% or slower: chunked 1.05 ["
	line := answerText(t, s)
	if !strings.Contains(line, want) {
		t.Errorf("one-screen line does not say %q:\n%s", want, line)
	}
	if strings.Contains(line, "slower: chunked") && !strings.Contains(line, "or slower: chunked") {
		t.Errorf("one-screen line calls chunked slower:\n%s", line)
	}
	for _, format := range []string{"table", "markdown"} {
		out := renderString(t, s, format)
		if !strings.Contains(out, want) {
			t.Errorf("%s: verdict line does not say %q:\n%s", format, want, out)
		}
		var row string
		for _, l := range strings.Split(out, "\n") {
			if strings.Contains(l, " chunked ") && strings.Contains(l, "[") {
				row = l
			}
		}
		if !strings.Contains(row, "within 5% or slower") {
			t.Errorf("%s: the verdict table's row for chunked %q does not say within 5%% or slower:\n%s", format, row, out)
		}
	}
}

// The contenders a line counts without naming are counted under their
// common word, or, when their words differ, as "N more" that says not all
// are decided; none is called slower unless the judge says so.
func TestAnswerCountsTheRest(t *testing.T) {
	slow := func(name string, base float64) resultset.Cell { return vcell(name, 0, base, 12) }
	for _, tt := range []struct {
		name string
		set  *resultset.Set
		want []string
	}{
		{"all slower", vset(slow("a", 1), slow("b", 2), slow("c", 3), slow("d", 4), slow("e", 5)),
			[]string{"faster than b; slower: c 2.99 [", "]×, 2 more (4.00-5.01×)"}},
		{"mixed rest", vset(slow("a", 1), slow("b", 1.2), slow("c", 1.3), vcell("d", 0, 1.5, 4), slow("e", 4)),
			[]string{"undecided: a leads; slower: b 1.20 [", "; 2 more (1.50-4.00× slower, not all decided)"}},
	} {
		v := judge.Verdicts(tt.set, judge.Options{})[0]
		got := answerLineN(&v, false, 2, false)
		for _, w := range tt.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: line %q does not say %q", tt.name, got, w)
			}
		}
	}
}
