//go:build mpi && cgo

package main

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// mpmd runs this test binary as writebench on two ranks, each with its own
// arguments (and working directory, when given), on one mpirun MPMD
// command line: 'mpirun -np 1 prog ARGS0 : -np 1 prog ARGS1'. It returns
// mpirun's exit status and the job's stderr, and fails the test if the job
// had not ended within a minute (a hang).
func mpmd(t *testing.T, wdirs [2]string, ranks [2][]string) (int, string) {
	t.Helper()
	mpirun, err := exec.LookPath("mpirun")
	if err != nil {
		t.Skip("skipping the MPI tests: mpirun not found in PATH (install openmpi-bin)")
	}
	if v, _ := exec.Command(mpirun, "--version").CombinedOutput(); !strings.Contains(string(v), "Open MPI") {
		t.Skipf("skipping the MPI tests: %s is not Open MPI's mpirun", mpirun)
	}
	argv := []string{"--allow-run-as-root", "--oversubscribe"}
	for r, args := range ranks {
		if r > 0 {
			argv = append(argv, ":")
		}
		argv = append(argv, "-np", "1")
		if wdirs[r] != "" {
			argv = append(argv, "-wdir", wdirs[r])
		}
		argv = append(argv, os.Args[0])
		argv = append(argv, args...)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, mpirun, argv...)
	cmd.Env = append(os.Environ(), "WRITEBENCH_AS_MAIN=1")
	cmd.WaitDelay = 5 * time.Second
	var stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stderr, &stderr
	err = cmd.Run()
	if ctx.Err() != nil {
		t.Fatalf("the job hung (killed after 1 minute):\n%s", stderr.String())
	}
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		t.Fatalf("mpirun: %v", err)
	}
	if err == nil {
		return 0, stderr.String()
	}
	return ee.ExitCode(), stderr.String()
}

// TestMPIRanksDisagree: when one rank's command line is invalid or differs
// from rank 0's in any setting, the job ends with exit status 2 within
// seconds, before any work, and says once which rank (and host) and which
// flag, instead of deadlocking in MPI_Finalize (a usage error on one rank),
// hanging in a collective (another --repeat), mixing samples (another
// --warmup) or saving a set marked verified that one rank did not verify
// (--no-verify on one rank, or another program under one --exec name).
func TestMPIRanksDisagree(t *testing.T) {
	// Two writer scripts with one relative command line: each rank runs
	// "./writer.sh" in its own working directory, so the command agrees and
	// the programs do not (as on two hosts with different files).
	wd0, wd1 := t.TempDir(), t.TempDir()
	for i, wd := range []string{wd0, wd1} {
		// WRITEBENCH_AS_MAIN is inherited: the test binary is writebench.
		script := "#!/bin/sh\nexec '" + os.Args[0] + "' worker " + []string{"bufio", "chunked"}[i] + "\n"
		if err := os.WriteFile(filepath.Join(wd, "writer.sh"), []byte(script), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, tc := range []struct {
		name       string
		wdirs      [2]string
		rank0      []string
		rank1      []string
		want       []string
		missingDir bool
	}{
		{name: "--dir missing on one rank", missingDir: true,
			want: []string{"rank 1 (", "--dir", "does not exist"}},
		{name: "different --repeat", rank0: []string{"--repeat", "3"}, rank1: []string{"--repeat", "5"},
			want: []string{"rank 1 (", "--repeat: 5 here, 3 on rank 0"}},
		{name: "different --warmup", rank0: []string{"--warmup", "1"}, rank1: []string{"--warmup", "2"},
			want: []string{"rank 1 (", "--warmup: 2 here, 1 on rank 0"}},
		{name: "--no-verify on one rank", rank1: []string{"--no-verify"},
			want: []string{"rank 1 (", "--no-verify: true here, false on rank 0"}},
		{name: "unknown flag on one rank", rank1: []string{"--repeats", "3"},
			want: []string{"rank 1 (", "unknown flag: --repeats"}},
		{name: "another program under one --exec name", wdirs: [2]string{wd0, wd1},
			rank0: []string{"--exec", "mine=./writer.sh", "--strategies", "mine"},
			rank1: []string{"--exec", "mine=./writer.sh", "--strategies", "mine"},
			want:  []string{"rank 1 (", "--exec: mine:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			dir, outDir := t.TempDir(), t.TempDir()
			out := filepath.Join(outDir, "set.json")
			common := []string{"run", "--files", "1", "--sizes", "4KiB", "--budget", "0", "--progress", "never", "--out", out}
			args := [2][]string{
				append(append(append([]string{}, common...), "--dir", dir, "--strategies", "bufio"), tc.rank0...),
				append(append(append([]string{}, common...), "--dir", dir, "--strategies", "bufio"), tc.rank1...),
			}
			if tc.missingDir {
				args[1] = append(append([]string{}, common...), "--dir", filepath.Join(dir, "nope"), "--strategies", "bufio")
			}
			code, stderr := mpmd(t, tc.wdirs, args)
			if code != 2 {
				t.Errorf("exit %d, want 2; output:\n%s", code, stderr)
			}
			for _, w := range tc.want {
				if !strings.Contains(stderr, w) {
					t.Errorf("output does not say %q:\n%s", w, stderr)
				}
			}
			if n := strings.Count(stderr, "writebench: run: rank 1 ("); n != 1 {
				t.Errorf("the refusal was printed %d times, want once:\n%s", n, stderr)
			}
			if !strings.Contains(stderr, "MPI_ABORT") {
				t.Errorf("the job was not aborted through MPI_Abort:\n%s", stderr)
			}
			if ents, _ := os.ReadDir(dir); len(ents) != 0 {
				t.Errorf("--dir holds %d entries: the ranks started work", len(ents))
			}
			if _, err := os.Stat(out); err == nil {
				t.Error("a result set was saved")
			}
		})
	}
}

// TestMPIRanksAgree: two ranks given the same flags in different orders
// (and the same --exec writer) agree and run.
func TestMPIRanksAgree(t *testing.T) {
	dir, outDir := t.TempDir(), t.TempDir()
	out := filepath.Join(outDir, "set.json")
	code, stderr := mpmd(t, [2]string{}, [2][]string{
		{"run", "--strategies", "bufio,chunked", "--files", "1", "--sizes", "4KiB", "--repeat", "2", "--warmup", "0",
			"--budget", "0", "--progress", "never", "--dir", dir, "--out", out},
		{"run", "--sizes", "4096", "--files", "1", "--strategies", "bufio,chunked", "--warmup", "0", "--repeat", "2",
			"--budget", "0", "--progress", "never", "--dir", dir, "--out", out, "--seed", "7"},
	})
	if code != 0 {
		t.Fatalf("exit %d:\n%s", code, stderr)
	}
	if _, err := os.Stat(out); err != nil {
		t.Errorf("no set saved: %v", err)
	}
}
