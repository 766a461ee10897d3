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
