package strategies

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// openNUL is open(2) of a NUL-terminated path that is already in a byte
// slice: unlike unix.Open it copies nothing, so creating a file in the timed
// region allocates nothing.
func openNUL(path []byte, flags int, mode uint32) (int, error) {
	atFDCWD := unix.AT_FDCWD
	fd, _, errno := unix.Syscall6(unix.SYS_OPENAT, uintptr(atFDCWD),
		uintptr(unsafe.Pointer(&path[0])), uintptr(flags), uintptr(mode), 0, 0)
	if errno != 0 {
		return -1, errno
	}
	return int(fd), nil
}

// rawOpenNUL is openNUL entered with RawSyscall, for the one-goroutine
// strategies (see rawWrite): creating a file on a churned ext4 directory
// can take longer than sysmon's 20 µs, and through the normal path the
// runtime then hands the goroutine's P away and back, a context switch or
// more per file that a C program does not pay.
func rawOpenNUL(path []byte, flags int, mode uint32) (int, error) {
	atFDCWD := unix.AT_FDCWD
	fd, _, errno := unix.RawSyscall6(unix.SYS_OPENAT, uintptr(atFDCWD),
		uintptr(unsafe.Pointer(&path[0])), uintptr(flags), uintptr(mode), 0, 0)
	if errno != 0 {
		return -1, errno
	}
	return int(fd), nil
}

// rawClose is close(2) entered with RawSyscall (see rawOpenNUL).
func rawClose(fd int) error {
	_, _, errno := unix.RawSyscall(unix.SYS_CLOSE, uintptr(fd), 0, 0)
	if errno != 0 {
		return errno
	}
	return nil
}
