// Command claimsdoc writes docs/claims.md from the claims file
// (scripts/claims.txt) and the result sets scripts/claims.sh saved for
// them: per claim, its text, the command that measured it, the cells'
// medians, and an automatic verdict for every expectation the claims file
// states, from the per-round paired ratios of the cells concerned (the
// statistics writebench's own verdicts use). Nothing is written by hand.
//
// Usage: go run ./scripts/claimsdoc -claims scripts/claims.txt -sets DIR [-out FILE]
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/stats"
)

// confidence of every interval on the page; tie is the margin of "!>".
const (
	confidence = judge.DefaultConfidence
	tie        = judge.DefaultTie
)

type claim struct {
	n, text, run string
	expects      []string
	notes        []string
}

func main() {
	claimsPath := flag.String("claims", "scripts/claims.txt", "the claims file")
	sets := flag.String("sets", "", "directory holding claimN.json (required)")
	out := flag.String("out", "", "write the page here (default stdout)")
	flag.Parse()
	if *sets == "" || flag.NArg() > 0 {
		fmt.Fprintln(os.Stderr, "usage: claimsdoc -claims FILE -sets DIR [-out FILE]")
		os.Exit(2)
	}
	claims, err := readClaims(*claimsPath)
	if err != nil {
		fmt.Fprintln(os.Stderr, "claimsdoc:", err)
		os.Exit(2)
	}
	var w io.Writer = os.Stdout
	var f *os.File
	if *out != "" {
		if f, err = os.Create(*out); err != nil {
			fmt.Fprintln(os.Stderr, "claimsdoc:", err)
			os.Exit(2)
		}
		w = f
	}
	bw := bufio.NewWriter(w)
	write(bw, claims, *sets)
	if err := bw.Flush(); err != nil {
		fmt.Fprintln(os.Stderr, "claimsdoc:", err)
		os.Exit(1)
	}
	if f != nil {
		if err := f.Close(); err != nil {
			fmt.Fprintln(os.Stderr, "claimsdoc:", err)
			os.Exit(1)
		}
	}
}

// readClaims parses the claims file (see its header).
func readClaims(path string) ([]claim, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []claim
	for i, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		key, val, _ := strings.Cut(line, " ")
		if key == "claim" {
			out = append(out, claim{n: val})
			continue
		}
		if len(out) == 0 {
			return nil, fmt.Errorf("%s:%d: %q before the first claim", path, i+1, key)
		}
		c := &out[len(out)-1]
		switch key {
		case "text":
			c.text = val
		case "run":
			c.run = val
		case "expect":
			c.expects = append(c.expects, val)
		case "note":
			c.notes = append(c.notes, val)
		default:
			return nil, fmt.Errorf("%s:%d: unknown key %q", path, i+1, key)
		}
	}
	return out, nil
}

func write(w io.Writer, claims []claim, dir string) {
	fmt.Fprint(w, `# The claims, checked on a machine

writebench grew out of popular advice about writing files from async Python (aiofiles, asyncio). This page checks
each of its claims on the claim's own workload, with the advice's Python writers (`+"`scripts/writers/`"+`, run as
external strategies through [the protocol](protocol.md)) next to the matching Go strategies. It is generated:
`+"`scripts/claims.sh --doc`"+` runs the workloads listed in `+"`scripts/claims.txt`"+` and writes this page from the result
sets with `+"`scripts/claimsdoc`"+`; nothing on it is written by hand.

Every verdict is a paired one: for "X faster than Y", the median over rounds of time(Y)/time(X), where X and Y ran
back to back in the same round, with its 95% sign-test interval. **held**: the interval says so (above 1; for "no
faster", its top at most 1.05); **contradicted**: the interval says the opposite; **undecided**: it straddles.
A claim is held when all its checks hold.

`)
	for _, c := range claims {
		fmt.Fprintf(w, "## %s. %s\n\n", c.n, c.text)
		if c.run == "none" || c.run == "" {
			for _, n := range c.notes {
				fmt.Fprintf(w, "%s\n\n", n)
			}
			continue
		}
		path := filepath.Join(dir, "claim"+c.n+".json")
		set, err := resultset.Load(path)
		if errors.Is(err, os.ErrNotExist) {
			fmt.Fprintf(w, "**not measured yet** (`scripts/claims.sh --doc` measures it): `writebench run %s`\n\n", c.run)
			for _, n := range c.notes {
				fmt.Fprintf(w, "%s\n\n", n)
			}
			continue
		}
		if err != nil {
			fmt.Fprintf(w, "**not measured**: %v\n\n", err)
			continue
		}
		var results []string
		var lines []string
		for _, e := range c.expects {
			v, line := check(set, e)
			results = append(results, v)
			lines = append(lines, line)
		}
		fmt.Fprintf(w, "**%s**, on %s\n\n", overall(results), machine(set))
		fmt.Fprintf(w, "`%s` (%s)\n\n", command(set, c.run), rounds(set))
		for _, l := range lines {
			fmt.Fprintf(w, "- %s\n", l)
		}
		fmt.Fprintln(w)
		cells(w, set)
		for _, n := range c.notes {
			fmt.Fprintf(w, "%s\n\n", n)
		}
	}
}

