//go:build linux || darwin

package safefs

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"path"
	"path/filepath"
	"strconv"
	"strings"
	"sync"

	"golang.org/x/sys/unix"
)

// fileID is a file's identity: device and inode.
type fileID struct{ dev, ino uint64 }

func (id fileID) String() string { return fmt.Sprintf("device %d inode %d", id.dev, id.ino) }

func idOf(st *unix.Stat_t) fileID { return fileID{uint64(st.Dev), uint64(st.Ino)} }

// Tree is one scratch directory; see the package doc. It holds no
// descriptor between calls (a benchmark may need every one it can get):
// each call opens the tree's directory by path, checks it is the one
// made or adopted (device and inode), and goes on from that descriptor.
// Its methods are safe for concurrent use.
type Tree struct {
	path   string // as given, for messages and for the programs that write by path
	parent string // the directory it was made in ("" when adopted)
	name   string // its name in parent
	id     fileID
	owned  bool // made by MkdirTemp: RemoveAll may remove it

	mu     sync.Mutex
	closed bool
	dirs   map[string]fileID // identity of every directory made or first seen, by relative path
}

const dirFlags = unix.O_RDONLY | unix.O_DIRECTORY | unix.O_NOFOLLOW | unix.O_CLOEXEC | unix.O_NONBLOCK

// MkdirTemp makes a new directory named prefix plus a random suffix in
// parent, mode 0700, and returns it as a Tree that RemoveAll may remove.
func MkdirTemp(parent, prefix string) (*Tree, error) {
	pfd, err := unix.Open(parent, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return nil, &os.PathError{Op: "open", Path: parent, Err: err}
	}
	for try := 0; try < 10000; try++ {
		name := prefix + strconv.FormatUint(uint64(rand.Uint32()), 10)
		err := unix.Mkdirat(pfd, name, 0o700)
		if err == unix.EEXIST {
			continue
		}
		p := filepath.Join(parent, name)
		if err != nil {
			unix.Close(pfd)
			return nil, &os.PathError{Op: "mkdir", Path: p, Err: err}
		}
		fd, err := unix.Openat(pfd, name, dirFlags, 0)
		if err != nil {
			unix.Close(pfd)
			return nil, &ForeignError{Path: p, Reason: fmt.Sprintf("replaced right after it was made (%v)", err)}
		}
		var st unix.Stat_t
		if err := unix.Fstat(fd, &st); err != nil {
			unix.Close(fd)
			unix.Close(pfd)
			return nil, &os.PathError{Op: "stat", Path: p, Err: err}
		}
		// A directory another user swapped in between mkdirat and openat
		// is theirs, not this process's.
		if int(st.Uid) != os.Geteuid() || st.Mode&0o777&^0o700 != 0 {
			unix.Close(fd)
			unix.Close(pfd)
			return nil, &ForeignError{Path: p, Reason: fmt.Sprintf("replaced right after it was made (owner uid %d, mode %#o)", st.Uid, st.Mode&0o7777)}
		}
		unix.Close(fd)
		unix.Close(pfd)
		t := &Tree{path: p, parent: parent, name: name, id: idOf(&st), owned: true, dirs: map[string]fileID{}}
		t.dirs["."] = t.id
		return t, nil
	}
	unix.Close(pfd)
	return nil, &os.PathError{Op: "mkdir", Path: filepath.Join(parent, prefix+"*"), Err: unix.EEXIST}
}

// Adopt opens the existing directory path (made by another process of the
// same run) as a Tree. Its last component must be a real directory, not a
// symlink. An adopted tree is never removed by RemoveAll.
func Adopt(p string) (*Tree, error) {
	fd, err := unix.Open(p, dirFlags, 0)
	if err != nil {
		if err == unix.ELOOP {
			return nil, &ForeignError{Path: p, Reason: "a symbolic link, not a directory"}
		}
		return nil, &os.PathError{Op: "open", Path: p, Err: err}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return nil, &os.PathError{Op: "stat", Path: p, Err: err}
	}
	unix.Close(fd)
	t := &Tree{path: p, id: idOf(&st), dirs: map[string]fileID{}}
	t.dirs["."] = t.id
	return t, nil
}

// Path is the tree's path as made or adopted.
func (t *Tree) Path() string { return t.path }

// Join is the path of rel under the tree.
func (t *Tree) Join(rel string) string {
	if rel == "." {
		return t.path
	}
	return t.path + "/" + rel
}

// Close marks the tree closed; later calls fail. It removes nothing.
func (t *Tree) Close() error {
	t.mu.Lock()
	t.closed = true
	t.mu.Unlock()
	return nil
}

