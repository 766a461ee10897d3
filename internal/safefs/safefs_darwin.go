package safefs

import (
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// openBeneath opens the directory rel under root one name at a time, each
// with O_NOFOLLOW|O_DIRECTORY (Darwin has no openat2).
func openBeneath(root int, rel string) (int, error) { return walkBeneath(root, rel) }

// readNames reads the directory fd from its start to its end, calling fn
// for every name but "." and "..", through a duplicate descriptor.
func readNames(fd int, p string, fn func(name string) error) error {
	dup, err := unix.FcntlInt(uintptr(fd), unix.F_DUPFD_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "dup", Path: p, Err: err}
	}
	d := os.NewFile(uintptr(dup), p)
	defer d.Close()
	if _, err := unix.Seek(dup, 0, io.SeekStart); err != nil {
		return &os.PathError{Op: "seek", Path: p, Err: err}
	}
	for {
		names, err := d.Readdirnames(4096)
		for _, n := range names {
			if err := fn(n); err != nil {
				return err
			}
		}
		if err == io.EOF || (err == nil && len(names) == 0) {
			return nil
		}
		if err != nil {
			return err
		}
	}
}
