//go:build mpi && cgo

package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/writebench/writebench/resultset"
)

// TestMain lets mpirun start this test binary as the writebench command:
// with WRITEBENCH_AS_MAIN set it runs os.Args[1:] as main would.
func TestMain(m *testing.M) {
	if os.Getenv("WRITEBENCH_AS_MAIN") != "" {
		ctx, stop := notifyContext(context.Background())
		err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
		stop()
		os.Exit(exitCode(err, os.Stderr))
	}
	os.Exit(m.Run())
}

// TestMPIRunCommand: 'mpirun -np 4 writebench run' writes one result set
// (rank 0's) with env.ranks 4, aggregate and per-rank samples, prints one
// summary, and leaves no scratch files.
func TestMPIRunCommand(t *testing.T) {
	mpirun, err := exec.LookPath("mpirun")
	if err != nil {
		t.Skip("skipping the MPI tests: mpirun not found in PATH (install openmpi-bin)")
	}
	if v, _ := exec.Command(mpirun, "--version").CombinedOutput(); !strings.Contains(string(v), "Open MPI") {
		t.Skipf("skipping the MPI tests: %s is not Open MPI's mpirun", mpirun)
	}
	dir, outDir := t.TempDir(), t.TempDir()
	out := filepath.Join(outDir, "set.json")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, mpirun, "--allow-run-as-root", "--oversubscribe", "-np", "4",
		os.Args[0], "run", "--strategies", "bufio,chunked", "--files", "1,4", "--sizes", "64KiB",
		"--repeat", "2", "--warmup", "0", "--dir", dir, "--out", out, "--progress", "never")
	cmd.Env = append(os.Environ(), "WRITEBENCH_AS_MAIN=1")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("mpirun: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	if n := strings.Count(stderr.String(), "result set saved to"); n != 1 {
		t.Errorf("%d ranks reported saving a set, want rank 0 only:\n%s", n, stderr.String())
	}
	// The summary's env line names the ranks: once, from rank 0.
	if n := strings.Count(stdout.String(), "4 MPI ranks on 1 host"); n != 1 {
		t.Errorf("%d summaries name the 4 ranks, want rank 0's only:\n%s", n, stdout.String())
	}
	set, err := resultset.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if set.Env.Ranks != 4 || len(set.Env.Hosts) != 4 || !set.Complete {
		t.Errorf("env ranks %d hosts %q complete %v", set.Env.Ranks, set.Env.Hosts, set.Complete)
	}
	if len(set.Results) != 4 {
		t.Fatalf("%d cells, want 4", len(set.Results))
	}
	for _, c := range set.Results {
		if c.Failed() || c.Ranks != 4 || len(c.RankSeconds) != 2 || !c.Verified {
			t.Errorf("%s: error %q ranks %d rank_seconds %v verified %v", c.Key(), c.Error, c.Ranks, c.RankSeconds, c.Verified)
			continue
		}
		for k, rs := range c.RankSeconds {
			if len(rs) != 4 || slices.Max(rs) != c.Seconds[k] {
				t.Errorf("%s sample %d: seconds %v, ranks %v", c.Key(), k, c.Seconds[k], rs)
			}
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("--dir holds %d entries after the run, want none", len(ents))
	}
	if ents, _ := os.ReadDir(outDir); len(ents) != 1 {
		var names []string
		for _, e := range ents {
			names = append(names, e.Name())
		}
		t.Errorf("out directory holds %v, want the set only", names)
	}
}

// TestMPIRunCommandSharedDir: 'mpirun -np 4 writebench run --shared-dir'
// saves a valid set with env.shared_dir, every cell verified on all 4
// ranks, the summary says the ranks shared one directory, and --dir is
// left empty.
func TestMPIRunCommandSharedDir(t *testing.T) {
	mpirun, err := exec.LookPath("mpirun")
	if err != nil {
		t.Skip("skipping the MPI tests: mpirun not found in PATH (install openmpi-bin)")
	}
	if v, _ := exec.Command(mpirun, "--version").CombinedOutput(); !strings.Contains(string(v), "Open MPI") {
		t.Skipf("skipping the MPI tests: %s is not Open MPI's mpirun", mpirun)
	}
	dir := t.TempDir()
	out := filepath.Join(t.TempDir(), "set.json")
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, mpirun, "--allow-run-as-root", "--oversubscribe", "-np", "4",
		os.Args[0], "run", "--strategies", "bufio,pool,shared-locked", "--files", "1,16", "--sizes", "4KiB",
		"--repeat", "2", "--warmup", "1", "--budget", "0", "--shared-dir", "--dir", dir, "--out", out, "--progress", "never")
	cmd.Env = append(os.Environ(), "WRITEBENCH_AS_MAIN=1")
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("mpirun: %v\nstdout:\n%s\nstderr:\n%s", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "4 MPI ranks on 1 host") || !strings.Contains(stdout.String(), "sharing one directory") {
		t.Errorf("the summary does not say 4 ranks shared one directory:\n%s", stdout.String())
	}
	set, err := resultset.Load(out)
	if err != nil {
		t.Fatal(err)
	}
	if !set.Env.SharedDir || set.Env.Ranks != 4 || !set.Complete {
		t.Errorf("env shared_dir %v ranks %d complete %v", set.Env.SharedDir, set.Env.Ranks, set.Complete)
	}
	if len(set.Results) != 6 {
		t.Fatalf("%d cells, want 6", len(set.Results))
	}
	for _, c := range set.Results {
		if c.Failed() || c.Skipped != "" || c.Ranks != 4 || len(c.RankSeconds) != 2 || !c.Verified {
			t.Errorf("%s: error %q skipped %q ranks %d rank samples %d verified %v", c.Key(), c.Error, c.Skipped, c.Ranks, len(c.RankSeconds), c.Verified)
		}
	}
	if ents, _ := os.ReadDir(dir); len(ents) != 0 {
		t.Errorf("--dir holds %d entries after the run, want none", len(ents))
	}
}
