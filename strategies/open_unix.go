//go:build unix && !linux

package strategies

import "golang.org/x/sys/unix"

// openNUL is open(2) of a NUL-terminated path held in a byte slice.
func openNUL(path []byte, flags int, mode uint32) (int, error) {
	return unix.Open(string(path[:len(path)-1]), flags, mode)
}
