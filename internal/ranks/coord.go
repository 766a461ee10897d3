package ranks

import (
	"context"
	"os"
	"slices"
	"strconv"
)

// Coordinator is what the runner needs from the processes of one run: a
// single process by default, the ranks of an MPI job in the mpi build
// (mpi_cgo.go). Every method except Rank, Size and Finalize is collective:
// every rank calls it, in the same order, or the job hangs; a collective
// returns ctx's error when ctx ends while it waits for the other ranks.
type Coordinator interface {
	Rank() int
	Size() int
	// Barrier returns once every rank has entered it.
	Barrier(ctx context.Context) error
	// MaxFloat64 returns the maximum of every rank's v, on every rank.
	MaxFloat64(ctx context.Context, v float64) (float64, error)
	// GatherFloat64s returns every rank's vs (all of one length),
	// indexed by rank, on every rank.
	GatherFloat64s(ctx context.Context, vs []float64) ([][]float64, error)
	// BcastUint64 returns rank 0's v on every rank.
	BcastUint64(ctx context.Context, v uint64) (uint64, error)
	// BcastString returns root's s on every rank.
	BcastString(ctx context.Context, root int, s string) (string, error)
	// AnyError returns, on every rank, the lowest rank whose err is
	// non-nil and that rank's message, or rank -1 when no rank failed.
	AnyError(ctx context.Context, err error) (rank int, msg string, cerr error)
	// Hostnames returns every rank's host name, indexed by rank.
	Hostnames(ctx context.Context) ([]string, error)
	// Finalize ends the job's communication; no collective may follow.
	Finalize() error
	// Abort ends every rank with exit status code and does not return
	// (MPI_Abort); a single process does nothing.
	Abort(code int)
}

// solo is the Coordinator of a run of one process: every collective is
// the identity and costs nothing.
type solo struct{}

var _ Coordinator = solo{}

func (solo) Rank() int                                                { return 0 }
func (solo) Size() int                                                { return 1 }
func (solo) Barrier(ctx context.Context) error                        { return nil }
func (solo) MaxFloat64(_ context.Context, v float64) (float64, error) { return v, nil }
func (solo) GatherFloat64s(_ context.Context, vs []float64) ([][]float64, error) {
	return [][]float64{vs}, nil
}
func (solo) BcastUint64(_ context.Context, v uint64) (uint64, error)        { return v, nil }
func (solo) BcastString(_ context.Context, _ int, s string) (string, error) { return s, nil }
func (solo) AnyError(_ context.Context, err error) (int, string, error) {
	if err != nil {
		return 0, err.Error(), nil
	}
	return -1, "", nil
}
func (solo) Hostnames(context.Context) ([]string, error) {
	h, err := os.Hostname()
	if err != nil {
		return nil, err
	}
	return []string{h}, nil
}
func (solo) Finalize() error { return nil }
func (solo) Abort(int)       {}

// Job is this process's place in a writebench run: one process by default;
// in a build with -tags mpi started by an MPI launcher (mpirun, srun), one
// rank of several that all run the same sweep, each timing its own work,
// with rank 0 choosing the seed and collecting one result set. Pass it in
// Config.Job; a nil *Job is a single process.
type Job struct{ c Coordinator }

// StartJob joins the run this process was started in. Without a launcher it
// returns a single-process Job. Under a launcher that started more than one
// rank, the mpi build initialises MPI (call Finalize before exiting), and
// the default build refuses with an error naming the launcher variable and
// the build tag, rather than let every rank run the whole sweep unaware of
// the others.
func StartJob() (*Job, error) {
	c, err := startCoordinator()
	if err != nil {
		return nil, err
	}
	return &Job{c: c}, nil
}

// Rank is this process's rank, 0 to Size()-1; rank 0 writes the result set.
func (j *Job) Rank() int { return j.coord().Rank() }

// Size is the number of ranks of the run (1 for a single process).
func (j *Job) Size() int { return j.coord().Size() }

// Finalize ends the job's MPI communication (nothing in a single process).
// Call it once, after the last Run, before the process exits.
func (j *Job) Finalize() error { return j.coord().Finalize() }

func (j *Job) coord() Coordinator {
	if j == nil || j.c == nil {
		return solo{}
	}
	return j.c
}

// MPIBuild reports whether this binary was built with -tags mpi (and cgo),
// so it can run as several ranks under mpirun or srun.
const MPIBuild = mpiBuild

// launcherVars are the environment variables MPI launchers set to the
// number of ranks of the job step, in the order they are consulted.
// SLURM_NTASKS is deliberately absent: sbatch sets it for the whole job,
// also in the batch script itself, which is one process; an srun step sets
// SLURM_STEP_NUM_TASKS to its own number of tasks.
var launcherVars = []string{
	"OMPI_COMM_WORLD_SIZE", // Open MPI's mpirun
	"PMI_SIZE",             // MPICH/Hydra, Intel MPI, srun --mpi=pmi2
	"PMIX_SIZE",            // some PMIx launchers
	"MV2_COMM_WORLD_SIZE",  // MVAPICH2
	"SLURM_STEP_NUM_TASKS", // srun
}

// launcherSize returns the number of ranks a launcher started this process
// with (1 when none is detected) and the variable that says so.
func launcherSize(getenv func(string) string) (int, string) {
	for _, v := range launcherVars {
		s := getenv(v)
		if s == "" {
			continue
		}
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 {
			continue
		}
		return n, v + "=" + s
	}
	return 1, ""
}

// errNeedMPI is the refusal of a build without MPI under a launcher with
// more than one rank.
func errNeedMPI(source string, n int) error {
	return cfgErr("", "started as one of %d ranks (%s), but this writebench is built without MPI: "+
		"every rank would run the whole sweep unaware of the others. Build it with "+
		"'go build -tags mpi ./cmd/writebench' (needs cgo and an MPI library, e.g. Debian's libopenmpi-dev), "+
		"or run a single process", n, source)
}

// CheckLauncher refuses a single-process run (cfg.Job nil or of one rank)
// started by a launcher with several ranks.
func CheckLauncher(j *Job) error {
	if j.Size() > 1 {
		return nil
	}
	if n, src := launcherSize(os.Getenv); n > 1 {
		if MPIBuild {
			return cfgErr("", "started as one of %d ranks (%s) but Config.Job is a single process: pass the Job of writebench.StartJob", n, src)
		}
		return errNeedMPI(src, n)
	}
	return nil
}

// CoordinatorOf returns j's Coordinator (a single process's for a nil j),
// for tests that call the collectives directly.
func CoordinatorOf(j *Job) Coordinator { return j.coord() }

// LauncherVars returns the environment variables by which a launcher tells
// a process how many ranks it started, in the order they are read.
func LauncherVars() []string { return slices.Clone(launcherVars) }
