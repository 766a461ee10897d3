package resultset

import (
	"errors"
	"fmt"
	"github.com/writebench/writebench/internal/safefs"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// OutputError says why an output path cannot be written safely; nothing
// was written. The CLI maps it to exit status 2.
type OutputError struct {
	Path string
	Msg  string
}

func (e *OutputError) Error() string { return Printable(e.Path) + ": " + e.Msg }

func outErr(path, format string, args ...any) error {
	return &OutputError{Path: path, Msg: fmt.Sprintf(format, args...)}
}

// target is where an output path's bytes end up and what is there now.
type target struct {
	path   string      // the name to replace: path itself, or the regular file a symlink leads to
	exists bool        // a regular file is there now
	st     fs.FileInfo // its Lstat, when exists
}

// resolveOutput applies writebench's output rules to path without writing
// anything:
//
//   - a missing path is created (its directory must exist);
//   - a regular file is replaced, keeping its permission bits (and, when
//     writebench runs as root, its owner);
//   - a symlink is followed to its final target, which must be a regular
//     file: that file is replaced and the link stays a link. A dangling
//     link, or one to anything else, is refused;
//   - anything else (a directory, FIFO, socket, character or block device)
//     is refused;
//   - a file writebench could not replace as this user (another owner, a
//     sticky directory it does not own) is refused.
func resolveOutput(path string) (target, error) {
	if path == "" {
		return target{}, outErr(path, "empty path")
	}
	// Resolve every symlink of the path ourselves, each checked with
	// trustLink: the directories too, since a directory link planted in
	// /tmp would otherwise redirect the write (fs.protected_symlinks is
	// off on many machines).
	real, err := followLinks(path)
	if err != nil {
		return target{}, err
	}
	lst, lerr := os.Lstat(path)
	isLink := lerr == nil && lst.Mode()&fs.ModeSymlink != 0
	st, err := os.Lstat(real)
	switch {
	case (errors.Is(err, fs.ErrNotExist) || errors.Is(err, syscall.ENOTDIR)) && isLink:
		return target{}, outErr(path, "a symlink that leads nowhere (%s does not exist); writebench writes through links only to regular files", Printable(real))
	case errors.Is(err, fs.ErrNotExist), errors.Is(err, syscall.ENOTDIR):
		return target{path: real}, checkParent(path, real)
	case err != nil:
		return target{}, outErr(path, "%v", errors.Unwrap(err))
	}
	if !st.Mode().IsRegular() {
		if isLink {
			return target{}, outErr(path, "a symlink to %s, which is %s, not a regular file; refusing to replace it", Printable(real), safefs.KindOf(st.Mode()))
		}
		return target{}, outErr(path, "is %s, not a regular file; refusing to replace it", safefs.KindOf(st.Mode()))
	}
	t := target{path: real, exists: true, st: st}
	if err := checkParent(path, real); err != nil {
		return target{}, err
	}
	if err := checkReplaceable(path, real, st, os.Geteuid()); err != nil {
		return target{}, err
	}
	return t, nil
}

// followLinks resolves every symlink in path, directories and the final
// name, hop by hop, and returns a path without symlinks (whose last
// components may not exist). Every link must be one this user may trust (see trustLink: in a sticky world-writable directory such
// as /tmp, only links owned by this user or by the directory's owner are
// followed, as the kernel's fs.protected_symlinks does), so a link planted
// in a shared directory cannot redirect a write to another file.
func followLinks(path string) (string, error) {
	resolved := "."
	if filepath.IsAbs(path) {
		resolved = "/"
	}
	pending := strings.Split(path, "/")
	hops := 0
	for len(pending) > 0 {
		c := pending[0]
		pending = pending[1:]
		switch c {
		case "", ".":
			continue
		case "..":
			resolved = filepath.Join(resolved, "..")
			continue
		}
		next := filepath.Join(resolved, c)
		st, err := os.Lstat(next)
		if err != nil {
			// Missing (or not a directory): the rest is taken as written.
			return filepath.Join(append([]string{next}, pending...)...), nil
		}
		if st.Mode()&fs.ModeSymlink == 0 {
			resolved = next
			continue
		}
		if hops++; hops > 40 {
			return "", outErr(path, "too many levels of symbolic links")
		}
		if err := trustLink(path, next, st, os.Geteuid()); err != nil {
			return "", err
		}
		dst, err := os.Readlink(next)
		if err != nil {
			return "", outErr(path, "%v", errors.Unwrap(err))
		}
		if filepath.IsAbs(dst) {
			resolved = "/"
		}
		pending = append(strings.Split(dst, "/"), pending...)
	}
	return resolved, nil
}

// checkParent checks that the directory of real exists and that this user
// can create files in it, by creating and removing a probe file.
func checkParent(path, real string) error {
	dir := filepath.Dir(real)
	st, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return outErr(path, "directory %s does not exist", Printable(dir))
		}
		return outErr(path, "directory %s: %v", Printable(dir), errors.Unwrap(err))
	}
	if !st.IsDir() {
		return outErr(path, "%s is not a directory", Printable(dir))
	}
	probe, err := os.CreateTemp(dir, ".writebench-probe-*")
	if err != nil {
		return outErr(path, "cannot create files in %s: %v", Printable(dir), errors.Unwrap(err))
	}
	probe.Close()
	os.Remove(probe.Name())
	return nil
}

