//go:build unix && !linux

package strategies

import "golang.org/x/sys/unix"

// pwritev2 is never called here (writeFlags refuses every flag).
func pwritev2(fd int, p []byte, flags int) (int, error) { return 0, unix.ENOSYS }

// fallocate: there is no fallocate(2) off Linux.
func fallocate(fd int, size int64) error {
	return Skip("{prealloc} fallocate needs fallocate(2), which only Linux has")
}

// flagRefused is never reached here (no write carries flags).
func flagRefused(f *file, err error) error { return err }
