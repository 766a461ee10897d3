package main

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/writebench/writebench/resultset"
)

// compareJitter is a fixed ±2% noise pattern for synthetic samples.
var compareJitter = []float64{1.000, 1.012, 0.991, 1.020, 0.983, 1.006, 0.996, 1.015}

func compareCell(strategy string, files int, median float64, n int) resultset.Cell {
	c := resultset.Cell{Strategy: strategy, Files: files, FileSize: 64 << 10, Sync: "none", Verified: true}
	for i := 0; i < n; i++ {
		c.Seconds = append(c.Seconds, median*compareJitter[i%len(compareJitter)])
		c.WriteSyscalls = append(c.WriteSyscalls, int64(files))
		c.StorageBytes = append(c.StorageBytes, 0)
		c.SyncSeconds = append(c.SyncSeconds, 0)
		c.UserSeconds = append(c.UserSeconds, 0.001)
		c.SysSeconds = append(c.SysSeconds, 0.002)
		c.Allocs = append(c.Allocs, 10)
		c.AllocBytes = append(c.AllocBytes, 1000)
	}
	return c
}

// writeCompareSet saves a set with cells bufio/16 (10ms) and chunked/1 (2ms),
// scaled by the factors, n samples each, and returns its path.
func writeCompareSet(t *testing.T, name string, n int, bufio, chunked float64, edit func(*resultset.Set)) string {
	t.Helper()
	s := &resultset.Set{Schema: resultset.SchemaVersion, Tool: resultset.Tool, Complete: true,
		Env:     resultset.Env{GOOS: "linux", GOARCH: "amd64", Hostname: "ci", CPU: "cpu", Cores: 2, FSType: "ext4", Dir: "/tmp"},
		Results: []resultset.Cell{compareCell("bufio", 16, 0.010*bufio, n), compareCell("chunked", 1, 0.002*chunked, n)},
	}
	if edit != nil {
		edit(s)
	}
	path := filepath.Join(t.TempDir(), name)
	if err := resultset.Save(path, s); err != nil {
		t.Fatal(err)
	}
	return path
}

func runCompareCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	err := run(context.Background(), append([]string{"compare"}, args...), &out, &errb)
	code = exitCode(err, &errb)
	return code, out.String(), errb.String()
}

