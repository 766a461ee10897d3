package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies/external"
)

// shWriter is the repository's POSIX sh protocol writer.
func shWriter(t *testing.T) string {
	t.Helper()
	p, err := filepath.Abs("../../scripts/writers/writer.sh")
	if err != nil {
		t.Fatal(err)
	}
	return "sh " + p
}

func writeScript(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "w.sh")
	if err := os.WriteFile(p, []byte("#!/bin/sh\n"+body), 0o755); err != nil {
		t.Fatal(err)
	}
	return "sh " + p
}

func TestRunExecFlags(t *testing.T) {
	dir := t.TempDir()
	execFile := filepath.Join(dir, "w.exec")
	os.WriteFile(execFile, []byte("# a comment\nsh-file="+shWriter(t)+"\n"), 0o644)
	out := filepath.Join(dir, "set.json")
	code, stdout, stderr := runCLI(t, "run", "--exec", "sh-flag="+shWriter(t), "--exec-file", execFile,
		"--strategies", "chunked,sh-flag,sh-file", "--files", "2", "--sizes", "5000", "--repeat", "1", "--warmup", "0",
		"--budget", "0", "--dir", dir, "--out", out, "--progress", "never")
	if code != 0 {
		t.Fatalf("exit %d\nstdout:\n%s\nstderr:\n%s", code, stdout, stderr)
	}
	set, err := resultset.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, c := range set.Results {
		got[c.Strategy] = c.Verified && len(c.Seconds) == 1
	}
	for _, s := range []string{"chunked", "sh-flag", "sh-file"} {
		if !got[s] {
			t.Errorf("strategy %s: not run and verified (%v)", s, got)
		}
	}
}

func TestRunExecUsageErrors(t *testing.T) {
	dir := t.TempDir()
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--exec", "nocommand"}, "--exec: exec definition"},
		{[]string{"--exec", "chunked=sh x"}, "name of a built-in strategy"},
		{[]string{"--exec", "a=sh x", "--exec", "a=sh y"}, "defined twice"},
		{[]string{"--exec-file", filepath.Join(dir, "missing.exec")}, "missing.exec: no such file or directory"},
		{[]string{"--exec", "a=sh x", "--exec-timeout", "0s"}, "--exec-timeout"},
	}
	for _, c := range cases {
		args := append([]string{"run", "--dir", dir, "--out", filepath.Join(dir, "o.json")}, c.args...)
		code, _, stderr := runCLI(t, args...)
		if code != 2 || !strings.Contains(stderr, c.want) {
			t.Errorf("%q: exit %d, stderr %q; want 2 and %q", c.args, code, stderr, c.want)
		}
	}
}

func TestWorkerCommand(t *testing.T) {
	old := workerStdin
	defer func() { workerStdin = old }()
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"worker"}, "ok"},
		{[]string{"worker", "chunked"}, "ok"}, // runs chunked whatever the request names
		{[]string{"worker", "--timeline=1ms", "--write-latency", "chunked"}, "ok"},
		{[]string{"worker", "--timeline"}, "ok"},
	} {
		req := &external.Request{Strategy: "bufio", Dir: t.TempDir(), Files: 2, Size: 3000, Width: 1, Seed: 1}
		line, _ := req.Encode()
		workerStdin = strings.NewReader(line + "\n")
		code, stdout, stderr := runCLI(t, c.args...)
		lines := strings.Split(strings.TrimSpace(stdout), "\n")
		if code != 0 || len(lines) != 2 || !strings.HasPrefix(lines[0], "ready writebench ") || lines[1] != c.want {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", c.args, code, stdout, stderr)
		}
	}
	if code, _, stderr := runCLI(t, "worker", "nosuch"); code != 2 || !strings.Contains(stderr, "unknown strategy") {
		t.Errorf("worker nosuch: exit %d, %q", code, stderr)
	}
	for _, bad := range [][]string{{"--timeline=0s"}, {"--timeline=x"}, {"--bogus"}, {"--write-latency=1"}} {
		if code, _, stderr := runCLI(t, append([]string{"worker"}, bad...)...); code != 2 || !strings.Contains(stderr, "worker: ") {
			t.Errorf("worker %q: exit %d, %q; want a usage error", bad, code, stderr)
		}
	}
}

func TestABEndToEnd(t *testing.T) {
	dir := t.TempDir()
	fails := writeScript(t, "echo ready\nwhile read l; do echo 'error disk full (simulated)'; done\n")
	skips := writeScript(t, "echo 'skip needs a module this machine lacks'\n")
	common := []string{"--strategies", "sh", "--files", "1", "--sizes", "4096", "--repeat", "6", "--warmup", "0",
		"--dir", dir, "--progress", "never"}
	cases := []struct {
		name     string
		base     string
		new      string
		wantCode int
		want     []string
	}{
		{"NEW fails", shWriter(t), fails, 1, []string{"FAILED in NEW (regression)", "disk full (simulated)"}},
		{"BASE fails", fails, shWriter(t), 0, []string{"failed in BASE only"}},
		// NEW measured nowhere: not evidence of no regression.
		{"NEW skipped", shWriter(t), skips, 1, []string{"skipped", "needs a module"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			code, stdout, stderr := runCLI(t, append([]string{"ab", c.base, c.new}, common...)...)
			if code != c.wantCode {
				t.Fatalf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, c.wantCode, stdout, stderr)
			}
			for _, w := range c.want {
				if !strings.Contains(stdout, w) {
					t.Errorf("stdout lacks %q:\n%s", w, stdout)
				}
			}
			if !strings.Contains(stdout, "strategy=sh/files=1/size=4KiB") {
				t.Errorf("stdout does not name the cell:\n%s", stdout)
			}
		})
	}
}
