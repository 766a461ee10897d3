package report

// The answer on one screen: what a plain `writebench run` prints. A short
// header (machine, sync mode, drift), one line per workload in the manner
// of hyperfine ("chunked ran 1.31 [1.25, 1.37]× faster than pool"), the
// caveats, and where the full tables are.

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/writebench/writebench/judge"
	"github.com/writebench/writebench/report/summary"
	"github.com/writebench/writebench/resultset"
)

// Bounds of the one-screen answer: lines are cut at MaxAnswerWidth
// characters, and at most MaxAnswerGroups workload lines are shown (the
// rest are counted, with the command that shows them).
const (
	MaxAnswerWidth  = 120
	MaxAnswerGroups = 24
)

// AnswerOptions says where the set was saved, for the closing lines.
type AnswerOptions struct {
	Path string // the saved result set ("" when it could not be saved)
}

// WriteAnswer writes the one-screen answer for set: at most 40 lines, none
// longer than MaxAnswerWidth characters.
func WriteAnswer(w io.Writer, set *resultset.Set, o AnswerOptions) error {
	ew := &errWriter{w: w}
	line := func(s string) {
		indent := s[:len(s)-len(strings.TrimLeft(s, " "))]
		ew.printf("%s%s\n", indent, oneLine(escapeText(s), MaxAnswerWidth-len(indent)))
	}
	vs := judge.Verdicts(set, judge.OptionsFor(set))
	shared := sharedWorkload(vs)

	line("writebench: " + machineLine(set))
	if r := ranksEnv(set); r != "" {
		line("ran as " + r) // a line of its own: the machine line is cut at the width
	}
	line("ran " + repetitionsText(set) + warmupText(set.Env) + " per cell")
	for _, l := range strings.Split(syncLine(set, shared), "\n") {
		line(l)
	}
	for _, d := range driftLines(set) {
		line(d)
	}
	if !set.Complete {
		line("INCOMPLETE: the sweep was interrupted" + prefixed(" by ", set.Interrupted) + "; the verdicts use the rounds that ran")
	}
	ew.printf("\n")
	if len(vs) == 0 {
		line("no workload has two contenders to compare")
	} else {
		v0 := vs[0]
		line(fmt.Sprintf("Per workload (paired per-round ratios, %g%% intervals; A ≈ B: within ±%s or not told apart):", 100*v0.Confidence, resultset.FormatPercent(v0.Tie)))
		for i := range vs {
			if i == MaxAnswerGroups {
				line(fmt.Sprintf("... and %d more workloads (see the full tables)", len(vs)-i))
				break
			}
			label := workloadLabel(&vs[i], shared) + ": "
			line(label + answerLine(&vs[i], set.Env.BudgetSpent, MaxAnswerWidth-utf8.RuneCountInString(label)))
		}
	}
	for _, c := range caveats(set, vs) {
		line("caveat: " + c)
	}
	ew.printf("\n")
	if o.Path != "" {
		line("saved: " + o.Path)
		line("full tables: writebench report " + shellQuote(o.Path) + flagText("   (or run with {details})"))
	}
	return ew.err
}

// machineLine is the environment in one short line (the ranks of an MPI
// run have a line of their own).
func machineLine(s *resultset.Set) string {
	e := s.Env
	var parts []string
	switch {
	case len(e.Dirs) > 1:
		var ds []string
		for _, d := range e.Dirs {
			fs := orDash(d.FSType)
			if d.FSType == "tmpfs" || d.FSType == "ramfs" {
				fs += ": memory"
			}
			ds = append(ds, oneLine(resultset.Printable(d.Dir), 24)+" ("+fs+")")
		}
		parts = append(parts, strings.Join(ds, " vs "))
	case storageText(e) != "":
		parts = append(parts, storageText(e))
	}
	if e.CPU != "" {
		parts = append(parts, fmt.Sprintf("%s (%s)", oneLine(e.CPU, 32), coresText(e)))
	}
	if e.Kernel != "" {
		k := e.Kernel
		if i := strings.IndexByte(k, '-'); i > 0 {
			k = k[:i]
		}
		parts = append(parts, strings.TrimSpace(e.GOOS+" "+k))
	}
	return strings.Join(parts, ", ")
}