// overall is a claim's verdict from its checks'.
func overall(rs []string) string {
	count := func(v string) int {
		n := 0
		for _, r := range rs {
			if strings.HasPrefix(r, v) {
				n++
			}
		}
		return n
	}
	held, contra := count("held"), count("contradicted")
	switch {
	case len(rs) == 0:
		return "measured (no check stated)"
	case held == len(rs):
		return "held"
	case contra == len(rs):
		return "contradicted"
	case held > 0 && contra > 0:
		return fmt.Sprintf("mixed: %d of %d checks held, %d contradicted", held, len(rs), contra)
	case contra > 0:
		return fmt.Sprintf("contradicted in %d of %d checks, the rest undecided", contra, len(rs))
	case held > 0:
		return fmt.Sprintf("held in %d of %d checks, the rest undecided or not measured", held, len(rs))
	}
	return "undecided"
}

func machine(s *resultset.Set) string {
	e := s.Env
	return fmt.Sprintf("%s (%d cores), %s on %s, %s %s", e.CPU, e.Cores, e.FSType, e.Device, e.GOOS, e.Kernel)
}

// command is the command line the set records, without where it was
// saved and how progress was shown ("writebench run " + run without one).
func command(s *resultset.Set, run string) string {
	args := s.Env.Command
	if len(args) == 0 {
		return "writebench run " + run
	}
	var out []string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--out" || a == "--progress":
			i++
		case strings.HasPrefix(a, "--out=") || strings.HasPrefix(a, "--progress="):
		default:
			out = append(out, a)
		}
	}
	return strings.Join(out, " ")
}

func rounds(s *resultset.Set) string {
	lo, hi := -1, 0
	for i := range s.Results {
		n := len(s.Results[i].Seconds)
		if n == 0 {
			continue
		}
		if lo < 0 || n < lo {
			lo = n
		}
		hi = max(hi, n)
	}
	if lo == hi {
		return fmt.Sprintf("%d rounds", hi)
	}
	return fmt.Sprintf("%d-%d rounds", lo, hi)
}

// selector matches cells: a strategy and parameter values.
type selector struct {
	strategy string
	params   map[string]string
}

func parseSelector(s string) selector {
	parts := strings.Split(s, "/")
	sel := selector{strategy: parts[0], params: map[string]string{}}
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(p, "=")
		sel.params[k] = v
	}
	return sel
}

func params(c *resultset.Cell) map[string]string {
	m := map[string]string{}
	for _, p := range c.Params() {
		m[p.Name] = p.Value
	}
	return m
}

func (s selector) match(c *resultset.Cell) bool {
	if c.Strategy != s.strategy {
		return false
	}
	ps := params(c)
	for k, v := range s.params {
		if ps[k] != v {
			return false
		}
	}
	return true
}

// comparable reports whether x and y did the same work but for the
// parameters the selectors name.
func comparable(x, y *resultset.Cell, a, b selector) bool {
	if x.Files != y.Files || x.FileSize != y.FileSize {
		return false
	}
	px, py := params(x), params(y)
	for k, v := range px {
		if _, named := a.params[k]; named {
			continue
		}
		if _, named := b.params[k]; named {
			continue
		}
		if yv, ok := py[k]; ok && yv != v {
			return false
		}
	}
	return true
}

