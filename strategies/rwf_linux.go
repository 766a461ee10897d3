package strategies

import (
	"sync"
	"unsafe"

	"golang.org/x/sys/unix"
)

// writeFlags returns the RWF_* flags every write passes for sync mode s:
// RWF_DSYNC for dsync, RWF_DONTCACHE for uncached, 0 (plain write(2))
// otherwise. Whether the kernel and filesystem accept them is known only at
// the first write (see flagRefused): pwritev2 of zero bytes checks nothing.
func writeFlags(s SyncMode) (int, error) {
	switch s {
	case SyncDsync:
		return unix.RWF_DSYNC, nil
	case SyncUncached:
		return unix.RWF_DONTCACHE, nil
	}
	return 0, nil
}

// currentOffset is pwritev2's offset -1: write at the file position and
// advance it, as write(2) and writev(2) do.
const currentOffset = -1

// offsetHalves splits a pwritev2 offset into the two registers the kernel
// takes (pos_from_hilo), as x/sys/unix does.
func offsetHalves(off int64) (lo, hi uintptr) {
	const bits = int(unsafe.Sizeof(uintptr(0))) * 8
	return uintptr(off), uintptr(uint64(off) >> (bits - 1) >> 1)
}

// pwritev2 is one pwritev2(2) of p at the current offset with flags. It is
// unix.Pwritev2 without its per-call iovec slice, so a write allocates
// nothing. It takes the normal syscall path: RWF_DSYNC waits for the device.
func pwritev2(fd int, p []byte, flags int) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	iov := unix.Iovec{Base: &p[0]}
	iov.SetLen(len(p))
	return pwritev2Vec(fd, &iov, 1, flags)
}

// pwritev2Vec is pwritev2(2) of n iovecs starting at iov, at the current
// offset, with flags.
func pwritev2Vec(fd int, iov *unix.Iovec, n, flags int) (int, error) {
	lo, hi := offsetHalves(currentOffset)
	r, _, errno := unix.Syscall6(unix.SYS_PWRITEV2, uintptr(fd), uintptr(unsafe.Pointer(iov)), uintptr(n), lo, hi, uintptr(flags))
	if errno != 0 {
		return int(r), errno
	}
	return int(r), nil
}

// writevVec is writev(2) of n iovecs starting at iov; raw takes the
// RawSyscall path of the one-goroutine strategies (see rawWrite).
func writevVec(fd int, iov *unix.Iovec, n int, raw bool) (int, error) {
	var r uintptr
	var errno unix.Errno
	if raw {
		r, _, errno = unix.RawSyscall(unix.SYS_WRITEV, uintptr(fd), uintptr(unsafe.Pointer(iov)), uintptr(n))
	} else {
		r, _, errno = unix.Syscall(unix.SYS_WRITEV, uintptr(fd), uintptr(unsafe.Pointer(iov)), uintptr(n))
	}
	if errno != 0 {
		return int(r), errno
	}
	return int(r), nil
}

// fallocate reserves [0, size) of fd with fallocate(2) mode 0, which also
// sets the file size.
func fallocate(fd int, size int64) error {
	for {
		err := unix.Fallocate(fd, 0, 0, size)
		if err != unix.EINTR {
			return err
		}
	}
}

var kernelRelease = sync.OnceValue(func() string {
	var u unix.Utsname
	if unix.Uname(&u) != nil {
		return "unknown"
	}
	return unix.ByteSliceToString(u.Release[:])
})

// flagRefused is the skip of a cell whose per-write flag the kernel or the
// filesystem refused (EOPNOTSUPP or EINVAL), naming what it needs.
func flagRefused(f *file, err error) error { return rwfRefused(f.rwf, f.path(), err) }

// rwfRefused is the one skip of a cell whose per-write RWF_* flags (pwritev2
// or an io_uring write) the kernel or the file system of path refused with
// err: it names the flag, its --sync mode, what the flag needs and this
// kernel's release.
func rwfRefused(flags int, path string, err error) error {
	mode, flag, need := SyncDsync, "RWF_DSYNC", "Linux 4.7+"
	if flags&unix.RWF_DONTCACHE != 0 {
		mode, flag, need = SyncUncached, "RWF_DONTCACHE", "Linux 6.14+ and a filesystem that opts in to uncached buffered writes (tmpfs does not)"
	}
	return Skip("{sync} %s: a write with %s to %s was refused: %v; it needs %s (this kernel: %s)",
		mode, flag, path, err, need, kernelRelease())
}
