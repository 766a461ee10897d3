//go:build linux || darwin

package scratch

import (
	"errors"

	"golang.org/x/sys/unix"
)

// ReadMarker reads the marker file of the scratch directory candidate dir
// as someone else may have planted it: dir must be a real directory (not a
// symlink) and the marker a regular file (not a symlink, FIFO or device),
// opened without following links and without blocking, and at most
// maxMarker bytes long. It never blocks and never reads more than that.
func ReadMarker(dir string) ([]byte, error) {
	dfd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(dfd)
	var st unix.Stat_t
	if err := unix.Fstatat(dfd, Marker, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		return nil, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, errNotMarker
	}
	fd, err := unix.Openat(dfd, Marker, unix.O_RDONLY|unix.O_NOFOLLOW|unix.O_NONBLOCK|unix.O_CLOEXEC|unix.O_NOCTTY, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	var fst unix.Stat_t
	if err := unix.Fstat(fd, &fst); err != nil {
		return nil, err
	}
	if fst.Mode&unix.S_IFMT != unix.S_IFREG || fst.Ino != st.Ino || fst.Dev != st.Dev || fst.Size > maxMarker {
		return nil, errNotMarker
	}
	buf := make([]byte, maxMarker+1)
	n, err := unix.Read(fd, buf)
	if err != nil {
		return nil, err
	}
	if n > maxMarker {
		return nil, errNotMarker
	}
	return buf[:n], nil
}

var errNotMarker = errors.New("not a writebench scratch marker")