func TestCompareCommand(t *testing.T) {
	base := writeCompareSet(t, "base.json", 8, 1, 1, nil)
	same := writeCompareSet(t, "same.json", 8, 1, 1, nil)
	slower := writeCompareSet(t, "slower.json", 8, 1.5, 1, nil)
	slightly := writeCompareSet(t, "slightly.json", 8, 1.01, 1.01, nil)
	faster := writeCompareSet(t, "faster.json", 8, 1, 0.5, nil)
	few := writeCompareSet(t, "few.json", 3, 2, 2, nil)
	missing := writeCompareSet(t, "missing.json", 8, 1, 1, func(s *resultset.Set) {
		s.Results = s.Results[:1]
		s.Results = append(s.Results, compareCell("pool", 4, 0.003, 8))
	})
	otherHost := writeCompareSet(t, "other.json", 8, 1, 1, func(s *resultset.Set) { s.Env.Hostname = "laptop" })
	failing := writeCompareSet(t, "failing.json", 8, 1, 1, func(s *resultset.Set) { s.Results[1].Error = "disk full" })
	disjoint := writeCompareSet(t, "disjoint.json", 8, 1, 1, func(s *resultset.Set) {
		for i := range s.Results {
			s.Results[i].Files *= 2 // other workloads: no key in common with base
		}
	})
	empty := writeCompareSet(t, "empty.json", 8, 1, 1, func(s *resultset.Set) { s.Results = nil })
	// Samples spread over a factor of 4 around the same median: no
	// change of 5% could be seen in such a cell.
	spread := func(c *resultset.Cell) {
		for i := range c.Seconds {
			c.Seconds[i] *= []float64{1, 4, 0.25, 2, 0.5, 3, 0.4, 1.5}[i%8]
		}
	}
	noisy := writeCompareSet(t, "noisy.json", 8, 1, 1, func(s *resultset.Set) {
		for i := range s.Results {
			spread(&s.Results[i])
		}
	})
	halfNoisy := writeCompareSet(t, "halfnoisy.json", 8, 1, 1, func(s *resultset.Set) { spread(&s.Results[0]) })
	zeroSeconds := writeCompareSet(t, "zero.json", 8, 1, 1, func(s *resultset.Set) { s.Results[0].Seconds[3] = 0 })

	const bufioKey = "strategy=bufio/files=16/size=64KiB/sync=none"
	const chunkedKey = "strategy=chunked/files=1/size=64KiB/sync=none"
	tests := []struct {
		name      string
		args      []string
		code      int
		stdout    []string // substrings
		notStdout []string
		stderr    []string
	}{
		{"same set", []string{base, same}, 0, []string{"result: PASS"}, []string{"regression:"}, nil},
		{"same file", []string{base, base}, 0, []string{"result: PASS"}, nil, nil},
		{"one cell 1.5x slower", []string{base, slower}, 1,
			[]string{"regression: " + bufioKey + ": seconds 10.0ms -> 15.0ms, +50.0% [", "result: FAIL"},
			[]string{"regression: " + chunkedKey}, []string{"writebench: compare: 1 regression in " + slower}},
		{"1% slower", []string{base, slightly}, 0, []string{"+1.0%", "result: PASS"}, []string{"regression:"}, nil},
		{"faster", []string{base, faster}, 0, []string{"improvement: " + chunkedKey + ": seconds 2.01ms -> 1.00ms, -50.0% [", "p<0.001, n=8+8", "result: PASS"}, nil, nil},
		{"missing cells", []string{base, missing}, 0, []string{"only in base: " + chunkedKey, "only in new: strategy=pool/files=4/size=64KiB/sync=none"}, nil, nil},
		{"too few samples", []string{base, few}, 3, []string{"no verdict: " + bufioKey + ": need >= 4 samples per side to decide, have 8+3", "too few samples", "result: INCONCLUSIVE"}, []string{"regression:", "PASS"},
			[]string{"writebench: compare: inconclusive: no cell of " + few + " could show a change of 5%"}},
		{"every cell too noisy", []string{base, noisy}, 3, []string{"cannot detect", "result: INCONCLUSIVE (no cell could detect a change of 5%)"}, []string{"PASS"}, []string{"inconclusive"}},
		{"every cell too noisy, json", []string{base, noisy, "--format", "json"}, 3, []string{`"inconclusive": true`, `"pass": false`}, nil, []string{"inconclusive"}},
		{"one cell too noisy", []string{base, halfNoisy}, 0, []string{"cannot detect", "result: PASS"}, nil, nil},
		{"env differs", []string{base, otherHost}, 0, []string{`warning: sets were measured in different environments, results may not be comparable: hostname "ci" vs "laptop"`}, nil, nil},
		{"cell newly fails", []string{base, failing}, 1, []string{"regression: " + chunkedKey + ": newly fails: disk full"}, nil, nil},
		{"threshold 60% hides 1.5x", []string{base, slower, "--threshold", "60%"}, 0, []string{"within threshold"}, nil, nil},
		{"threshold as fraction", []string{base, slower, "--threshold=0.6"}, 0, []string{"more than 60% worse"}, nil, nil},
		{"flags before args", []string{"--alpha", "0.01", base, slower}, 1, []string{"< 0.01 and"}, nil, nil},
		{"markdown", []string{base, slower, "--format", "markdown"}, 1, []string{"| cell ", "|:--", "- regression: " + bufioKey}, nil, nil},
		{"metric", []string{base, slower, "--metric", "write_syscalls"}, 0, []string{"metric write_syscalls"}, nil, nil},

		{"no cell in common", []string{base, disjoint}, 2, nil, nil,
			[]string{"writebench: compare: " + base + " and " + disjoint + " have no cell in common: nothing to compare"}},
		{"no cell in common, json", []string{base, disjoint, "--format", "json"}, 2, nil, nil, []string{"have no cell in common"}},
		{"empty new set", []string{base, empty}, 2, nil, nil, []string{"have no cell in common"}},
		{"empty sets", []string{empty, empty}, 2, nil, nil, []string{"have no cell in common"}},
		{"invalid sample", []string{base, zeroSeconds}, 2, nil, nil,
			[]string{"writebench: compare: new: " + zeroSeconds + ": result 0 (bufio): invalid seconds sample 0 (sample 3)"}},
		{"missing file", []string{base, filepath.Join(t.TempDir(), "nope.json")}, 2, nil, nil, []string{"nope.json"}},
		{"not a result set", []string{compareWriteFile(t, "junk.json", "{\"hello\": 1}"), base}, 2, nil, nil, []string{"junk.json", "not a writebench result set"}},
		{"truncated", []string{base, compareWriteFile(t, "trunc.json", "{\"schema\": 1, \"tool\": \"writebench\", \"results\": [")}, 2, nil, nil, []string{"trunc.json"}},
		{"one argument", []string{base}, 2, nil, nil, []string{"want two result sets"}},
		{"bad threshold", []string{base, same, "--threshold", "lots"}, 2, nil, nil, []string{"--threshold"}},
		{"ambiguous threshold", []string{base, same, "--threshold", "5"}, 2, nil, nil, []string{"--threshold \"5\" is ambiguous"}},
		{"negative threshold", []string{base, same, "--threshold", "-5%"}, 2, nil, nil, []string{"--threshold"}},
		{"bad alpha", []string{base, same, "--alpha", "1.5"}, 2, nil, nil, []string{"--alpha"}},
		{"bad metric", []string{base, same, "--metric", "speed"}, 2, nil, nil, []string{"--metric \"speed\""}},
		{"bad format", []string{base, same, "--format", "html"}, 2, nil, nil, []string{"--format \"html\""}},
		{"unknown flag", []string{base, same, "--bogus"}, 2, nil, nil, []string{"bogus"}},
		{"help", []string{"-h"}, 0, []string{"Usage: writebench compare BASE NEW", "--threshold"}, nil, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, stdout, stderr := runCompareCLI(t, tt.args...)
			if code != tt.code {
				t.Errorf("exit %d, want %d\nstdout:\n%s\nstderr:\n%s", code, tt.code, stdout, stderr)
			}
			for _, s := range tt.stdout {
				if !strings.Contains(stdout, s) {
					t.Errorf("stdout lacks %q:\n%s", s, stdout)
				}
			}
			for _, s := range tt.notStdout {
				if strings.Contains(stdout, s) {
					t.Errorf("stdout has %q:\n%s", s, stdout)
				}
			}
			for _, s := range tt.stderr {
				if !strings.Contains(stderr, s) {
					t.Errorf("stderr lacks %q:\n%s", s, stderr)
				}
			}
			if tt.code == 2 && strings.Count(strings.TrimSpace(stderr), "\n") != 0 {
				t.Errorf("usage error is not one line:\n%s", stderr)
			}
			if tt.code == 2 && stdout != "" {
				t.Errorf("usage error, but stdout holds:\n%s", stdout)
			}
		})
	}
}

