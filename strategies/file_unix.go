//go:build unix

package strategies

import (
	"os"

	"golang.org/x/sys/unix"
)

// file is a raw file descriptor: every Write is exactly one write(2) (or
// more only when the kernel writes short), with no Go poller registration,
// so the syscalls writebench counts are the strategy's own. A worker reuses
// one file value for all its files, so creating a file allocates nothing.
type file struct {
	fd int
	// raw makes create, Write and Close skip the Go scheduler's syscall
	// hand-off (see rawWrite, rawOpenNUL). Only the one-goroutine strategies
	// set it: with nothing else to run, holding the P changes nothing but
	// the cost,
	// while pool and semaphore must keep Go's normal behaviour, in which a
	// goroutine blocked in write(2) lets the others open their files.
	raw bool
	// rwf holds the RWF_* flags (--sync dsync, uncached) every write passes
	// to pwritev2(2) at the current offset; 0 keeps plain write(2).
	rwf  int
	name []byte // the path, a view of the worker's path buffer; see path
	// probe, when non-nil, counts the bytes written and times every
	// write(2) (Batch.Probe).
	probe *Probe
}

// path returns the file's path as a string, for error messages only (it
// allocates).
func (f *file) path() string { return string(f.name) }

const createFlags = unix.O_CREAT | unix.O_EXCL | unix.O_NOFOLLOW | unix.O_CLOEXEC

// create creates the file named by the NUL-terminated path into f, without
// allocating on Linux. The path must not exist (O_EXCL): a file or symlink
// already there is never followed, truncated or overwritten.
func (f *file) create(path []byte, readable bool) error {
	flags := createFlags | unix.O_WRONLY
	if readable {
		flags = createFlags | unix.O_RDWR
	}
	f.name = path[:len(path)-1]
	open := openNUL
	if f.raw {
		open = rawOpenNUL
	}
	for {
		fd, err := open(path, flags, 0o644)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			f.fd = -1
			return &os.PathError{Op: "create", Path: f.path(), Err: err}
		}
		f.fd = fd
		return nil
	}
}

// Write writes all of p, retrying short writes and EINTR.
func (f *file) Write(p []byte) (int, error) {
	done := 0
	for done < len(p) {
		var n int
		var err error
		t := f.probe.start()
		switch {
		case f.rwf != 0:
			n, err = pwritev2(f.fd, p[done:], f.rwf)
		case f.raw:
			n, err = rawWrite(f.fd, p[done:])
		default:
			n, err = unix.Write(f.fd, p[done:])
		}
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return done, f.writeError(err)
		}
		if n == 0 {
			return done, &os.PathError{Op: "write", Path: f.path(), Err: unix.EIO}
		}
		f.probe.done(t, n)
		done += n
	}
	return done, nil
}

// sync flushes the file: fsync(2), or fdatasync(2) when dataOnly.
func (f *file) sync(dataOnly bool) error {
	var err error
	for {
		if dataOnly {
			err = fdatasync(f.fd)
		} else {
			err = unix.Fsync(f.fd)
		}
		if err != unix.EINTR {
			break
		}
	}
	if err != nil {
		op := "fsync"
		if dataOnly {
			op = "fdatasync"
		}
		return &os.PathError{Op: op, Path: f.path(), Err: err}
	}
	return nil
}

// writeError wraps err from a write of f: a per-write flag the kernel or
// filesystem refuses makes the cell skipped (see flagRefused), anything
// else is the write's error.
func (f *file) writeError(err error) error {
	if f.rwf != 0 && (err == unix.EOPNOTSUPP || err == unix.EINVAL) {
		return flagRefused(f, err)
	}
	op := "write"
	if f.rwf != 0 {
		op = "pwritev2"
	}
	return &os.PathError{Op: op, Path: f.path(), Err: err}
}

// prealloc reserves the file's size as m asks, right after create (the
// --prealloc knob, like fio's fallocate=): fallocate(2) allocates blocks
// for all of it, ftruncate(2) only sets the size (sparse). A zero-byte file
// needs nothing (fallocate of length 0 is EINVAL). A filesystem without
// fallocate makes the cell skipped with the reason.
func (f *file) prealloc(m PreallocMode, size int64) error {
	if size == 0 {
		return checkPrealloc(m)
	}
	switch m {
	case PreallocNone, "":
		return nil
	case PreallocTruncate:
		return f.truncate(size)
	case PreallocFallocate:
		err := fallocate(f.fd, size)
		if err == unix.EOPNOTSUPP {
			return Skip("{prealloc} fallocate: the filesystem of %s does not support fallocate(2) (%v)", f.path(), err)
		}
		if err != nil {
			if _, ok := SkipReason(err); ok {
				return err
			}
			return &os.PathError{Op: "fallocate", Path: f.path(), Err: err}
		}
		return nil
	}
	return checkPrealloc(m)
}

func (f *file) truncate(size int64) error {
	if err := unix.Ftruncate(f.fd, size); err != nil {
		return &os.PathError{Op: "ftruncate", Path: f.path(), Err: err}
	}
	return nil
}

func (f *file) Close() error {
	closeFD := unix.Close
	if f.raw {
		closeFD = rawClose
	}
	if err := closeFD(f.fd); err != nil {
		return &os.PathError{Op: "close", Path: f.path(), Err: err}
	}
	return nil
}

// SyncFS flushes the whole filesystem holding dir with one syncfs(2) (the
// --sync end mode). It also flushes other processes' dirty data on that
// filesystem, as any "sync everything at the end" does.
func SyncFS(dir string) error {
	fd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return &os.PathError{Op: "open", Path: dir, Err: err}
	}
	defer unix.Close(fd)
	if err := syncfs(fd); err != nil {
		return &os.PathError{Op: "syncfs", Path: dir, Err: err}
	}
	return nil
}

// setRaw makes f's create, writes and close take the raw path
// (one-goroutine strategies).
func (f *file) setRaw() { f.raw = true }