// syncLine says what the sync modes measured and names the workload
// parameters every line shares.
func syncLine(s *resultset.Set, shared []resultset.Param) string {
	var modes []string
	for i := range s.Results {
		if !slices.Contains(modes, s.Results[i].Sync) {
			modes = append(modes, s.Results[i].Sync)
		}
	}
	what := map[string]string{
		"none":     "no fsync: this times the page cache, not the disk",
		"close":    "fsync before each close, timed",
		"data":     "fdatasync before each close, timed",
		"end":      "one syncfs at the end, timed",
		"dsync":    "RWF_DSYNC on every write, timed",
		"uncached": "RWF_DONTCACHE writes, no sync",
	}
	var parts []string
	for _, m := range modes {
		parts = append(parts, "sync "+m+" ("+what[m]+")")
	}
	t := strings.Join(parts, "; ")
	var rest []string
	for _, p := range shared {
		if p.Name != "sync" {
			rest = append(rest, p.Name+"="+p.Value)
		}
	}
	if s.Env.Verify {
		t += "; every file read back and verified"
	} else {
		t += flagText("; verification OFF ({no_verify})")
	}
	if len(rest) > 0 {
		t += "\nevery workload: " + strings.Join(rest, ", ")
	}
	return t
}

// driftLines warn when a workload's rounds changed by more than
// judge.DriftWarn over the sweep.
func driftLines(s *resultset.Set) []string {
	var over []resultset.Drift
	for _, d := range judge.DriftsOf(s) {
		if d.Ratio >= judge.DriftWarn || d.Ratio <= 1/judge.DriftWarn {
			over = append(over, d)
		}
	}
	if len(over) == 0 {
		return nil
	}
	lo, hi := math.Inf(1), 0.0
	for _, d := range over {
		lo, hi = min(lo, d.Ratio), max(hi, d.Ratio)
	}
	span := factor(hi) + "×"
	if lo != hi {
		span = factor(lo) + "-" + factor(hi) + "×"
	}
	return []string{
		fmt.Sprintf("drift: in %d of %d workloads the last rounds took %s the time of the first (warned beyond %s×):",
			len(over), len(judge.DriftsOf(s)), span, factor(judge.DriftWarn)),
		"       absolute figures (throughput, files/s) mix fast and slow rounds; the paired ratios below cancel it",
	}
}

// sharedWorkload lists the workload parameters beyond files and size that
// every group has with one value, which the header states once.
func sharedWorkload(vs []judge.Verdict) []resultset.Param {
	if len(vs) == 0 {
		return nil
	}
	var out []resultset.Param
	for _, p := range vs[0].Group {
		if p.Name == "files" || p.Name == "size" {
			continue
		}
		all := true
		for i := range vs[1:] {
			if !slices.Contains(vs[1+i].Group, p) {
				all = false
			}
		}
		if all {
			out = append(out, p)
		}
	}
	return out
}

// workloadLabel is "16 × 4KiB" plus the group's parameters the header does
// not state.
func workloadLabel(v *judge.Verdict, shared []resultset.Param) string {
	files, size, _, _ := summary.Workload(v)
	t := files + " × " + size
	for _, p := range v.Group {
		if p.Name == "files" || p.Name == "size" || slices.Contains(shared, p) {
			continue
		}
		if p.Name == "sync" {
			t += ", sync " + p.Value
			continue
		}
		t += ", " + p.Name + "=" + p.Value
	}
	return t
}

// Headline is the group's answer in its first words, the same in the
// one-screen line and the verdict table: "use A", "use A ≈ B",
// "undecided: A ≈ B lead", "no contender ran".
func Headline(v *judge.Verdict) string {
	if v.Fastest == "" {
		return "no contender ran"
	}
	var names []string
	for _, c := range summary.Leaders(v) {
		names = append(names, c.Label)
	}
	who := strings.Join(names, " ≈ ")
	switch {
	case v.Verdict == judge.Undecided && len(names) > 1:
		return "undecided: " + who + " lead"
	case v.Verdict == judge.Undecided:
		return "undecided: " + who + " leads"
	}
	return "use " + who
}

