package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// The README's shell examples are run by TestREADMEExamples, as
// golang/perf's cmd/benchstat/doc_test.go runs the examples of its doc
// comment, so an example that stops working fails CI. The rules:
//
//   - Only fenced blocks whose info string is sh, shell, bash or console are
//     read (indented fences inside list items too); in console blocks only
//     lines starting with "$ " are commands. Other blocks (plain ```, json,
//     go) show output or syntax and are not run.
//   - A trailing " # comment" is dropped, lines ending in "\" are joined, and
//     of a pipeline only the first command counts.
//   - A command whose first words are "writebench" or "go run
//     ./cmd/writebench" runs in-process through run(ctx, args, stdout,
//     stderr), in a temporary working directory. "> FILE" sends its stdout
//     to FILE there.
//   - writebench run gets --repeat 2 --warmup 0 --files 1 --sizes 4KiB
//     --progress never --dir TMP appended (flags given later win), so every
//     example runs at a small scale (a --dir list A,B gets as many
//     directories under TMP); --drop-caches is removed (it would drop the
//     whole machine's page cache).
//   - Every *.json argument that does not exist yet (and is not the value of
//     --out) is created first as a copy of a small result set measured at
//     the start of the test, so report and compare examples have input.
//   - The command must succeed (exit 0). compare may also exit 1: a
//     regression is a verdict, not a broken example.
//   - The working directory holds a link to the repository's scripts/, as
//     the README's commands are run from the repository root.
//   - writebench ab gets --repeat 6 --files 1 --sizes 4KiB appended, and a
//     BASE or NEW path ending in /writebench that does not exist is built
//     from this tree first (go build), so the A/B example runs for real.
//   - A command starting with scripts/NAME must name an executable file of
//     the repository; it is not run (scripts build and sweep at full scale).
//   - Everything else (go test, go install, benchstat, mpirun, cd...) is
//     skipped: it is not writebench's to check.

// readmeCommand is one shell command from the README.
type readmeCommand struct {
	line int    // 1-based line in README.md
	text string // the command as written, without comment
}

// readmeCommands extracts the commands of the shell blocks of a Markdown
// document, following the rules above.
func readmeCommands(r io.Reader) ([]readmeCommand, error) {
	var out []readmeCommand
	sc := bufio.NewScanner(r)
	n := 0
	inBlock, console := false, false
	fence := ""
	var cont *readmeCommand
	for sc.Scan() {
		n++
		raw := sc.Text()
		trimmed := strings.TrimSpace(raw)
		if !inBlock {
			if strings.HasPrefix(trimmed, "```") {
				info := strings.TrimSpace(strings.TrimPrefix(trimmed, "```"))
				if f := strings.Fields(info); len(f) > 0 {
					info = f[0]
				}
				switch info {
				case "sh", "shell", "bash", "console":
					inBlock, console, fence = true, info == "console", "```"
				default:
					// Skip a non-shell block to its closing fence.
					for sc.Scan() {
						n++
						if strings.HasPrefix(strings.TrimSpace(sc.Text()), "```") {
							break
						}
					}
				}
			}
			continue
		}
		if strings.HasPrefix(trimmed, fence) {
			inBlock, cont = false, nil
			continue
		}
		line := trimmed
		if cont == nil {
			if console {
				if !strings.HasPrefix(line, "$ ") {
					continue
				}
				line = strings.TrimPrefix(line, "$ ")
			}
			line = stripComment(line)
			if line == "" {
				continue
			}
			out = append(out, readmeCommand{line: n})
			cont = &out[len(out)-1]
		} else {
			line = stripComment(line)
		}
		if more, ok := strings.CutSuffix(line, "\\"); ok {
			cont.text += strings.TrimSpace(more) + " "
			continue
		}
		cont.text = strings.TrimSpace(cont.text + line)
		cont = nil
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if inBlock {
		return out, errors.New("unterminated code block")
	}
	return out, nil
}

// stripComment drops a shell comment: a # at the start or after a space,
// outside quotes.
func stripComment(s string) string {
	quote := rune(0)
	for i, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			}
		case r == '\'' || r == '"':
			quote = r
		case r == '#' && (i == 0 || s[i-1] == ' ' || s[i-1] == '\t'):
			return strings.TrimSpace(s[:i])
		}
	}
	return strings.TrimSpace(s)
}