func TestCompareCommandJSON(t *testing.T) {
	base := writeCompareSet(t, "base.json", 8, 1, 1, nil)
	slower := writeCompareSet(t, "slower.json", 8, 1.5, 1, func(s *resultset.Set) { s.Env.FSType = "tmpfs" })
	code, stdout, stderr := runCompareCLI(t, base, slower, "--format", "json")
	if code != 1 {
		t.Fatalf("exit %d, want 1; stderr %s", code, stderr)
	}
	var got struct {
		Pass        bool `json:"pass"`
		Regressions int  `json:"regressions"`
		Cells       []struct {
			Key     string `json:"key"`
			Verdict string `json:"verdict"`
		} `json:"cells"`
	}
	if err := json.Unmarshal([]byte(stdout), &got); err != nil {
		t.Fatalf("stdout is not JSON: %v\n%s", err, stdout)
	}
	if got.Pass || got.Regressions != 1 || len(got.Cells) != 2 || got.Cells[0].Verdict != "regression" {
		t.Errorf("JSON: %+v", got)
	}
	if !strings.Contains(stderr, `warning: sets were measured in different environments, results may not be comparable: fs_type "ext4" vs "tmpfs"`) {
		t.Errorf("JSON mode: env warning not on stderr:\n%s", stderr)
	}
}

func TestParseThreshold(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want float64
		ok   bool
	}{
		{"5%", 0.05, true}, {"0.05", 0.05, true}, {"12.5%", 0.125, true}, {"0", 0, true}, {"0%", 0, true},
		{"150%", 1.5, true}, {" 5 %", 0.05, true},
		{"5", 0, false}, {"1", 0, false}, {"-1%", 0, false}, {"-0.1", 0, false}, {"abc", 0, false}, {"", 0, false}, {"NaN%", 0, false}, {"inf", 0, false},
	} {
		got, err := parseThreshold(tt.in)
		if (err == nil) != tt.ok || (tt.ok && math.Abs(got-tt.want) > 1e-12) {
			t.Errorf("parseThreshold(%q) = %v, %v; want %v ok=%v", tt.in, got, err, tt.want, tt.ok)
		}
	}
}

func compareWriteFile(t *testing.T, name, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
	return path
}