// openRoot opens the tree's directory by path, refusing a symlink as its
// last component, and checks it is the directory made or adopted.
func (t *Tree) openRoot() (int, error) {
	t.mu.Lock()
	closed := t.closed
	t.mu.Unlock()
	if closed {
		return -1, errors.New("safefs: tree closed")
	}
	fd, err := unix.Open(t.path, dirFlags, 0)
	if err != nil {
		switch err {
		case unix.ELOOP, unix.ENOTDIR:
			return -1, &ForeignError{Path: t.path, Reason: "replaced by a symbolic link or a file"}
		case unix.ENOENT:
			return -1, &ForeignError{Path: t.path, Reason: "moved away or removed by someone else"}
		}
		return -1, &os.PathError{Op: "open", Path: t.path, Err: err}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		unix.Close(fd)
		return -1, &os.PathError{Op: "stat", Path: t.path, Err: err}
	}
	if id := idOf(&st); id != t.id {
		unix.Close(fd)
		return -1, &ForeignError{Path: t.path, Reason: fmt.Sprintf("not the directory writebench made there (%v, made %v): it was replaced", id, t.id)}
	}
	return fd, nil
}

// check compares the directory open as fd, reached as rel, with the
// identity recorded for rel, recording it when rel was not seen before (a
// directory another process of the run made). It must be on the tree's
// file system.
func (t *Tree) check(fd int, rel string) error {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return &os.PathError{Op: "stat", Path: t.Join(rel), Err: err}
	}
	id := idOf(&st)
	if id.dev != t.id.dev {
		return &ForeignError{Path: t.Join(rel), Reason: "on another file system (a mount point)"}
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	if want, ok := t.dirs[rel]; ok && want != id {
		return &ForeignError{Path: t.Join(rel), Reason: fmt.Sprintf("not the directory writebench made there (%v, made %v): it was replaced", id, want)}
	}
	t.dirs[rel] = id
	return nil
}

// open opens the directory rel under the tree without following any
// symlink and checks it is the one recorded for rel.
func (t *Tree) open(rel string) (int, error) {
	if err := checkRel(rel); err != nil {
		return -1, err
	}
	root, err := t.openRoot()
	if err != nil || rel == "." {
		return root, err
	}
	fd, err := openBeneath(root, rel)
	unix.Close(root)
	if err != nil {
		switch err {
		case unix.ELOOP:
			return -1, &ForeignError{Path: t.Join(rel), Reason: "a symbolic link where writebench made a directory"}
		case unix.EXDEV:
			return -1, &ForeignError{Path: t.Join(rel), Reason: "leads out of the scratch directory (a mount point or a link)"}
		case unix.ENOTDIR:
			return -1, &ForeignError{Path: t.Join(rel), Reason: "a symbolic link or a file where writebench made a directory"}
		}
		return -1, &os.PathError{Op: "open", Path: t.Join(rel), Err: err}
	}
	if err := t.check(fd, rel); err != nil {
		unix.Close(fd)
		return -1, err
	}
	return fd, nil
}

// walkBeneath opens rel under root one name at a time, each with
// O_NOFOLLOW|O_DIRECTORY: the fallback where openat2 is missing.
func walkBeneath(root int, rel string) (int, error) {
	cur := -1
	dir := root
	for _, c := range strings.Split(rel, "/") {
		fd, err := unix.Openat(dir, c, dirFlags, 0)
		if cur >= 0 {
			unix.Close(cur)
		}
		if err != nil {
			return -1, err
		}
		cur, dir = fd, fd
	}
	return cur, nil
}

// OpenDir opens the directory rel under the tree (see Mkdir) for reading,
// checked as Empty checks it.
func (t *Tree) OpenDir(rel string) (*os.File, error) {
	fd, err := t.open(rel)
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), t.Join(rel)), nil
}

// Mkdir makes the directory rel (mode 0755) unless it exists, reached from
// the tree's root without following symlinks, and returns its path. An
// existing directory must be the one recorded for rel; one not seen
// before (made by another process of the run) is recorded.
func (t *Tree) Mkdir(rel string) (string, error) {
	if err := checkRel(rel); err != nil || rel == "." {
		return "", fmt.Errorf("safefs: invalid directory %q", rel)
	}
	pfd, err := t.open(path.Dir(rel))
	if err != nil {
		return "", err
	}
	defer unix.Close(pfd)
	name := path.Base(rel)
	if err := unix.Mkdirat(pfd, name, 0o755); err != nil && err != unix.EEXIST {
		return "", &os.PathError{Op: "mkdir", Path: t.Join(rel), Err: err}
	}
	fd, err := unix.Openat(pfd, name, dirFlags, 0)
	if err == unix.ELOOP || err == unix.ENOTDIR {
		return "", &ForeignError{Path: t.Join(rel), Reason: "not a directory (a symbolic link or a file) where writebench makes one"}
	}
	if err != nil {
		return "", &os.PathError{Op: "open", Path: t.Join(rel), Err: err}
	}
	defer unix.Close(fd)
	if err := t.check(fd, rel); err != nil {
		return "", err
	}
	return t.Join(rel), nil
}