// CheckOutput checks, writing nothing that stays, that WriteFileAtomic can
// later write path: see resolveOutput for the rules. Call it before long
// work so a sweep never ends in a refusal.
func CheckOutput(path string) error {
	_, err := resolveOutput(path)
	return err
}

// Output is an output path checked before long work (see PrepareOutput),
// remembering which file was there then: saving replaces that file and no
// other.
type Output struct {
	path string
	st   fs.FileInfo // the regular file path led to when checked; nil: none
}

// PrepareOutput checks, writing nothing that stays, that path can be
// written (see resolveOutput) and records what is there now.
func PrepareOutput(path string) (*Output, error) {
	t, err := resolveOutput(path)
	if err != nil {
		return nil, err
	}
	o := &Output{path: path}
	if t.exists {
		o.st = t.st
	}
	return o, nil
}

// KeptBothError is WriteFileAtomic's error when another process wrote Path
// while this one was writing: that file was kept, and this one's data was
// saved, complete, under SavedAs.
type KeptBothError struct {
	Path, SavedAs string
}

func (e *KeptBothError) Error() string {
	return fmt.Sprintf("%s: another process wrote it meanwhile; kept it, and saved this one as %s", Printable(e.Path), Printable(e.SavedAs))
}

// WriteFileAtomic writes data to path through a temporary file in the same
// directory as the file it replaces, fsync, rename(2) and fsync of the
// directory, so a crash never leaves a truncated file. Only a regular file
// (or a symlink to one, which is written through) is ever replaced; see
// CheckOutput. A replaced file keeps its permission bits; a new file gets
// 0666 minus the umask. When another process writes path in the meantime,
// both are kept: see Output.Write (the error is then a *KeptBothError).
// On error the temporary file is removed and path is left as it was.
func WriteFileAtomic(path string, data []byte) error {
	o, err := PrepareOutput(path)
	if err != nil {
		return err
	}
	name, err := o.Write(data)
	if err == nil && name != path {
		return &KeptBothError{Path: path, SavedAs: name}
	}
	return err
}

// Write saves data at the output path and returns the name it was saved
// under. It never removes or replaces a file it did not expect: it
// replaces, with rename(2), only the file that was there when the output
// was prepared (or takes the free name). When another process put a file
// there since (another run saving to the same --out), that file is kept
// and data is saved under the path with "-2", "-3", ... before its
// extension, claimed without replacing anything (see CreateNew). The
// check and the rename happen under an exclusive lock of the directory
// (flock), so concurrent writebench processes saving there take turns.
func (o *Output) Write(data []byte) (string, error) {
	t, err := resolveOutput(o.path)
	if err != nil {
		return "", err
	}
	tmp, err := writeTemp(t, data)
	if err != nil {
		return "", fmt.Errorf("write %s: %w", Printable(o.path), err)
	}
	dir := filepath.Dir(t.path)
	unlock := lockDir(dir)
	name, err := o.place(tmp, t.path)
	unlock()
	if err != nil {
		os.Remove(tmp) // ours: made by writeTemp, never renamed
		var oe *OutputError
		if errors.As(err, &oe) {
			return "", err
		}
		return "", fmt.Errorf("write %s: %w", Printable(o.path), err)
	}
	syncDir(dir)
	if name == t.path {
		return o.path, nil // the name asked for (possibly a symlink written through)
	}
	return name, nil
}

