//go:build mpi && cgo

package writebench

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"
	"time"
)

// mpirunCommand returns the command that starts np ranks of args under
// Open MPI's mpirun, or skips t saying why it cannot.
func mpirunCommand(t *testing.T, np int, args ...string) *exec.Cmd {
	t.Helper()
	mpirun, err := exec.LookPath("mpirun")
	if err != nil {
		t.Skip("skipping the MPI tests: mpirun not found in PATH (install openmpi-bin)")
	}
	out, _ := exec.Command(mpirun, "--version").CombinedOutput()
	if !strings.Contains(string(out), "Open MPI") {
		t.Skipf("skipping the MPI tests: %s is not Open MPI's mpirun (%q)", mpirun, strings.TrimSpace(string(out)))
	}
	full := append([]string{"--allow-run-as-root", "--oversubscribe", "-np", fmt.Sprint(np)}, args...)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	t.Cleanup(cancel)
	return exec.CommandContext(ctx, mpirun, full...)
}

// TestMPICoordinator runs TestMPICoordinatorRank as 4 ranks under mpirun.
func TestMPICoordinator(t *testing.T) {
	cmd := mpirunCommand(t, 4, os.Args[0], "-test.run=^TestMPICoordinatorRank$", "-test.v")
	cmd.Env = append(os.Environ(), "WRITEBENCH_MPI_CHILD=1")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("mpirun: %v\n%s", err, out)
	}
	for r := range 4 {
		if want := fmt.Sprintf("rank %d of 4: collectives ok", r); !strings.Contains(string(out), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestMPICoordinatorRank is one rank of TestMPICoordinator.
func TestMPICoordinatorRank(t *testing.T) {
	if os.Getenv("WRITEBENCH_MPI_CHILD") == "" {
		t.Skip("runs only as a rank of TestMPICoordinator")
	}
	job, err := StartJob()
	if err != nil {
		t.Fatal(err)
	}
	c := job.c
	ctx := context.Background()
	rank, size := c.Rank(), c.Size()
	if size != 4 || rank < 0 || rank >= 4 {
		t.Fatalf("rank %d of %d, want one of 4", rank, size)
	}
	if err := c.Barrier(ctx); err != nil {
		t.Fatal(err)
	}
	if m, err := c.MaxFloat64(ctx, float64(rank)*1.5); err != nil || m != 4.5 {
		t.Errorf("MaxFloat64 = %v, %v; want 4.5", m, err)
	}
	all, err := c.GatherFloat64s(ctx, []float64{float64(rank), float64(10 * rank)})
	if err != nil {
		t.Fatal(err)
	}
	for r, vs := range all {
		if !slices.Equal(vs, []float64{float64(r), float64(10 * r)}) {
			t.Errorf("GatherFloat64s[%d] = %v", r, vs)
		}
	}
	if v, err := c.BcastUint64(ctx, uint64(100+rank)); err != nil || v != 100 {
		t.Errorf("BcastUint64 = %v, %v; want rank 0's 100", v, err)
	}
	if s, err := c.BcastString(ctx, 3, fmt.Sprint("from rank ", rank)); err != nil || s != "from rank 3" {
		t.Errorf("BcastString = %q, %v; want rank 3's", s, err)
	}
	if r, msg, err := c.AnyError(ctx, nil); err != nil || r != -1 || msg != "" {
		t.Errorf("AnyError(nil everywhere) = %d, %q, %v", r, msg, err)
	}
	var mine error
	if rank >= 2 {
		mine = errors.New(fmt.Sprint("disk full on rank ", rank))
	}
	if r, msg, err := c.AnyError(ctx, mine); err != nil || r != 2 || msg != "disk full on rank 2" {
		t.Errorf("AnyError = %d, %q, %v; want rank 2's error", r, msg, err)
	}
	hosts, err := c.Hostnames(ctx)
	if h, _ := os.Hostname(); err != nil || len(hosts) != 4 || hosts[rank] != h {
		t.Errorf("Hostnames = %q, %v; want 4 names, mine %q", hosts, err, h)
	}
	if err := job.Finalize(); err != nil {
		t.Fatal(err)
	}
	if !t.Failed() {
		fmt.Printf("rank %d of %d: collectives ok\n", rank, size)
	}
}
