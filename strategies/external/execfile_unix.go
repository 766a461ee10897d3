//go:build unix

package external

import (
	"fmt"
	"io"
	"os"

	"golang.org/x/sys/unix"
)

// readExecFile reads an exec file as something whose commands will run:
// it must be a regular file (opened without blocking, so a FIFO cannot
// hang the read, and checked with fstat on the open descriptor before a
// byte is read, so a device cannot fill memory), at most MaxExecFile
// bytes, owned by this user or root and not writable by group or others.
// The error says which check failed.
func readExecFile(path string) ([]byte, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_NONBLOCK|unix.O_NOCTTY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: path, Err: err}
	}
	f := os.NewFile(uintptr(fd), path)
	defer f.Close()
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, &os.PathError{Op: "stat", Path: path, Err: err}
	}
	if k := st.Mode & unix.S_IFMT; k != unix.S_IFREG {
		return nil, fmt.Errorf("%s is %s, not a regular file", path, kindName(uint32(k)))
	}
	if st.Size > MaxExecFile {
		return nil, fmt.Errorf("%s is %d bytes; an exec file is at most %d", path, st.Size, MaxExecFile)
	}
	if me := uint32(os.Geteuid()); st.Uid != me && st.Uid != 0 {
		return nil, fmt.Errorf("%s is owned by uid %d, not by you (uid %d) or root: its commands would run as you", path, st.Uid, me)
	}
	if st.Mode&0o022 != 0 {
		return nil, fmt.Errorf("%s is writable by group or others (mode %04o): anyone who can write it chooses the commands writebench runs (chmod go-w %s)", path, st.Mode&0o7777, path)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxExecFile+1))
	if err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	if len(data) > MaxExecFile {
		return nil, fmt.Errorf("%s grew past %d bytes while being read", path, MaxExecFile)
	}
	return data, nil
}

// kindName names a file type for messages.
func kindName(k uint32) string {
	switch k {
	case unix.S_IFIFO:
		return "a FIFO"
	case unix.S_IFCHR:
		return "a character device"
	case unix.S_IFBLK:
		return "a block device"
	case unix.S_IFDIR:
		return "a directory"
	case unix.S_IFSOCK:
		return "a socket"
	case unix.S_IFLNK:
		return "a symbolic link"
	}
	return fmt.Sprintf("of type %#o", k)
}
