//go:build unix && !linux

package strategies

import "golang.org/x/sys/unix"

// rawWrite is write(2); off Linux it takes the normal syscall path.
func rawWrite(fd int, p []byte) (int, error) { return unix.Write(fd, p) }

// fdatasync is fsync where fdatasync(2) is missing.
func fdatasync(fd int) error { return unix.Fsync(fd) }

// syncfs falls back to sync(2): there is no per-filesystem sync here.
func syncfs(fd int) error { unix.Sync(); return nil }