// check evaluates one expectation and returns its verdict and a line for
// the page.
func check(s *resultset.Set, e string) (string, string) {
	f := strings.Fields(e)
	switch {
	case len(f) == 2 && (f[0] == "corrupts" || f[0] == "intact"):
		return checkRecords(s, f[0], f[1])
	case len(f) == 3 && (f[1] == ">" || f[1] == "!>"):
	default:
		return "not measured", fmt.Sprintf("%q: not a check this page understands", e)
	}
	a, b := parseSelector(f[0]), parseSelector(f[2])
	var out []string
	verdict := ""
	for i := range s.Results {
		x := &s.Results[i]
		if !a.match(x) {
			continue
		}
		for j := range s.Results {
			y := &s.Results[j]
			if i == j || !b.match(y) || !comparable(x, y, a, b) {
				continue
			}
			where := fmt.Sprintf("%d × %s", x.Files, resultset.FormatBytes(x.FileSize))
			if x.Skipped != "" || y.Skipped != "" || x.Failed() || y.Failed() {
				out = append(out, fmt.Sprintf("%s %s %s (%s): not measured (%s)", f[0], word(f[1]), f[2], where, skipReason(x)+skipReason(y)))
				verdict = worst(verdict, "not measured")
				continue
			}
			// time(Y)/time(X): above 1 when X is faster.
			est, lo, hi, ok := stats.RatioInterval(resultset.PairedRatios(y, x), confidence)
			v := "undecided"
			switch {
			case !ok:
				v = "undecided (too few rounds)"
			case f[1] == ">" && lo > 1, f[1] == "!>" && hi <= 1+tie:
				v = "held"
			case f[1] == ">" && hi < 1, f[1] == "!>" && lo > 1+tie:
				v = "contradicted"
			}
			verdict = worst(verdict, v)
			out = append(out, fmt.Sprintf("%s %s %s (%s): %s× [%s, %s]: **%s**", f[0], word(f[1]), f[2], where,
				sig(est), sig(lo), sig(hi), v))
		}
	}
	if len(out) == 0 {
		return "not measured", fmt.Sprintf("%s %s %s: no such pair of cells", f[0], word(f[1]), f[2])
	}
	return verdict, strings.Join(out, "; ")
}

// checkRecords checks a "corrupts CELL" or "intact CELL" claim (kind) on the
// records of the cell CELL selects.
func checkRecords(s *resultset.Set, kind, cell string) (string, string) {
	sel := parseSelector(cell)
	for i := range s.Results {
		c := &s.Results[i]
		if !sel.match(c) {
			continue
		}
		if c.Skipped != "" || c.Failed() {
			return "not measured", fmt.Sprintf("%s: not measured (%s)", cell, skipReason(c))
		}
		var corrupt, total int64
		for k := range c.CorruptRecords {
			corrupt += c.CorruptRecords[k]
			total += c.Records[k]
		}
		v := "held"
		if (corrupt > 0) != (kind == "corrupts") {
			v = "contradicted"
		}
		return v, fmt.Sprintf("%s %s: %d of %d records corrupt over %d rounds: **%s**", cell, kind, corrupt, total, len(c.CorruptRecords), v)
	}
	return "not measured", fmt.Sprintf("%s: no such cell", cell)
}

// worst combines the verdicts of one check over several workloads: held
// only when held everywhere.
func worst(a, b string) string {
	order := []string{"", "held", "undecided", "undecided (too few rounds)", "not measured", "contradicted"}
	if slices.Index(order, b) > slices.Index(order, a) {
		return b
	}
	return a
}

func word(op string) string {
	if op == ">" {
		return "faster than"
	}
	return "no faster (within 5%) than"
}

func skipReason(c *resultset.Cell) string {
	switch {
	case c.Skipped != "":
		return "skipped: " + c.Skipped
	case c.Failed():
		return "failed: " + c.Error
	}
	return ""
}

func sig(v float64) string { return fmt.Sprintf("%.3g", v) }

// cells prints the cells' medians.
func cells(w io.Writer, s *resultset.Set) {
	fmt.Fprintln(w, "| cell | median time | write syscalls | note |")
	fmt.Fprintln(w, "|:--|--:|--:|:--|")
	for i := range s.Results {
		c := &s.Results[i]
		note := skipReason(c)
		t, sc := "-", "-"
		if len(c.Seconds) > 0 {
			t = fmt.Sprintf("%.4g ms", 1000*median(c.Seconds))
		}
		if len(c.WriteSyscalls) > 0 {
			var v []float64
			for _, n := range c.WriteSyscalls {
				v = append(v, float64(n))
			}
			if m := median(v); m >= 0 {
				sc = fmt.Sprintf("%.0f", m)
			}
		}
		fmt.Fprintf(w, "| `%s` | %s | %s | %s |\n", c.Key(), t, sc, note)
	}
	fmt.Fprintln(w)
}

func median(v []float64) float64 {
	s := slices.Clone(v)
	slices.Sort(s)
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