// WriteFile creates the file name in the tree's root (it must not exist)
// with data and mode 0644.
func (t *Tree) WriteFile(name string, data []byte) error {
	if strings.Contains(name, "/") || name == "" || name == "." || name == ".." {
		return fmt.Errorf("safefs: invalid file name %q", name)
	}
	root, err := t.openRoot()
	if err != nil {
		return err
	}
	defer unix.Close(root)
	fd, err := unix.Openat(root, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_NOFOLLOW|unix.O_CLOEXEC, 0o644)
	if err != nil {
		return &os.PathError{Op: "create", Path: t.Join(name), Err: err}
	}
	f := os.NewFile(uintptr(fd), t.Join(name))
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// RemoveFile removes the entry name of the tree's root unless it is a
// directory (a symlink itself, never its target); a missing name is not an
// error.
func (t *Tree) RemoveFile(name string) error {
	if strings.Contains(name, "/") || name == "" || name == "." || name == ".." {
		return fmt.Errorf("safefs: invalid file name %q", name)
	}
	root, err := t.openRoot()
	if err != nil {
		return err
	}
	defer unix.Close(root)
	if err := unix.Unlinkat(root, name, 0); err != nil && err != unix.ENOENT {
		return &os.PathError{Op: "remove", Path: t.Join(name), Err: err}
	}
	return nil
}

// Empty removes every entry named with prefix (every entry when prefix is
// "") from the directory rel under the tree, directories with everything
// in them. The directory is reached and checked as OpenDir does; entries
// are removed with unlinkat relative to its descriptor, and directories
// among them are entered with O_NOFOLLOW, never across a mount point. It
// passes over the directory until a pass finds nothing to remove.
func (t *Tree) Empty(rel, prefix string) error {
	fd, err := t.open(rel)
	if err != nil {
		return err
	}
	defer unix.Close(fd)
	return emptyFD(fd, t.Join(rel), prefix, t.id.dev, 0)
}

// RemoveAll removes the tree: everything in it (see Empty), then the
// directory itself, when the name it was made under still names it. An
// adopted tree is left to its owner. The tree is closed unless its
// directory could not be reached (a later call may then try again).
func (t *Tree) RemoveAll() error {
	if !t.owned {
		return t.Close()
	}
	fd, err := t.openRoot()
	if err != nil {
		return err
	}
	err = emptyFD(fd, t.path, "", t.id.dev, 0)
	unix.Close(fd)
	if err != nil {
		return err
	}
	t.Close()
	pfd, err := unix.Open(t.parent, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: t.parent, Err: err}
	}
	defer unix.Close(pfd)
	var st unix.Stat_t
	if err := unix.Fstatat(pfd, t.name, &st, unix.AT_SYMLINK_NOFOLLOW); err != nil {
		if err == unix.ENOENT {
			return &ForeignError{Path: t.path, Reason: "moved away while writebench used it; its contents were removed"}
		}
		return &os.PathError{Op: "stat", Path: t.path, Err: err}
	}
	if idOf(&st) != t.id {
		return &ForeignError{Path: t.path, Reason: "replaced by another entry while writebench used it; writebench's directory was emptied"}
	}
	// unlinkat with AT_REMOVEDIR removes only an empty directory and never
	// follows a symlink.
	if err := unix.Unlinkat(pfd, t.name, unix.AT_REMOVEDIR); err != nil {
		return &os.PathError{Op: "remove", Path: t.path, Err: err}
	}
	return nil
}

// maxPasses bounds the passes Empty makes over one directory a program
// keeps filling.
const maxPasses = 100

func emptyFD(fd int, p, prefix string, dev uint64, depth int) error {
	for pass := 0; pass < maxPasses; pass++ {
		removed, err := emptyPass(fd, p, prefix, dev, depth)
		if err != nil || removed == 0 {
			return err
		}
	}
	return fmt.Errorf("%s: %w", p, errNotEmptyYet)
}

// emptyPass reads the directory fd once to its end, removing the entries
// named with prefix as it goes, and returns how many it removed.
func emptyPass(fd int, p, prefix string, dev uint64, depth int) (int, error) {
	removed := 0
	err := readNames(fd, p, func(n string) error {
		if !strings.HasPrefix(n, prefix) {
			return nil
		}
		ok, err := removeAt(fd, p, n, dev, depth)
		if ok {
			removed++
		}
		return err
	})
	return removed, err
}

