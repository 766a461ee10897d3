package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"

	"github.com/writebench/writebench/internal/textfmt"
	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies"
)

// runCLI runs the command line args as main would and returns the exit
// status and what was printed.
func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), args, &out, &errb)
	code = exitCode(err, &errb)
	return code, out.String(), errb.String()
}

func TestListCommand(t *testing.T) {
	code, out, errs := runCLI(t, "list")
	if code != 0 || errs != "" {
		t.Fatalf("list: exit %d, stderr %q", code, errs)
	}
	// The strategy lines are the indented lines between "Strategies:" and
	// the blank line before the presets.
	section, _, ok := strings.Cut(strings.TrimPrefix(out, "Strategies:\n"), "\n\n")
	if !ok || !strings.HasPrefix(out, "Strategies:\n") {
		t.Fatalf("list output has no Strategies section:\n%s", out)
	}
	var names []string
	for _, line := range strings.Split(section, "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			t.Fatalf("strategy line %q has no description", line)
		}
		names = append(names, f[0])
	}
	want := strategies.Names() // the registry, sorted
	if !slices.Equal(names, want) {
		t.Errorf("list shows %v, want %v in this order", names, want)
	}
	for _, p := range []string{"default", "quick", "ci"} {
		if !strings.Contains(out, "  "+p+" ") {
			t.Errorf("list does not show preset %s", p)
		}
	}
	if code, _, errs := runCLI(t, "list", "extra"); code != 2 || !strings.Contains(errs, `"extra"`) {
		t.Errorf("list extra: exit %d, stderr %q; want 2 naming the argument", code, errs)
	}
}

func TestVersionCommand(t *testing.T) {
	for _, args := range [][]string{{"version"}, {"--version"}, {"-v"}} {
		code, out, errs := runCLI(t, args...)
		if code != 0 || errs != "" || !strings.HasPrefix(out, "writebench ") || !strings.Contains(out, "go1.") {
			t.Errorf("%v: exit %d, stdout %q, stderr %q", args, code, out, errs)
		}
	}
	if code, _, _ := runCLI(t, "version", "x"); code != 2 {
		t.Errorf("version x: exit %d, want 2", code)
	}
}

func TestHelp(t *testing.T) {
	tests := []struct {
		args []string
		want []string // substrings of stdout
	}{
		{[]string{"help"}, []string{"Usage: writebench COMMAND", "run ", "list ", "version ", "Exit status"}},
		{[]string{"--help"}, []string{"Usage: writebench COMMAND"}},
		{[]string{"-h"}, []string{"Usage: writebench COMMAND"}},
		{[]string{"help", "run"}, []string{"Examples:", "writebench run --preset quick", "--sizes", "--strategies", "--sync"}},
		{[]string{"run", "-h"}, []string{"Examples:", "writebench run --preset quick", "--sizes"}},
		{[]string{"run", "--help"}, []string{"Examples:"}},
		{[]string{"help", "list"}, []string{"Example:", "writebench list"}},
		{[]string{"list", "-h"}, []string{"writebench list"}},
	}
	for _, tt := range tests {
		code, out, errs := runCLI(t, tt.args...)
		if code != 0 || errs != "" {
			t.Errorf("%v: exit %d, stderr %q; want 0 and nothing on stderr", tt.args, code, errs)
		}
		for _, w := range tt.want {
			if !strings.Contains(out, w) {
				t.Errorf("%v: stdout lacks %q", tt.args, w)
			}
		}
	}
}

func TestUnknownCommand(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"bogus"}, `unknown command "bogus" (known: `},
		{[]string{"runn"}, `unknown command "runn"`},
		{[]string{"help", "bogus"}, `help: unknown command "bogus"`},
		{nil, "no command given"},
	}
	for _, tt := range tests {
		code, out, errs := runCLI(t, tt.args...)
		if code != 2 || !strings.Contains(errs, tt.want) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, errs, tt.want)
		}
		if len(tt.args) > 0 && out != "" {
			t.Errorf("%v: wrote %q to stdout", tt.args, out)
		}
	}
}