// slowerFactor is how much slower than the fastest c ran, with its
// interval ("1.31 [1.25, 1.37]", "12 [11, 14]"), and the word that goes
// after "×": "slower"; "faster" for a ratio above 1; "slower (no interval
// yet)" with too few rounds.
func slowerFactor(c *judge.Contender) (string, string) {
	if math.IsNaN(c.Ratio) || !(c.Ratio > 0) {
		return "?", "(no rounds in common)"
	}
	f, word := 1/c.Ratio, "slower"
	lo, hi := 1/c.CIHigh, 1/c.CILow
	if c.Ratio > 1 {
		f, word, lo, hi = c.Ratio, "faster", c.CILow, c.CIHigh
	}
	if math.IsNaN(c.CILow) || !(c.CILow > 0) {
		return factor(f), word + " (no interval yet)"
	}
	return fmt.Sprintf("%s [%s, %s]", factor(f), factor(lo), factor(hi)), word
}

// answerLine is a group's line after its workload label: the headline,
// then the two nearest other contenders with their intervals and a count of
// the rest: "use chunked ≈ bufio; slower: pool 1.22 [1.15, 1.30]×, mmap 1.5
// [1.4, 1.6]×, 3 more 2.0-12×". A winner reads as hyperfine does: "use
// chunked: ran 1.31 [1.25, 1.37]× faster than pool; ...".
func answerLine(v *judge.Verdict, budgetSpent bool, width int) string {
	var s string
	for shown := 2; shown >= -1; shown-- { // -1: no range for the rest
		if s = answerLineN(v, budgetSpent, shown, false); utf8.RuneCountInString(s) <= width {
			break
		}
	}
	return s
}

// answerLineN is answerLine with at most shown other contenders named with
// their intervals; long says in full what would decide an undecided group
// (the report's lines), else "~N more rounds".
func answerLineN(v *judge.Verdict, budgetSpent bool, shown int, long bool) string {
	head := Headline(v)
	if v.Fastest == "" {
		return head + notCompared(v)
	}
	leaders := summary.Leaders(v)
	rest := answerRest(v, leaders)
	s := head
	if v.Verdict == judge.Winner && len(leaders) == 1 && len(rest) > 0 {
		n, _ := slowerFactor(rest[0])
		s += ": ran " + n + "× faster than " + rest[0].Label
		rest = rest[1:]
		if shown > 0 {
			shown--
		}
	}
	s += othersClause(v, rest, shown)
	s += roundsClause(v, budgetSpent, long)
	return s + notRunClause(v, long)
}

// answerRest are the contenders of v after its leaders that ran and are
// safe, in v's order.
func answerRest(v *judge.Verdict, leaders []*judge.Contender) []*judge.Contender {
	var rest []*judge.Contender
	for i := range v.Contenders {
		c := &v.Contenders[i]
		if slices.Contains(leaders, c) || c.Verdict == judge.Skipped || c.Verdict == judge.Failed || c.Verdict == judge.Unsafe {
			continue
		}
		rest = append(rest, c)
	}
	return rest
}

// othersClause is "; within 5% or slower: chunked 1.04 [1.01, 1.07]×;
// slower: pool 1.22 [1.15, 1.30]×, 3 more (2.0-12×)": the first shown of
// rest with their intervals, listed under their Standing, and the others
// counted with their range (no range when shown is negative).
func othersClause(v *judge.Verdict, rest []*judge.Contender, shown int) string {
	type list struct {
		word  string
		items []string
	}
	var lists []*list
	add := func(word, item string) *list {
		for _, l := range lists {
			if l.word == word {
				l.items = append(l.items, item)
				return l
			}
		}
		l := &list{word, []string{item}}
		lists = append(lists, l)
		return l
	}
	named := min(max(shown, 0), len(rest))
	for _, c := range rest[:named] {
		n, word := slowerFactor(c)
		if word == "slower" {
			word = "" // the list's word says it
		}
		add(summary.Standing(v, c), strings.TrimSpace(c.Label+" "+n+"× "+word))
	}
	more := rest[named:]
	if len(more) > 0 {
		word := summary.Standing(v, more[0])
		for _, c := range more[1:] {
			if summary.Standing(v, c) != word {
				word = "" // mixed: counted apart from the lists
			}
		}
		switch {
		case len(more) == 1 && more[0].Ratio > 0:
			add(word, more[0].Label+" "+factor(1/more[0].Ratio)+"×")
		case word == "":
			t := moreCount(more, "more", shown >= 0)
			if strings.HasSuffix(t, "×)") {
				t = strings.TrimSuffix(t, ")") + " slower, not all decided)"
			}
			lists = append(lists, &list{"", []string{t}})
		case len(lists) == 0:
			lists = append(lists, &list{"", []string{moreCount(more, word, shown >= 0)}})
		default:
			add(word, moreCount(more, "more", shown >= 0))
		}
	}
	var s string
	for _, l := range lists {
		if l.word == "" {
			s += "; " + strings.Join(l.items, ", ")
			continue
		}
		s += "; " + l.word + ": " + strings.Join(l.items, ", ")
	}
	return s
}

