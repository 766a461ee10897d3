package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/writebench/writebench"
)

// TestRunRefusedUnderLauncher: the default build started by a launcher with
// several ranks exits 2 before writing anything and says to build with
// -tags mpi; one rank (or none) runs as usual.
func TestRunRefusedUnderLauncher(t *testing.T) {
	if writebench.MPIBuild {
		t.Skip("this binary is built with -tags mpi: it joins the ranks instead (see mpi_test.go)")
	}
	for _, v := range []string{"OMPI_COMM_WORLD_SIZE", "PMI_SIZE", "PMIX_SIZE", "MV2_COMM_WORLD_SIZE", "SLURM_STEP_NUM_TASKS", "SLURM_NTASKS"} {
		t.Setenv(v, "")
	}
	for _, tc := range []struct {
		name, env, val string
		wantCode       int
	}{
		{"mpirun -np 4", "OMPI_COMM_WORLD_SIZE", "4", 2},
		{"srun -n 2", "SLURM_STEP_NUM_TASKS", "2", 2},
		{"hydra", "PMI_SIZE", "3", 2},
		{"sbatch script (job of 4 tasks, one process)", "SLURM_NTASKS", "4", 0},
		{"mpirun -np 1", "OMPI_COMM_WORLD_SIZE", "1", 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv(tc.env, tc.val)
			dir, outDir := t.TempDir(), t.TempDir()
			out := filepath.Join(outDir, "set.json")
			code, _, errs := runCLI(t, "run", "--strategies", "bufio", "--files", "1", "--sizes", "4KiB",
				"--repeat", "1", "--warmup", "0", "--dir", dir, "--out", out, "--progress", "never")
			if code != tc.wantCode {
				t.Fatalf("exit %d, want %d; stderr:\n%s", code, tc.wantCode, errs)
			}
			if tc.wantCode == 0 {
				return
			}
			for _, want := range []string{tc.env + "=" + tc.val, "-tags mpi"} {
				if !strings.Contains(errs, want) {
					t.Errorf("stderr does not mention %q:\n%s", want, errs)
				}
			}
			for _, d := range []string{dir, outDir} {
				if ents, _ := os.ReadDir(d); len(ents) != 0 {
					t.Errorf("refused run left %d entries in %s", len(ents), d)
				}
			}
		})
	}
}