// removeAt removes the entry name of the directory fd (whose path is p):
// anything but a directory is unlinked (a symlink itself, never its
// target); a directory is entered without following links, emptied and
// removed. It reports whether it removed something.
func removeAt(fd int, p, name string, dev uint64, depth int) (bool, error) {
	err := unix.Unlinkat(fd, name, 0)
	switch err {
	case nil:
		return true, nil
	case unix.ENOENT:
		return false, nil
	case unix.EISDIR, unix.EPERM: // EPERM: a directory, on Darwin
	default:
		return false, &os.PathError{Op: "remove", Path: p + "/" + name, Err: err}
	}
	if depth >= maxDepth {
		return false, fmt.Errorf("%s/%s: directories nested more than %d deep; left", p, name, maxDepth)
	}
	cfd, err := unix.Openat(fd, name, dirFlags, 0)
	switch err {
	case nil:
	case unix.ENOENT:
		return false, nil
	case unix.ELOOP, unix.ENOTDIR: // replaced by a link or a file meanwhile: unlink that
		if err := unix.Unlinkat(fd, name, 0); err != nil && err != unix.ENOENT {
			return false, &os.PathError{Op: "remove", Path: p + "/" + name, Err: err}
		}
		return true, nil
	default:
		return false, &os.PathError{Op: "open", Path: p + "/" + name, Err: err}
	}
	defer unix.Close(cfd)
	var st unix.Stat_t
	if err := unix.Fstat(cfd, &st); err != nil {
		return false, &os.PathError{Op: "stat", Path: p + "/" + name, Err: err}
	}
	if uint64(st.Dev) != dev {
		return false, &ForeignError{Path: p + "/" + name, Reason: "on another file system (a mount point)"}
	}
	if err := emptyFD(cfd, p+"/"+name, "", dev, depth+1); err != nil {
		return false, err
	}
	if err := unix.Unlinkat(fd, name, unix.AT_REMOVEDIR); err != nil && err != unix.ENOENT {
		return false, &os.PathError{Op: "remove", Path: p + "/" + name, Err: err}
	}
	return true, nil
}

// SharedWritable reports why users other than this process's could
// replace dir or entries in it, or "" when they cannot. It looks at dir and
// at every directory above it (after resolving symlinks), and at every
// symlink on the way as written: refuse is true when any user could (a
// world-writable directory without the sticky bit), or when one of them is
// owned by another user who is not root (its owner can rename what is in
// it, or repoint the link); false when only the members of a group could
// (group-writable without the sticky bit), where a warning is due. In such
// a directory another user could swap a directory writebench made for a
// link to theirs between two uses.
func SharedWritable(dir string) (reason string, refuse bool, err error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", false, err
	}
	euid := os.Geteuid()
	// Symlinks on the way as written: their owner can repoint them.
	for p := abs; p != "/"; p = filepath.Dir(p) {
		var st unix.Stat_t
		if unix.Lstat(p, &st) == nil && st.Mode&unix.S_IFMT == unix.S_IFLNK && int(st.Uid) != euid && st.Uid != 0 {
			return fmt.Sprintf("reached through the symlink %s owned by uid %d, not by you (uid %d)", p, st.Uid, euid), true, nil
		}
	}
	real, err := filepath.EvalSymlinks(abs)
	if err != nil {
		return "", false, err
	}
	warn := ""
	for p := real; ; p = filepath.Dir(p) {
		var st unix.Stat_t
		if err := unix.Stat(p, &st); err != nil {
			return "", false, &os.PathError{Op: "stat", Path: p, Err: err}
		}
		what := "writable"
		if p != real {
			what = "inside " + p + ", which is writable"
		}
		mode := uint32(st.Mode)
		switch {
		case int(st.Uid) != euid && st.Uid != 0:
			if p == real {
				return fmt.Sprintf("owned by uid %d, not by you (uid %d)", st.Uid, euid), true, nil
			}
			return fmt.Sprintf("inside %s, owned by uid %d, not by you (uid %d)", p, st.Uid, euid), true, nil
		case mode&unix.S_ISVTX != 0:
		case mode&0o002 != 0:
			return fmt.Sprintf("%s by every user without the sticky bit (mode %#o)", what, mode&0o7777), true, nil
		case mode&0o020 != 0 && warn == "":
			warn = fmt.Sprintf("%s by its group (gid %d) without the sticky bit (mode %#o)", what, st.Gid, mode&0o7777)
		}
		if p == "/" {
			break
		}
	}
	return warn, false, nil
}