// TestRunUsageErrors checks that every bad flag is a usage error (exit 2)
// reported in one stderr line naming the flag and the value, and that
// nothing is written: neither --out nor anything under --dir.
func TestRunUsageErrors(t *testing.T) {
	tests := []struct {
		name string
		args []string // after run --dir D --out O/out.json --progress never
		want []string // substrings of the stderr line
	}{
		{"decimal size", []string{"--sizes", "4KB"}, []string{"--sizes", `"4KB"`, "IEC"}},
		{"negative size", []string{"--sizes", "-1"}, []string{"--sizes", `"-1"`, "negative"}},
		{"fraction", []string{"--sizes", "1.5MiB"}, []string{"--sizes", `"1.5MiB"`}},
		{"size too large", []string{"--sizes", "2PiB"}, []string{"--sizes", "out of range"}},
		{"zero files", []string{"--files", "0"}, []string{"--files", "0 is out of range"}},
		{"files not a number", []string{"--files", "abc"}, []string{"--files", `"abc"`}},
		{"empty list item", []string{"--files", "1,,2"}, []string{"--files", "empty item"}},
		{"unknown strategy", []string{"--strategies", "bogus"}, []string{"--strategies", `"bogus"`, "known: " + strings.Join(strategies.Names(), ", ")}},
		{"strategy typo", []string{"--strategies", "chunkd"}, []string{"--strategies", `did you mean "chunked"`}},
		{"sync", []string{"--sync", "maybe"}, []string{"--sync", `"maybe"`, "none, data, close, end, dsync, uncached"}},
		{"preset", []string{"--preset", "nope"}, []string{"--preset", `"nope"`, strings.Join(presetNames(), ", ")}},
		{"preset typo", []string{"--preset", "quik"}, []string{"--preset", `did you mean "quick"`}},
		{"repeat 0", []string{"--repeat", "0"}, []string{"--repeat", "0 is out of range"}},
		{"repeat too many", []string{"--repeat", "10001"}, []string{"--repeat", "10001"}},
		{"warmup negative", []string{"--warmup", "-1"}, []string{"--warmup", "-1"}},
		{"record 0", []string{"--record", "0"}, []string{"--record", "0B is out of range"}},
		{"chunk too big", []string{"--chunk", "2GiB"}, []string{"--chunk", "2GiB", "out of range"}},
		{"concurrency 0", []string{"--concurrency", "0"}, []string{"--concurrency", "0 is out of range"}},
		{"per-file", []string{"--per-file", "semaphore"}, []string{"--per-file", `"semaphore"`}},
		{"dir missing", []string{"--dir", "/nonexistent/wb"}, []string{"--dir", "/nonexistent/wb", "does not exist"}},
		{"format", []string{"--format", "xml"}, []string{"--format", `"xml"`}},
		{"progress", []string{"--progress", "sometimes"}, []string{"--progress", `"sometimes"`, "auto, always, never"}},
		{"unknown flag", []string{"--bogus"}, []string{"--bogus"}},
		// Several bad knobs: the first of the parameter table is named, on every run.
		{"record, buffer and chunk 0", []string{"--chunk", "0", "--buffer", "0", "--record", "0"}, []string{"--record:", "out of range"}},
		{"queue depth", []string{"--queue-depth", "0"}, []string{"--queue-depth:", "out of range"}},
		{"batch above IOV_MAX", []string{"--batch", "2000"}, []string{"--batch:", "out of range"}},
		{"prealloc typo", []string{"--prealloc", "fallocat"}, []string{"--prealloc:", `did you mean "fallocate"`}},
		{"budget negative", []string{"--budget", "-5s"}, []string{"--budget:", "negative"}},
		{"budget not a duration", []string{"--budget", "40"}, []string{"--budget", "40"}},
		{"precision", []string{"--precision", "2"}, []string{"--precision:", "out of range"}},
		{"tie", []string{"--tie", "-0.1"}, []string{"--tie:", "out of range"}},
		// An explicit zero is refused, not read as "the default".
		{"tie 0", []string{"--tie", "0"}, []string{"--tie:", "out of range"}},
		{"precision 0", []string{"--precision", "0"}, []string{"--precision:", "out of range"}},
		{"min-rounds 0", []string{"--min-rounds", "0"}, []string{"--min-rounds:", "out of range"}},
		{"repeat negative", []string{"--repeat", "-3"}, []string{"--repeat: -3 is out of range"}},
		{"min-rounds negative", []string{"--min-rounds", "-1"}, []string{"--min-rounds: -1 is out of range"}},
		// The library names fields; the command prints every one as its flag.
		{"memory limit", []string{"--memory-limit", "1MiB", "--strategies", "chunked", "--files", "1", "--sizes", "64MiB"},
			[]string{"use smaller --chunk/--record/--sizes or a lower --concurrency"}},
		{"vs dir with one dir", []string{"--vs", "dir"}, []string{"--vs: dir needs two or more directories (--dir A,B)"}},
		{"positional argument", []string{"extra"}, []string{`"extra"`}},
		{"positional after flags", []string{"--files", "1", "more"}, []string{`"more"`}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir, outDir := t.TempDir(), t.TempDir()
			out := filepath.Join(outDir, "out.json")
			args := append([]string{"run", "--dir", dir, "--out", out, "--progress", "never"}, tt.args...)
			code, stdout, stderr := runCLI(t, args...)
			if code != 2 {
				t.Fatalf("exit %d, want 2; stderr %q", code, stderr)
			}
			if strings.Count(stderr, "\n") != 1 || !strings.HasPrefix(stderr, "writebench: run: ") {
				t.Errorf("stderr %q, want one line starting with %q", stderr, "writebench: run: ")
			}
			for _, w := range tt.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr %q lacks %q", stderr, w)
				}
			}
			if strings.Contains(stderr, "{") {
				t.Errorf("stderr %q holds an unrendered field reference", stderr)
			}
			if stdout != "" {
				t.Errorf("stdout %q, want nothing", stdout)
			}
			for _, d := range []string{dir, outDir} {
				if ents, _ := os.ReadDir(d); len(ents) != 0 {
					t.Errorf("%s holds %d entries after a usage error, want none", d, len(ents))
				}
			}
		})
	}
}

