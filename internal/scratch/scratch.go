// Package scratch owns writebench's scratch directories: making one under
// the directory a run is given (marked with the owning process's pid),
// finding stale ones from earlier runs, checking free space and the
// directory before anything is written, dropping caches, and removing only
// what writebench created.
package scratch

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"

	"github.com/writebench/writebench/internal/safefs"
	"github.com/writebench/writebench/internal/sysinfo"
	"github.com/writebench/writebench/internal/textfmt"
	"github.com/writebench/writebench/resultset"
	"github.com/writebench/writebench/strategies"
)

// Prefix starts the name of every scratch directory writebench makes
// under --dir (by default the current directory, so the files land on the
// file system the user is in, as fio's do). writebench creates and removes
// entries only inside a directory it made itself with this prefix and a
// unique suffix. The leading dot keeps it out of plain listings while it
// exists; it is removed when the run ends.
const Prefix = ".writebench-scratch-"

// Marker is the file inside a scratch directory that records the
// owning process, so a later run can tell a stale directory from a live one.
const Marker = strategies.ScratchMarker

// Dir is the run's scratch directory at Path, reached, emptied and removed
// only through the descriptors of its safefs.Tree (see package safefs).
// Borrowed marks rank 0's shared directory (--shared-dir) as another rank
// sees it: used, never removed.
type Dir struct {
	Path     string
	Borrowed bool
	tree     *safefs.Tree
}

// New makes a fresh, uniquely named scratch directory under dir.
func New(dir string) (*Dir, error) {
	t, err := safefs.MkdirTemp(dir, Prefix)
	if err != nil {
		if u := errors.Unwrap(err); u != nil {
			err = u
		}
		return nil, textfmt.Errorf("{dir} %s: cannot make a scratch directory: %w", dir, err)
	}
	marker := strconv.Itoa(os.Getpid()) + "\n"
	if err := t.WriteFile(Marker, []byte(marker)); err != nil {
		t.RemoveAll()
		return nil, textfmt.Errorf("{dir} %s: %w", dir, err)
	}
	return &Dir{Path: t.Path(), tree: t}, nil
}

// Borrow opens rank 0's shared scratch directory path, which this process
// uses but never removes. Its last component must be a real directory
// holding a scratch marker.
func Borrow(path string) (*Dir, error) {
	if _, err := ReadMarker(path); err != nil {
		return nil, err
	}
	t, err := safefs.Adopt(path)
	if err != nil {
		return nil, err
	}
	return &Dir{Path: path, Borrowed: true, tree: t}, nil
}

// Remove deletes the scratch directory and everything in it: all of it was
// created by this process (or, under --shared-dir, by the run's ranks in
// the directory this process made). It goes through the tree's
// descriptors, so an entry swapped for a link or another directory is left
// alone and named in the error. A borrowed directory is left to its owner.
func (s *Dir) Remove() error {
	if s.tree == nil {
		return nil
	}
	if s.Borrowed {
		return s.tree.Close()
	}
	return s.tree.RemoveAll()
}

// Mkdir makes the directory rel (slash-separated, e.g. "d3/l0") under the
// scratch directory unless it exists, checked to be the one made there
// (see safefs.Tree.Mkdir), and returns its path.
func (s *Dir) Mkdir(rel string) (string, error) { return s.tree.Mkdir(rel) }

// Empty removes the entries named with prefix (every entry when prefix is
// "") from the directory rel under the scratch directory, never through a
// link or a directory swapped for another (see safefs.Tree.Empty).
func (s *Dir) Empty(rel, prefix string) error { return s.tree.Empty(rel, prefix) }

// OpenDir opens the directory rel under the scratch directory for reading,
// checked to be the one made there (see safefs.Tree.OpenDir).
func (s *Dir) OpenDir(rel string) (*os.File, error) { return s.tree.OpenDir(rel) }

// maxMarker is the longest marker file FindStale reads: a pid and a newline.
const maxMarker = 32

// FindStale lists scratch directories under dir left by writebench processes
// that no longer run, for display: names come from a shared directory, so
// they are escaped with resultset.Printable. They are reported, never
// removed. Only real directories (not symlinks) holding a regular marker
// file of at most maxMarker bytes count; markers are read without
// following links or blocking (see ReadMarker), so a planted FIFO, device
// or link cannot hang the run or exhaust its memory.
func FindStale(dir string) []string {
	matches, _ := filepath.Glob(filepath.Join(dir, Prefix+"*"))
	execs, _ := filepath.Glob(filepath.Join(dir, ExecPrefix+"*"))
	matches = append(matches, execs...)
	var stale []string
	for _, m := range matches {
		data, err := ReadMarker(m)
		if err != nil {
			if strings.HasPrefix(filepath.Base(m), ExecPrefix) && errors.Is(err, fs.ErrNotExist) && unmarkedExecDir(m) {
				stale = append(stale, resultset.Printable(m))
			}
			continue // not ours, or not readable: leave it alone and quiet
		}
		pid, err := strconv.Atoi(strings.TrimSpace(string(data)))
		if err != nil || !processAlive(pid) {
			stale = append(stale, resultset.Printable(m))
		}
	}
	return stale
}

// ExecPrefix starts the name of the directory an external writer's files
// go to when no runner gives it a place in a scratch directory (see
// strategies/external), in the system's temporary directory; it is marked
// like a scratch directory, and FindStale looks for it too.
const ExecPrefix = "writebench-exec-"

