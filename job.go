package writebench

import (
	"github.com/writebench/writebench/internal/ranks"
	"github.com/writebench/writebench/internal/scratch"
)

// Job is this process's place in a writebench run: one process by default;
// in a build with -tags mpi started by an MPI launcher (mpirun, srun), one
// rank of several that all run the same sweep, each timing its own work,
// with rank 0 choosing the seed and collecting one result set. Pass it in
// Config.Job; a nil *Job is a single process. Its methods are Rank, Size
// and Finalize.
type Job = ranks.Job

// StartJob joins the run this process was started in. Without a launcher it
// returns a single-process Job. Under a launcher that started more than one
// rank, the mpi build initialises MPI (call Finalize before exiting), and
// the default build refuses with a *ConfigError naming the launcher variable
// and the build tag, rather than let every rank run the whole sweep unaware
// of the others.
func StartJob() (*Job, error) {
	j, err := ranks.StartJob()
	return j, configError(err)
}

// MPIBuild reports whether this binary was built with -tags mpi (and cgo).
const MPIBuild = ranks.MPIBuild

// ScratchPrefix starts the name of every scratch directory writebench makes
// under Config.Dir; writebench creates and removes entries only inside one.
const ScratchPrefix = scratch.Prefix