func TestRunOutErrors(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		out  string
		want string
	}{
		{dir, "is a directory"},
		{filepath.Join(dir, "missing", "out.json"), "--out"},
		{filepath.Join(file, "out.json"), "is not a directory"},
		{"", "--out: empty path"},
	}
	for _, tt := range tests {
		code, _, errs := runCLI(t, "run", "--dir", t.TempDir(), "--out", tt.out, "--strategies", "chunked", "--files", "1", "--sizes", "1")
		if code != 2 || !strings.Contains(errs, tt.want) || strings.Count(errs, "\n") != 1 {
			t.Errorf("--out %s: exit %d, stderr %q; want 2 and one line with %q", tt.out, code, errs, tt.want)
		}
	}
}

// TestRunTiny runs a real two-strategy sweep end to end.
func TestRunTiny(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.json")
	code, stdout, stderr := runCLI(t, "run", "--strategies", "chunked,bufio", "--files", "2", "--sizes", "4KiB",
		"--repeat", "6", "--warmup", "0", "--dir", dir, "--out", out, "--progress", "never", "--seed", "5")
	if code != 0 {
		t.Fatalf("exit %d; stderr:\n%s", code, stderr)
	}
	set, err := resultset.Load(out)
	if err != nil {
		t.Fatalf("resultset.Load(%s): %v", out, err)
	}
	if len(set.Results) != 2 || !set.Complete {
		t.Fatalf("%d cells, complete %v; want 2, true", len(set.Results), set.Complete)
	}
	for i, name := range []string{"chunked", "bufio"} {
		c := set.Results[i]
		if c.Strategy != name || c.Files != 2 || c.FileSize != 4096 || len(c.Seconds) != 6 || !c.Verified || c.Failed() {
			t.Errorf("cell %d: %s files %d size %d, %d samples, verified %v, error %q",
				i, c.Strategy, c.Files, c.FileSize, len(c.Seconds), c.Verified, c.Error)
		}
	}
	if set.Env.Warmup != 0 || set.Env.Repeat != 6 || set.Env.Seed != 5 || set.Env.Preset != "default" {
		t.Errorf("env: warmup %d, repeat %d, seed %d, preset %q", set.Env.Warmup, set.Env.Repeat, set.Env.Seed, set.Env.Preset)
	}
	if want := []string{"writebench", "run", "--strategies", "chunked,bufio"}; !slices.Equal(set.Env.Command[:4], want) {
		t.Errorf("env command %v, want it to start with %v", set.Env.Command, want)
	}
	// The answer on one screen, and where the full tables are.
	for _, w := range []string{"sync none (no fsync", "every file read back and verified", "2 × 4KiB: ", "chunked", "bufio",
		"saved: " + out, "full tables: writebench report " + out} {
		if !strings.Contains(stdout, w) {
			t.Errorf("stdout lacks %q:\n%s", w, stdout)
		}
	}
	// --details prints the full tables, as report does.
	code, stdout, stderr = runCLI(t, "run", "--strategies", "chunked,bufio", "--files", "2", "--sizes", "4KiB",
		"--repeat", "6", "--dir", dir, "--out", out, "--progress", "never", "--details")
	if code != 0 {
		t.Fatalf("--details: exit %d; stderr:\n%s", code, stderr)
	}
	for _, w := range []string{"sync: none (no fsync", "every file read back and verified", "strategy", "throughput", "Verdict per comparison group"} {
		if !strings.Contains(stdout, w) {
			t.Errorf("--details: stdout lacks %q:\n%s", w, stdout)
		}
	}
	if !strings.Contains(stderr, "result set saved to "+out) || !strings.Contains(stderr, "2 cells, complete") {
		t.Errorf("stderr %q does not report the saved set", stderr)
	}
	// Only the result set is left in --dir: the scratch directory is gone.
	ents, _ := os.ReadDir(dir)
	if len(ents) != 1 || ents[0].Name() != "out.json" {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("--dir holds %v, want only out.json", names)
	}
}

