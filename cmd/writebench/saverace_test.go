package main

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/writebench/writebench/resultset"
)

// TestConcurrentRunsKeepEverySavedSet starts many real writebench
// processes with one --out over an existing set, holds each in its cell
// (an external writer waits on a gate file) until all have checked --out,
// then lets them all save at once: every run that says it saved a set
// (and where) must find that set, by its seed, in a file afterwards.
func TestConcurrentRunsKeepEverySavedSet(t *testing.T) {
	const runs = 12
	base := t.TempDir()
	readyDir, gate := filepath.Join(base, "ready"), filepath.Join(base, "gate")
	os.Mkdir(readyDir, 0o755)
	writer := filepath.Join(base, "gate.sh")
	os.WriteFile(writer, []byte(`#!/bin/sh
touch "$WB_READY_DIR/$$"
echo ready
while IFS= read -r line; do
	while [ ! -e "$WB_GATE" ]; do sleep 0.01; done
	echo ok
done
`), 0o755)
	outDir := t.TempDir()
	out := filepath.Join(outDir, "shared.json")
	// An earlier set at --out, which a run may replace.
	earlier := &resultset.Set{Schema: resultset.SchemaVersion, Tool: resultset.Tool, Complete: true}
	earlier.Env.Seed = 1
	if err := resultset.Save(out, earlier); err != nil {
		t.Fatal(err)
	}

	// TMPDIR: where a run that cannot save to --out would put its set.
	env := []string{"WB_READY_DIR=" + readyDir, "WB_GATE=" + gate, "TMPDIR=" + t.TempDir()}
	type child struct {
		cmd    *exec.Cmd
		stderr fmt.Stringer
		done   chan error
	}
	children := make([]child, runs)
	for i := range children {
		cmd, stderr := writebenchCmd(t, env, "run", "--exec", "gate=/bin/sh "+writer, "--strategies", "gate",
			"--files", "1", "--sizes", "4KiB", "--repeat", "1", "--warmup", "0", "--no-verify",
			"--dir", t.TempDir(), "--out", out, "--seed", strconv.Itoa(100+i))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		c := child{cmd: cmd, stderr: stderr, done: make(chan error, 1)}
		go func() { c.done <- cmd.Wait() }()
		children[i] = c
	}
	deadline := time.Now().Add(time.Minute)
	for {
		ready, _ := os.ReadDir(readyDir)
		if len(ready) == runs {
			break
		}
		if time.Now().After(deadline) {
			os.WriteFile(gate, nil, 0o644)
			t.Fatalf("only %d of %d runs reached their cell", len(ready), runs)
		}
		time.Sleep(10 * time.Millisecond)
	}
	os.WriteFile(gate, nil, 0o644)

	savedTo := regexp.MustCompile(`result set saved to (\S+)`)
	saved := map[uint64]string{}
	for i, c := range children {
		err := <-c.done
		msg := c.stderr.String()
		m := savedTo.FindStringSubmatch(msg)
		if m == nil {
			t.Logf("run %d (exit %v) did not report a save:\n%s", i, err, msg)
			continue
		}
		if err != nil {
			t.Errorf("run %d reports a save but failed: %v\n%s", i, err, msg)
		}
		saved[uint64(100+i)] = m[1]
	}
	if len(saved) < runs {
		t.Errorf("%d of %d runs saved their set", len(saved), runs)
	}
	// Every set reported saved is in the file it was reported saved to.
	for seed, path := range saved {
		s, err := resultset.Load(path)
		if err != nil {
			t.Errorf("the set of seed %d, reported saved to %s: %v", seed, path, err)
			continue
		}
		if s.Env.Seed != seed {
			t.Errorf("%s holds the set of seed %d, not that of seed %d, which was reported saved there", path, s.Env.Seed, seed)
		}
	}
	files, _ := filepath.Glob(filepath.Join(outDir, "*"))
	if len(files) != runs {
		t.Errorf("%d files in the output directory, want %d (every run's set, the earlier one replaced once): %v", len(files), runs, files)
	}
}
