//go:build linux || darwin

package sysinfo

import (
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// This file and sys_nostatfs.go are writebench's operating-system shims
// beyond the write path: free space, process CPU time, a global sync and
// O_NOFOLLOW. The runner uses them too, so there is one of each.

// ONoFollow is O_NOFOLLOW where the system has it (0 elsewhere).
const ONoFollow = syscall.O_NOFOLLOW

// ONonBlock is O_NONBLOCK where the system has it (0 elsewhere).
const ONonBlock = syscall.O_NONBLOCK

// ODirectory and ONoCTTY are O_DIRECTORY and O_NOCTTY where the system
// has them (0 elsewhere).
const (
	ODirectory = syscall.O_DIRECTORY
	ONoCTTY    = syscall.O_NOCTTY
)

// FreeSpace returns the bytes and inodes available to an unprivileged user
// on the filesystem holding dir (statfs Bavail*Bsize, Ffree; inodes is 0
// when the filesystem does not report them).
func FreeSpace(dir string) (bytes uint64, inodes uint64, err error) {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return 0, 0, err
	}
	return uint64(st.Bavail) * uint64(st.Bsize), uint64(st.Ffree), nil
}

// FSFree returns the bytes available on the filesystem holding fd.
func FSFree(fd int) (uint64, bool) {
	var st unix.Statfs_t
	if unix.Fstatfs(fd, &st) != nil {
		return 0, false
	}
	return uint64(st.Bavail) * uint64(st.Bsize), true
}

// CPUTimes returns this process's user and system CPU time (getrusage).
func CPUTimes() (user, sys time.Duration) {
	var ru unix.Rusage
	if err := unix.Getrusage(unix.RUSAGE_SELF, &ru); err != nil {
		return 0, 0
	}
	return time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
}

// SyncAll flushes every filesystem (sync(2)).
func SyncAll() { unix.Sync() }