// TestRunFailedCell checks that a failed cell gives exit 1 with the set
// still saved and the other cells measured. A 1PiB file fails the free-space
// check before anything is written.
func TestRunFailedCell(t *testing.T) {
	dir := t.TempDir()
	out := filepath.Join(dir, "out.json")
	code, _, stderr := runCLI(t, "run", "--strategies", "chunked", "--files", "1", "--sizes", "4KiB,1PiB",
		"--repeat", "1", "--warmup", "0", "--dir", dir, "--out", out, "--progress", "never")
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr:\n%s", code, stderr)
	}
	for _, w := range []string{"size=1PiB", "failed: not started", "1.00PiB", "1 of 2 cells failed"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	set, err := resultset.Load(out)
	if err != nil {
		t.Fatalf("the set of a sweep with a failed cell was not saved: %v", err)
	}
	if len(set.Results) != 2 {
		t.Fatalf("%d cells, want 2", len(set.Results))
	}
	ok, bad := set.Results[0], set.Results[1]
	if ok.Failed() || len(ok.Seconds) != 1 || !ok.Verified {
		t.Errorf("4KiB cell: error %q, %d samples", ok.Error, len(ok.Seconds))
	}
	if !bad.Failed() || !strings.Contains(bad.Error, "1.00PiB") {
		t.Errorf("1PiB cell error %q, want the space check naming 1.00PiB", bad.Error)
	}
}

// TestRunProgressLines checks --progress always on a non-terminal: one line
// per repetition on stderr, nothing on stdout beyond the summary.
func TestRunProgressLines(t *testing.T) {
	dir := t.TempDir()
	code, stdout, stderr := runCLI(t, "run", "--strategies", "chunked", "--files", "1", "--sizes", "1",
		"--repeat", "2", "--warmup", "1", "--dir", dir, "--out", filepath.Join(dir, "o.json"), "--progress", "always")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	for _, w := range []string{"[1/3] warmup strategy=chunked", "[3/3] rep strategy=chunked"} {
		if !strings.Contains(stderr, w) {
			t.Errorf("stderr lacks %q:\n%s", w, stderr)
		}
	}
	if strings.Contains(stdout, "[1/3]") {
		t.Error("progress went to stdout")
	}
}

// TestRunDefaultOut checks that without --out the set goes to a new
// results/ directory under the working directory.
func TestRunDefaultOut(t *testing.T) {
	wd := t.TempDir()
	t.Chdir(wd)
	code, _, stderr := runCLI(t, "run", "--strategies", "chunked", "--files", "1", "--sizes", "1",
		"--repeat", "1", "--warmup", "0", "--dir", t.TempDir(), "--progress", "never")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	matches, _ := filepath.Glob(filepath.Join(wd, "results", "*.json"))
	if len(matches) != 1 {
		t.Fatalf("results/ holds %v, want one set", matches)
	}
	if _, err := resultset.Load(matches[0]); err != nil {
		t.Error(err)
	}
}

// TestListMatchesRegistry keeps list and the registry in step.
func TestListMatchesRegistry(t *testing.T) {
	_, out, _ := runCLI(t, "list")
	for _, s := range strategies.All() {
		if d := textfmt.FieldRefs(s.Describe(), flagRef); !strings.Contains(out, d) {
			t.Errorf("list lacks %s's description %q", s.Name(), d)
		}
	}
}

// TestRunInterrupted checks that a signal-cancelled run exits 130 (SIGINT)
// or 143 (SIGTERM) and still saves the partial set.
func TestRunInterrupted(t *testing.T) {
	for _, tt := range []struct {
		sig  os.Signal
		code int
	}{{os.Interrupt, 130}, {syscall.SIGTERM, 143}} {
		dir := t.TempDir()
		out := filepath.Join(dir, "out.json")
		ctx, cancel := context.WithCancelCause(context.Background())
		cancel(&interruptedError{sig: tt.sig})
		var stdout, stderr bytes.Buffer
		err := run(ctx, []string{"run", "--strategies", "chunked", "--files", "1", "--sizes", "1",
			"--dir", dir, "--out", out, "--progress", "never"}, &stdout, &stderr)
		if code := exitCode(err, &stderr); code != tt.code {
			t.Errorf("%v: exit %d, want %d; stderr %q", tt.sig, code, tt.code, stderr.String())
		}
		if !strings.Contains(stderr.String(), "interrupted by "+signalName(tt.sig)) || !strings.Contains(stderr.String(), "INCOMPLETE") {
			t.Errorf("%v: stderr %q does not report the interruption", tt.sig, stderr.String())
		}
		set, err := resultset.Load(out)
		if err != nil {
			t.Fatalf("%v: partial set not saved: %v", tt.sig, err)
		}
		if set.Complete || set.Interrupted == "" {
			t.Errorf("%v: saved set Complete %v, Interrupted %q", tt.sig, set.Complete, set.Interrupted)
		}
	}
}

