package safefs

import (
	"os"

	"golang.org/x/sys/unix"
)

// openBeneath opens the directory rel under root with openat2, resolving
// no symlink, never leaving root and never crossing a mount point; on a
// kernel without openat2 (before Linux 5.6, or a seccomp filter refusing
// it) it walks rel one name at a time.
func openBeneath(root int, rel string) (int, error) {
	fd, err := unix.Openat2(root, rel, &unix.OpenHow{
		Flags:   uint64(dirFlags),
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS | unix.RESOLVE_NO_XDEV,
	})
	switch err {
	case unix.ENOSYS, unix.EPERM, unix.E2BIG:
		return walkBeneath(root, rel)
	}
	return fd, err
}

// readNames reads the directory fd from its start to its end, calling fn
// for every name but "." and "..", without another descriptor.
func readNames(fd int, p string, fn func(name string) error) error {
	if _, err := unix.Seek(fd, 0, 0); err != nil {
		return &os.PathError{Op: "seek", Path: p, Err: err}
	}
	buf := make([]byte, 32<<10)
	var names []string
	for {
		n, err := unix.Getdents(fd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return &os.PathError{Op: "readdirent", Path: p, Err: err}
		}
		if n <= 0 {
			return nil
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names[:0])
		for _, name := range names {
			if err := fn(name); err != nil {
				return err
			}
		}
	}
}
