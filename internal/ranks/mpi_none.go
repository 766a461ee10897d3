//go:build !(mpi && cgo)

package ranks

import "os"

const mpiBuild = false

// startCoordinator is the default build's: a single process, unless a
// launcher started several ranks, which it refuses (see errNeedMPI).
func startCoordinator() (Coordinator, error) {
	if n, src := launcherSize(os.Getenv); n > 1 {
		return nil, errNeedMPI(src, n)
	}
	return solo{}, nil
}