// splitArgs splits a command into words, honouring single and double
// quotes, and returns the words before any pipe and the file of a "> FILE"
// redirection.
func splitArgs(s string) (args []string, redirect string, err error) {
	var cur strings.Builder
	inWord, quote := false, rune(0)
	var words []string
	for _, r := range s {
		switch {
		case quote != 0:
			if r == quote {
				quote = 0
			} else {
				cur.WriteRune(r)
			}
		case r == '\'' || r == '"':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if quote != 0 {
		return nil, "", fmt.Errorf("unterminated quote in %q", s)
	}
	if inWord {
		words = append(words, cur.String())
	}
	for i := 0; i < len(words); i++ {
		switch w := words[i]; {
		case w == "|" || w == "&&" || w == ";":
			return args, redirect, nil
		case w == ">" || w == ">>":
			if i+1 < len(words) {
				redirect = words[i+1]
				i++
			}
		case strings.HasPrefix(w, ">") && len(w) > 1:
			redirect = strings.TrimLeft(w, ">")
		case w == "2>&1" || strings.HasPrefix(w, "2>"):
		default:
			args = append(args, w)
		}
	}
	return args, redirect, nil
}

// writebenchArgs returns the arguments after "writebench" or "go run
// ./cmd/writebench", or false when the command is not writebench's.
func writebenchArgs(words []string) ([]string, bool) {
	switch {
	case len(words) >= 1 && words[0] == "writebench":
		return words[1:], true
	case len(words) >= 3 && words[0] == "go" && words[1] == "run" && strings.TrimSuffix(words[2], "/") == "./cmd/writebench":
		return words[3:], true
	}
	return nil, false
}

// smallScale adapts the arguments of a writebench run example so it runs in
// well under a second.
func smallScale(args []string, dir string) []string {
	if len(args) > 0 && args[0] == "ab" {
		return append(args, "--repeat", "6", "--files", "1", "--sizes", "4KiB", "--progress", "never", "--dir", dir)
	}
	if len(args) == 0 || args[0] != "run" {
		return args
	}
	var out []string
	dirs := dir
	for i, a := range args {
		if a == "--drop-caches" {
			continue
		}
		if a == "--dir" && i+1 < len(args) && strings.Contains(args[i+1], ",") {
			// A list of directories becomes as many under dir.
			var ds []string
			for k := range strings.Split(args[i+1], ",") {
				d := filepath.Join(dir, fmt.Sprintf("dir%d", k))
				os.MkdirAll(d, 0o755)
				ds = append(ds, d)
			}
			dirs = strings.Join(ds, ",")
		}
		out = append(out, a)
	}
	return append(out, "--repeat", "2", "--warmup", "0", "--files", "1", "--sizes", "4KiB", "--progress", "never", "--dir", dirs)
}

func TestReadmeCommandsParse(t *testing.T) {
	md := "intro\n```sh\nwritebench run --files 1 \\\n  --sizes 4KiB   # small\n# a comment line\ngo test ./...\n```\n" +
		"```\nwritebench report FILE... [--format F]\n```\n" +
		"  ```console\n  $ writebench list\n  output line\n  ```\n" +
		"```json\n{\"writebench\": 1}\n```\n"
	cmds, err := readmeCommands(strings.NewReader(md))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, c := range cmds {
		got = append(got, fmt.Sprintf("%d:%s", c.line, c.text))
	}
	want := "3:writebench run --files 1 --sizes 4KiB|6:go test ./...|12:writebench list"
	if g := strings.Join(got, "|"); g != want {
		t.Errorf("commands\n got %s\nwant %s", g, want)
	}
	args, redir, err := splitArgs(`writebench report 'a b.json' --format csv > out.csv | head`)
	if err != nil || strings.Join(args, ",") != "writebench,report,a b.json,--format,csv" || redir != "out.csv" {
		t.Errorf("splitArgs: %q %q %v", args, redir, err)
	}
	if s := stripComment(`writebench run --label "a # b"  # comment`); s != `writebench run --label "a # b"` {
		t.Errorf("stripComment: %q", s)
	}
}

// TestREADMEExamples runs every writebench command of README.md's shell
// blocks at a small scale (see the rules at the top of this file).
func TestREADMEExamples(t *testing.T) {
	if testing.Short() {
		t.Skip("runs every README example")
	}
	repo, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(filepath.Join(repo, "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	cmds, err := readmeCommands(f)
	f.Close()
	if err != nil {
		t.Fatalf("README.md: %v", err)
	}
	work := t.TempDir()
	scratch := t.TempDir()
	t.Chdir(work)
	// The README's commands run from the repository root, so the working
	// directory gets the repository's scripts/ (writers, exec files).
	if err := os.Symlink(filepath.Join(repo, "scripts"), filepath.Join(work, "scripts")); err != nil {
		t.Fatal(err)
	}

	// A small result set every report/compare example can read.
	seed := filepath.Join(scratch, "seed.json")
	if code, _, errs := runCLI(t, "run", "--strategies", "bufio,unbuffered", "--files", "1,2", "--sizes", "4KiB,8KiB",
		"--repeat", "2", "--warmup", "0", "--progress", "never", "--dir", scratch, "--out", seed); code != 0 {
		t.Fatalf("seed run: exit %d: %s", code, errs)
	}
	seedData, err := os.ReadFile(seed)
	if err != nil {
		t.Fatal(err)
	}

	ran := 0
	for _, c := range cmds {
		words, redirect, err := splitArgs(c.text)
		if err != nil {
			t.Errorf("README.md:%d: %v", c.line, err)
			continue
		}
		if len(words) > 0 && strings.HasPrefix(words[0], "scripts/") {
			st, err := os.Stat(filepath.Join(repo, words[0]))
			if err != nil || st.Mode()&0o111 == 0 {
				t.Errorf("README.md:%d: %s is not an executable script of the repository (%v)", c.line, words[0], err)
			}
			continue
		}
		args, ok := writebenchArgs(words)
		if !ok {
			continue
		}
		args = smallScale(args, scratch)
		// ab examples name two writebench binaries: build this tree's
		// once into each path that does not exist yet.
		if len(args) >= 3 && args[0] == "ab" {
			for _, bin := range args[1:3] {
				if _, err := os.Stat(bin); err == nil || !strings.HasSuffix(bin, "/writebench") {
					continue
				}
				if testing.Short() {
					t.Logf("README.md:%d: ab example not run in -short mode (it builds writebench)", c.line)
					continue
				}
				abs, _ := filepath.Abs(bin)
				build := exec.Command("go", "build", "-o", abs, "./cmd/writebench")
				build.Dir = repo
				if out, err := build.CombinedOutput(); err != nil {
					t.Fatalf("README.md:%d: build %s: %v\n%s", c.line, bin, err, out)
				}
			}
		}
		// Input sets: copies of the seed set.
		for i, a := range args {
			if !strings.HasSuffix(a, ".json") || (i > 0 && (args[i-1] == "--out" || args[i-1] == "--markdown")) || strings.HasPrefix(a, "--out=") {
				continue
			}
			if _, err := os.Stat(a); err == nil {
				continue
			}
			if err := os.MkdirAll(filepath.Dir(a), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(a, seedData, 0o644); err != nil {
				t.Fatal(err)
			}
		}
		t.Run(fmt.Sprintf("line%d", c.line), func(t *testing.T) {
			var stdout strings.Builder
			var stderr strings.Builder
			err := run(context.Background(), args, &stdout, &stderr)
			var fe *failedError
			if err != nil && !(len(args) > 0 && args[0] == "compare" && errors.As(err, &fe)) {
				t.Errorf("README.md:%d: %s\n(ran as: writebench %s)\nerror: %v\nstderr:\n%s", c.line, c.text, strings.Join(args, " "), err, stderr.String())
			}
			if redirect != "" {
				if err := os.WriteFile(redirect, []byte(stdout.String()), 0o644); err != nil {
					t.Errorf("README.md:%d: > %s: %v", c.line, redirect, err)
				}
			}
		})
		ran++
	}
	if ran == 0 {
		t.Fatal("README.md has no writebench command in a shell block: the parser or the README is broken")
	}
	t.Logf("ran %d README commands", ran)
}
