package writebench

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/writebench/writebench/internal/ranks"
)

// TestRefuseUnderLauncher: a single-process run started as one of several
// ranks is refused before anything is written, naming the variable.
func TestRefuseUnderLauncher(t *testing.T) {
	for _, v := range ranks.LauncherVars() {
		t.Setenv(v, "")
	}
	dir := t.TempDir()
	cfg := Config{Strategies: []string{"bufio"}, Files: []int{1}, Sizes: []int64{4096}, Repeat: 1, Dir: dir}
	if err := cfg.Validate(); err != nil {
		t.Fatalf("without a launcher: %v", err)
	}
	t.Setenv("OMPI_COMM_WORLD_SIZE", "4")
	err := cfg.Validate()
	var ce *ConfigError
	if !errors.As(err, &ce) || ce.Field != "" || !strings.Contains(err.Error(), "OMPI_COMM_WORLD_SIZE=4") {
		t.Fatalf("Validate under mpirun = %v, want a ConfigError naming OMPI_COMM_WORLD_SIZE=4", err)
	}
	if !MPIBuild && !strings.Contains(err.Error(), "-tags mpi") {
		t.Errorf("refusal does not say how to build with MPI: %v", err)
	}
	set, err := Run(context.Background(), cfg)
	if set != nil || !errors.As(err, &ce) {
		t.Fatalf("Run under mpirun = %v, %v; want no set and a ConfigError", set, err)
	}
	assertEmptyDir(t, dir)
	if !MPIBuild {
		if _, err := StartJob(); err == nil || !strings.Contains(err.Error(), "-tags mpi") {
			t.Errorf("StartJob under mpirun without MPI = %v, want the refusal", err)
		}
	}
}