// unmarkedExecDir reports whether dir has the shape of an external
// writer's directory from a writebench that did not mark them: a real
// directory of this user holding nothing but pattern-<seed> regular files.
func unmarkedExecDir(dir string) bool {
	st, err := os.Lstat(dir)
	if err != nil || !st.IsDir() {
		return false
	}
	if sys, ok := st.Sys().(*syscall.Stat_t); !ok || int(sys.Uid) != os.Geteuid() {
		return false
	}
	ents, err := os.ReadDir(dir)
	if err != nil {
		return false
	}
	for _, e := range ents {
		if !strings.HasPrefix(e.Name(), "pattern-") || !e.Type().IsRegular() {
			return false
		}
	}
	return true
}

func processAlive(pid int) bool {
	if pid <= 0 {
		return false
	}
	p, err := os.FindProcess(pid)
	if err != nil {
		return false
	}
	err = p.Signal(syscall.Signal(0))
	return err == nil || errors.Is(err, syscall.EPERM)
}

// CheckDir makes sure dir exists, is a directory and is writable, without
// leaving anything behind, and that no other user can replace entries in
// it (see safefs.SharedWritable): a world-writable directory without the
// sticky bit, or one owned by another user, is refused.
func CheckDir(dir string) error {
	st, err := os.Stat(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("%s does not exist", dir)
		}
		return fmt.Errorf("%s: %v", dir, errors.Unwrap(err))
	}
	if !st.IsDir() {
		return fmt.Errorf("%s is not a directory", dir)
	}
	if why, refuse, err := safefs.SharedWritable(dir); err == nil && refuse {
		return fmt.Errorf("%s is %s: another user could swap writebench's directories there; use a directory only you can change (e.g. mkdir -m 700 ~/scratch), or set the sticky bit on the shared one (chmod +t)", dir, why)
	}
	t, err := safefs.MkdirTemp(dir, Prefix+"probe-")
	if err != nil {
		if u := errors.Unwrap(err); u != nil {
			err = u
		}
		return fmt.Errorf("%s is not writable: %v", dir, err)
	}
	t.RemoveAll()
	return nil
}

// Space-check margins: every file is counted at whole 4 KiB blocks plus
// fileOverhead bytes for its directory entry and metadata, and the total
// gets spaceSlack percent and spaceReserve bytes on top, so a cell never
// takes the last free bytes of a disk.
const (
	fileOverhead = 256
	spaceSlack   = 5
	spaceReserve = 4 << 20
)

// SpaceNeeded is the free space, in bytes, the space check asks for before a
// cell of files × size.
func SpaceNeeded(files int, size int64) uint64 {
	per := uint64((size+4095)/4096*4096) + fileOverhead
	need := uint64(files) * per
	return need + need*spaceSlack/100 + spaceReserve
}

// CheckSpace fails when a cell of files × size would not fit in dir.
func CheckSpace(dir string, files int, size int64) error {
	free, inodes, err := sysinfo.FreeSpace(dir)
	if err != nil {
		return nil // cannot tell: let the write report ENOSPC if it comes
	}
	need := SpaceNeeded(files, size)
	if need > free {
		return fmt.Errorf("not started: %d files × %s need about %s but the filesystem of {dir} has %s free (use smaller {files}/{sizes}, another {dir}, or {no_space_check})",
			files, resultset.FormatIEC(uint64(size)), resultset.FormatIEC(need), resultset.FormatIEC(free))
	}
	if inodes > 0 && uint64(files)+16 > inodes {
		return fmt.Errorf("not started: %d files need %d inodes but the filesystem of {dir} has %d free (use fewer {files} or {no_space_check})",
			files, files, inodes)
	}
	return nil
}

const dropCachesPath = "/proc/sys/vm/drop_caches"

// CanDropCaches checks that --drop-caches can work here (Linux, root).
func CanDropCaches() error {
	f, err := os.OpenFile(dropCachesPath, os.O_WRONLY, 0)
	if err != nil {
		return fmt.Errorf("cannot write %s (needs Linux and root): %v", dropCachesPath, errors.Unwrap(err))
	}
	f.Close()
	return nil
}

// DropCaches writes back dirty pages and drops the page cache, dentries and
// inodes, so the next repetition starts cold.
func DropCaches() error {
	sysinfo.SyncAll()
	if err := os.WriteFile(dropCachesPath, []byte("3\n"), 0); err != nil {
		return fmt.Errorf("drop caches: %w", err)
	}
	return nil
}

// hints are one-line advice for the OS errors a write benchmark meets; they
// name configuration fields as {field} (see textfmt.FieldRefs).
var hints = map[syscall.Errno]string{
	syscall.ENOSPC: "the filesystem of {dir} is full: use smaller {files}/{sizes} or another {dir}",
	syscall.EDQUOT: "your disk quota on {dir} is exhausted: use smaller {files}/{sizes} or another {dir}",
	syscall.EROFS:  "the filesystem of {dir} is read-only: choose a writable {dir}",
	syscall.EIO:    "the device reported an I/O error: check the disk (dmesg) before trusting any figure",
	syscall.EMFILE: "too many open files in this process: lower {concurrency} or raise the fd limit (ulimit -n)",
	syscall.ENFILE: "the system-wide open-file table is full: lower {concurrency} or raise fs.file-max",
	syscall.EACCES: "permission denied under {dir}: choose a directory you can write",
	syscall.EFBIG:  "a file exceeds the file-size limit (ulimit -f) or the filesystem's largest file: use smaller {sizes} or raise the limit",
}

// WithHint appends a one-line hint to err when it carries an OS error
// writebench knows advice for.
func WithHint(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		if h, ok := hints[errno]; ok {
			return fmt.Errorf("%w (hint: %s)", err, h)
		}
	}
	return err
}
