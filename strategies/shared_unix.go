//go:build unix

package strategies

import (
	"os"

	"golang.org/x/sys/unix"
)

// syncShared is fsync(2), or fdatasync(2) when dataOnly, of a shared file.
func syncShared(f *os.File, dataOnly bool) error {
	if !dataOnly {
		return f.Sync()
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var serr error
	if err := rc.Control(func(fd uintptr) {
		for {
			serr = fdatasync(int(fd))
			if serr != unix.EINTR {
				break
			}
		}
	}); err != nil {
		return err
	}
	if serr != nil {
		return &os.PathError{Op: "fdatasync", Path: f.Name(), Err: serr}
	}
	return nil
}
