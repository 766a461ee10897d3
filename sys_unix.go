//go:build linux || darwin

package writebench

import (
	"time"

	"golang.org/x/sys/unix"
)

func cpuTimes() (user, sys time.Duration) {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}

// freeSpace returns the bytes and inodes available to an unprivileged user
// on the filesystem holding dir (statfs Bavail*Bsize, Ffree; files is 0
// when the filesystem does not report inodes).
func freeSpace(dir string) (bytes uint64, files uint64, err error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, 0, err
	}
	return uint64(st.Bavail) * uint64(st.Bsize), uint64(st.Ffree), nil
}

func syncAll() { unix.Sync() }
