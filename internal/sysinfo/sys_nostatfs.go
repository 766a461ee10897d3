//go:build !(linux || darwin)

package sysinfo

import (
	"errors"
	"time"
)

// ONoFollow is O_NOFOLLOW where the system has it (0 elsewhere).
const ONoFollow = 0

// ONonBlock is O_NONBLOCK where the system has it (0 elsewhere).
const ONonBlock = 0

// ODirectory and ONoCTTY are O_DIRECTORY and O_NOCTTY where the system
// has them (0 elsewhere).
const (
	ODirectory = 0
	ONoCTTY    = 0
)

// FreeSpace is not known here.
func FreeSpace(dir string) (uint64, uint64, error) { return 0, 0, errors.ErrUnsupported }

func FSFree(fd int) (uint64, bool) { return 0, false }

// CPUTimes is not known here.
func CPUTimes() (user, sys time.Duration) { return 0, 0 }

// SyncAll does nothing here.
func SyncAll() {}
