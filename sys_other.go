//go:build !(linux || darwin)

package writebench

import (
	"errors"
	"time"
)

func cpuTimes() (user, sys time.Duration) { return 0, 0 }

func freeSpace(dir string) (uint64, uint64, error) {
	return 0, 0, errors.ErrUnsupported
}

func syncAll() {}