// TestHelpEverywhere: -h and --help print help and exit 0 on every command,
// including version and help itself.
func TestHelpEverywhere(t *testing.T) {
	for _, name := range commandNames() {
		for _, h := range []string{"-h", "--help"} {
			code, out, errs := runCLI(t, name, h)
			if code != 0 || !strings.Contains(out, "writebench "+name) || errs != "" {
				t.Errorf("%s %s: exit %d, stdout %q, stderr %q", name, h, code, out, errs)
			}
		}
	}
	for _, args := range [][]string{{"help", "-h"}, {"help", "--help"}, {"help", "help"}, {"-h"}, {"help", "version"}} {
		if code, out, _ := runCLI(t, args...); code != 0 || out == "" {
			t.Errorf("%v: exit %d, stdout %q", args, code, out)
		}
	}
}

// TestUnknownFlagDidYouMean: an unknown flag is one line on stderr with the
// nearest flag, exit 2.
func TestUnknownFlagDidYouMean(t *testing.T) {
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"run", "--strategy", "bufio"}, "unknown flag: --strategy; did you mean --strategies?"},
		{[]string{"run", "--size=4KiB"}, "did you mean --sizes?"},
		{[]string{"report", "--fromat", "csv", "x.json"}, "unknown flag: --fromat; did you mean --format?"},
		{[]string{"compare", "--treshold", "5%", "a.json", "b.json"}, "did you mean --threshold?"},
		{[]string{"run", "-strategies", "bufio"}, "did you mean --strategies?"},
		{[]string{"run", "--zzzzzzzz"}, "unknown flag: --zzzzzzzz (see 'writebench help run')"},
		{[]string{"rnu"}, `unknown command "rnu"`},
	} {
		code, out, errs := runCLI(t, c.args...)
		if code != 2 || out != "" || !strings.Contains(errs, c.want) || strings.Count(errs, "\n") != 1 {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want exit 2 and one line with %q", c.args, code, out, errs, c.want)
		}
	}
}

func TestFormatElapsed(t *testing.T) {
	for _, c := range []struct {
		sec  float64
		want string
	}{{0.0123, "12ms"}, {0.4, "400ms"}, {0.9996, "1.0s"}, {27.51, "27.5s"}, {185, "3m05s"}} {
		if got := formatElapsed(c.sec); got != c.want {
			t.Errorf("formatElapsed(%v) = %q, want %q", c.sec, got, c.want)
		}
	}
	if got := (&interruptedError{sig: os.Interrupt}).Error(); got != "SIGINT" {
		t.Errorf("interrupted error %q: the set records it after \"interrupted by \"", got)
	}
}

// --vs names contender axes: an unknown one, or files and size (the batch
// itself), is a usage error naming the flag; a good one is recorded in the
// set so report decides it the same way.
func TestRunVs(t *testing.T) {
	for _, bad := range []string{"foo", "files", "size"} {
		code, _, stderr := runCLI(t, "run", "--vs", bad, "--dry-run")
		if code != 2 || !strings.Contains(stderr, "--vs") {
			t.Errorf("--vs %s: exit %d, stderr %q; want 2 naming --vs", bad, code, stderr)
		}
	}
	dir := t.TempDir()
	out := filepath.Join(dir, "vs.json")
	code, stdout, stderr := runCLI(t, "run", "--vs", "chunk", "--strategies", "chunked", "--chunk", "4KiB,64KiB",
		"--files", "1", "--sizes", "64KiB", "--repeat", "6", "--dir", dir, "--out", out, "--progress", "never")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr)
	}
	set, err := resultset.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(set.Env.Vs, []string{"chunk"}) {
		t.Errorf("env.vs %q, want [chunk]", set.Env.Vs)
	}
	if !strings.Contains(stdout, "every workload: strategy=chunked") || !strings.Contains(stdout, "chunk=4KiB") {
		t.Errorf("the answer does not compare chunk sizes of chunked:\n%s", stdout)
	}
}
