//go:build !(linux || darwin)

package strategies

import (
	"errors"
	"time"
)

// ONoFollow is O_NOFOLLOW where the system has it (0 elsewhere).
const ONoFollow = 0

// ONonBlock is O_NONBLOCK where the system has it (0 elsewhere).
const ONonBlock = 0

const (
	oDirectory = 0
	oNoCTTY    = 0
)

// FreeSpace is not known here.
func FreeSpace(dir string) (uint64, uint64, error) { return 0, 0, errors.ErrUnsupported }

func fsFree(fd int) (uint64, bool) { return 0, false }

// CPUTimes is not known here.
func CPUTimes() (user, sys time.Duration) { return 0, 0 }

// SyncAll does nothing here.
func SyncAll() {}