// moreCount counts the contenders more that are not named: "3 more", or
// "3 slower" (word), with their range of factors when withRange.
func moreCount(more []*judge.Contender, word string, withRange bool) string {
	lo, hi := math.Inf(1), 0.0
	for _, r := range more {
		if r.Ratio > 0 {
			lo, hi = min(lo, 1/r.Ratio), max(hi, 1/r.Ratio)
		}
	}
	t := fmt.Sprintf("%d %s", len(more), word)
	if lo <= hi && withRange {
		t += " (" + factor(lo) + "-" + factor(hi) + "×)"
	}
	return t
}

// roundsClause says what would decide an undecided group: in full when
// long, else "~N more rounds" (or that it is too close to decide).
func roundsClause(v *judge.Verdict, budgetSpent, long bool) string {
	if m := moreRoundsText(v, budgetSpent); long && m != "" {
		return "; " + m
	}
	if v.Verdict != judge.Undecided || v.MoreRounds <= 0 {
		return ""
	}
	switch {
	case v.MoreRounds >= judge.MaxMoreRounds:
		return "; too close to the margin to decide"
	case budgetSpent:
		return fmt.Sprintf(flagText("; ~%d more rounds ({budget})"), v.MoreRounds)
	default:
		return fmt.Sprintf("; ~%d more rounds", v.MoreRounds)
	}
}

// notRunClause names the contenders that were not compared: in full when
// long, else the unsafe ones by name and a count of the skipped and failed.
func notRunClause(v *judge.Verdict, long bool) string {
	if long {
		return notCompared(v)
	}
	var s string
	var unsafe []string
	for _, c := range contendersWith(v, judge.Unsafe) {
		unsafe = append(unsafe, c.Label)
	}
	if len(unsafe) > 0 {
		s += "; never " + strings.Join(unsafe, ", ") + " (corrupted data)"
	}
	if n := len(contendersWith(v, judge.Skipped, judge.Failed)); n > 0 {
		s += fmt.Sprintf("; %d not run", n)
	}
	return s
}

// caveats are the comparisons that mix kinds of writes: O_DIRECT or
// io_uring beside page-cache writes under sync none, where the page-cache
// writers stop before the disk and the others do not (or complete
// asynchronously).
func caveats(s *resultset.Set, vs []judge.Verdict) []string {
	kinds := map[string]string{
		"direct": "direct (O_DIRECT) reaches the device, the others only the page cache under sync none",
		"uring":  "uring hands its writes to io_uring's kernel workers, the others write from this process",
	}
	seen := map[string]bool{}
	var out []string
	for i := range vs {
		v := &vs[i]
		if _, _, sync, _ := summary.Workload(v); sync != "none" {
			continue
		}
		var has []string
		other := false
		for _, c := range v.Contenders {
			if _, ok := kinds[c.Strategy]; ok {
				has = append(has, c.Strategy)
			} else {
				other = true
			}
		}
		for _, h := range has {
			if other && !seen[h] {
				seen[h] = true
				out = append(out, kinds[h]+flagText(": try {sync} data too"))
			}
		}
	}
	slices.Sort(out)
	return out
}

// shellQuote quotes p for a POSIX shell when it needs it.
func shellQuote(p string) string {
	if p != "" && strings.IndexFunc(p, func(r rune) bool {
		return !(r == '/' || r == '.' || r == '-' || r == '_' || r == '+' || r == ':' || r == '@' ||
			r >= '0' && r <= '9' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z')
	}) < 0 {
		return p
	}
	return "'" + strings.ReplaceAll(p, "'", `'\''`) + "'"
}
