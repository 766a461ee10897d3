package resultset

import (
	"bufio"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// checkReplaceable refuses a regular file this user could not replace
// faithfully: in a sticky directory (like /tmp) only the file's or the
// directory's owner may rename over it, and a user other than root cannot
// give the replacement the old file's owner.
func checkReplaceable(path, real string, st fs.FileInfo, euid int) error {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok || euid == 0 {
		return nil
	}
	if int(sys.Uid) == euid {
		return nil
	}
	dir := filepath.Dir(real)
	if dst, err := os.Stat(dir); err == nil && dst.Mode()&fs.ModeSticky != 0 {
		if ds, ok := dst.Sys().(*syscall.Stat_t); ok && int(ds.Uid) != euid {
			return outErr(path, "owned by uid %d in the sticky directory %s: only its owner can replace it", sys.Uid, Printable(dir))
		}
	}
	return outErr(path, "owned by uid %d, not by you (uid %d): replacing it would change its owner; write elsewhere or remove it first", sys.Uid, euid)
}

// trustLink refuses to follow the symlink link (met while resolving path)
// when it sits in a sticky, world-writable directory and is owned neither
// by euid nor by the directory's owner: the rule of the kernel's
// fs.protected_symlinks, which writebench's own resolution would bypass.
func trustLink(path, link string, st fs.FileInfo, euid int) error {
	sys, ok := st.Sys().(*syscall.Stat_t)
	if !ok || int(sys.Uid) == euid {
		return nil
	}
	dir := filepath.Dir(link)
	dst, err := os.Stat(dir)
	if err != nil {
		return outErr(path, "%v", errors.Unwrap(err))
	}
	ds, ok := dst.Sys().(*syscall.Stat_t)
	if !ok || dst.Mode()&fs.ModeSticky == 0 || dst.Mode().Perm()&0o002 == 0 || ds.Uid == sys.Uid {
		return nil
	}
	return outErr(path, "a symlink owned by uid %d in the shared sticky directory %s; not followed (it could point anywhere)", sys.Uid, Printable(dir))
}

// keepOwner gives f the owner and group of the file it replaces (root
// only; best effort).
func keepOwner(f *os.File, st fs.FileInfo) {
	if os.Geteuid() != 0 {
		return
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		f.Chown(int(sys.Uid), int(sys.Gid))
	}
}

// newFileMode is 0666 minus the process umask, read from /proc/self/status
// so that the umask is never changed (umask(2) is process-wide and racy).
func newFileMode() fs.FileMode {
	if f, err := os.Open("/proc/self/status"); err == nil {
		defer f.Close()
		sc := bufio.NewScanner(f)
		for sc.Scan() {
			if v, ok := strings.CutPrefix(sc.Text(), "Umask:"); ok {
				if m, err := strconv.ParseUint(strings.TrimSpace(v), 8, 32); err == nil {
					return fs.FileMode(0o666 &^ m)
				}
			}
		}
	}
	m := syscall.Umask(0o22)
	syscall.Umask(m)
	return fs.FileMode(0o666 &^ m)
}

// renameNoReplace renames from to to unless to exists (fs.ErrExist then).
// Filesystems without RENAME_NOREPLACE get link+unlink, equally exclusive.
func renameNoReplace(from, to string) error {
	err := unix.Renameat2(unix.AT_FDCWD, from, unix.AT_FDCWD, to, unix.RENAME_NOREPLACE)
	if errors.Is(err, unix.EINVAL) || errors.Is(err, unix.ENOSYS) {
		if err = os.Link(from, to); err == nil {
			return os.Remove(from)
		}
		return err
	}
	if err != nil {
		return &os.LinkError{Op: "rename", Old: from, New: to, Err: err}
	}
	return nil
}

// lockDir takes an exclusive flock(2) of the directory dir and returns its
// release; writebench processes saving into one directory so take turns
// between checking what is at a name and renaming onto it. Where the
// lock cannot be taken (a file system without flock) it returns a no-op.
func lockDir(dir string) func() {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return func() {}
	}
	for {
		err = unix.Flock(fd, unix.LOCK_EX)
		if err != unix.EINTR {
			break
		}
	}
	return func() {
		if err == nil {
			unix.Flock(fd, unix.LOCK_UN)
		}
		unix.Close(fd)
	}
}
