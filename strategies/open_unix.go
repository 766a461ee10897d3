//go:build unix && !linux

package strategies

import "golang.org/x/sys/unix"

// openNUL is open(2) of a NUL-terminated path held in a byte slice.
func openNUL(path []byte, flags int, mode uint32) (int, error) {
	return unix.Open(string(path[:len(path)-1]), flags, mode)
}

// rawOpenNUL is openNUL: the raw path is Linux only.
func rawOpenNUL(path []byte, flags int, mode uint32) (int, error) { return openNUL(path, flags, mode) }

// rawClose is close(2).
func rawClose(fd int) error { return unix.Close(fd) }
