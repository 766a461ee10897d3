package ranks

import (
	"context"
	"errors"
	"testing"
)

func TestLauncherSize(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		want    int
		wantSrc string
	}{
		{"no launcher", nil, 1, ""},
		{"open mpi", map[string]string{"OMPI_COMM_WORLD_SIZE": "4"}, 4, "OMPI_COMM_WORLD_SIZE=4"},
		{"pmi", map[string]string{"PMI_SIZE": "8"}, 8, "PMI_SIZE=8"},
		{"srun step", map[string]string{"SLURM_STEP_NUM_TASKS": "2", "SLURM_NTASKS": "2"}, 2, "SLURM_STEP_NUM_TASKS=2"},
		// sbatch -n 4 sets SLURM_NTASKS in the batch script, which is one process.
		{"sbatch script", map[string]string{"SLURM_NTASKS": "4"}, 1, ""},
		{"single-task srun step in a 4-task job", map[string]string{"SLURM_NTASKS": "4", "SLURM_STEP_NUM_TASKS": "1"}, 1, "SLURM_STEP_NUM_TASKS=1"},
		{"open mpi wins over slurm", map[string]string{"OMPI_COMM_WORLD_SIZE": "1", "SLURM_STEP_NUM_TASKS": "4"}, 1, "OMPI_COMM_WORLD_SIZE=1"},
		{"garbage ignored", map[string]string{"OMPI_COMM_WORLD_SIZE": "x", "PMI_SIZE": "0", "SLURM_STEP_NUM_TASKS": "3"}, 3, "SLURM_STEP_NUM_TASKS=3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, src := launcherSize(func(k string) string { return tc.env[k] })
			if n != tc.want || src != tc.wantSrc {
				t.Errorf("launcherSize = %d, %q; want %d, %q", n, src, tc.want, tc.wantSrc)
			}
		})
	}
}

func TestSoloJob(t *testing.T) {
	for _, v := range launcherVars {
		t.Setenv(v, "")
	}
	j, err := StartJob()
	if err != nil {
		t.Fatal(err)
	}
	var nilJob *Job
	for _, j := range []*Job{j, nilJob} {
		if j.Rank() != 0 || j.Size() != 1 || j.Finalize() != nil {
			t.Errorf("job %v: rank %d of %d, want 0 of 1", j, j.Rank(), j.Size())
		}
	}
	c := solo{}
	ctx := context.Background()
	if r, msg, _ := c.AnyError(ctx, errors.New("boom")); r != 0 || msg != "boom" {
		t.Errorf("solo AnyError = %d, %q", r, msg)
	}
	if r, _, _ := c.AnyError(ctx, nil); r != -1 {
		t.Errorf("solo AnyError(nil) = %d, want -1", r)
	}
}