// place moves the temporary file tmp to real (the resolved output path)
// when real still holds what the output was prepared with, else to a new
// name beside it.
func (o *Output) place(tmp, real string) (string, error) {
	cur, err := os.Lstat(real)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		// Nothing there (removed meanwhile, or never was): take the name
		// only if it is still free when the rename happens.
		err := renameNoReplace(tmp, real)
		if !errors.Is(err, fs.ErrExist) {
			return real, err
		}
	case err != nil:
		return "", err
	case o.st != nil && cur.Mode().IsRegular() && os.SameFile(cur, o.st) && cur.Size() == o.st.Size() && cur.ModTime().Equal(o.st.ModTime()):
		// The file that was there when prepared: replace it.
		if err := os.Rename(tmp, real); err != nil {
			return "", err
		}
		return real, nil
	}
	return claimName(tmp, real)
}

// writeTemp writes data to a new temporary file next to t.path, with t's
// mode (or the umask's), fsynced and closed, and returns its name.
func writeTemp(t target, data []byte) (string, error) {
	dir := filepath.Dir(t.path)
	f, err := os.CreateTemp(dir, "."+filepath.Base(t.path)+".tmp-*")
	if err != nil {
		return "", err
	}
	tmp := f.Name()
	fail := func(err error) (string, error) {
		f.Close()
		os.Remove(tmp)
		return "", err
	}
	if _, err := f.Write(data); err != nil {
		return fail(err)
	}
	mode := newFileMode()
	if t.exists {
		mode = t.st.Mode().Perm()
		keepOwner(f, t.st)
	}
	if err := f.Chmod(mode); err != nil {
		return fail(err)
	}
	if err := f.Sync(); err != nil {
		return fail(fmt.Errorf("sync: %w", err))
	}
	if err := f.Close(); err != nil {
		os.Remove(tmp)
		return "", err
	}
	return tmp, nil
}

func syncDir(dir string) {
	if d, err := os.Open(dir); err == nil { // make the rename durable
		d.Sync()
		d.Close()
	}
}

// CheckNew checks that CreateNew can later create a file next to path:
// its directory exists and this user can create files in it.
func CheckNew(path string) error { return checkParent(path, path) }

// CreateNew saves data under path, or under path with "-2", "-3", ...
// before its extension when that name is taken, never replacing anything:
// the name is claimed atomically (rename without replace), so two
// processes saving the same name at once both keep their data. It returns
// the name used. The file is complete when it appears.
func CreateNew(path string, data []byte) (string, error) {
	if err := checkParent(path, path); err != nil {
		return "", err
	}
	tmp, err := writeTemp(target{path: path}, data)
	if err != nil {
		return "", fmt.Errorf("write %s: %w", Printable(path), err)
	}
	name, err := claimName(tmp, path)
	if err != nil {
		os.Remove(tmp)
		return "", err
	}
	syncDir(filepath.Dir(path))
	return name, nil
}

// claimName renames tmp to path, or to path with "-2", "-3", ... before
// its extension when that name is taken, never replacing anything, and
// returns the name taken.
func claimName(tmp, path string) (string, error) {
	ext := filepath.Ext(path)
	stem := strings.TrimSuffix(path, ext)
	for k := 1; k <= 10000; k++ {
		name := path
		if k > 1 {
			name = stem + "-" + strconv.Itoa(k) + ext
		}
		err := renameNoReplace(tmp, name)
		if err == nil {
			return name, nil
		}
		if !errors.Is(err, fs.ErrExist) {
			return "", fmt.Errorf("write %s: %w", Printable(name), err)
		}
	}
	return "", outErr(path, "10000 names like it are taken")
}

// SaveNew writes s as indented JSON under a new name based on path (see
// CreateNew) and returns the name.
func SaveNew(path string, s *Set) (string, error) {
	data, err := encode(s)
	if err != nil {
		return "", err
	}
	return CreateNew(path, data)
}
