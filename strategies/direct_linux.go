package strategies

import (
	"context"
	"fmt"
	"os"
	"time"

	"golang.org/x/sys/unix"
)

// DirectAlignment is what O_DIRECT requires of writes to one file system.
type DirectAlignment struct {
	// Bytes is the alignment, a power of two, that buffer addresses, file
	// offsets and lengths all respect: the larger of the memory and the
	// offset alignment.
	Bytes int
	// Source says where it came from: "statx STATX_DIOALIGN",
	// "BLKSSZGET of /dev/block/M:m" or "st_blksize (last resort)".
	Source string
}

// dioAlignment finds the direct-I/O alignment of the open file fd (path for
// messages): statx(STATX_DIOALIGN) where the kernel (6.1+) and file system
// report it, else the logical block size of the file system's device
// (BLKSSZGET), else st_blksize. A file system that accepts O_DIRECT but
// cannot do direct I/O (statx reports alignment 0; tmpfs, which takes
// O_DIRECT at open since Linux 6.6 and still copies through its page cache)
// is a skip.
func dioAlignment(fd int, path string) (DirectAlignment, error) {
	var stx unix.Statx_t
	err := unix.Statx(fd, "", unix.AT_EMPTY_PATH, unix.STATX_DIOALIGN|unix.STATX_BASIC_STATS, &stx)
	if err == nil && stx.Mask&unix.STATX_DIOALIGN != 0 {
		if stx.Dio_offset_align == 0 || stx.Dio_mem_align == 0 {
			return DirectAlignment{}, Skip("the file system of %s does not support direct I/O (statx STATX_DIOALIGN reports alignment 0)", path)
		}
		a := int(max(stx.Dio_mem_align, stx.Dio_offset_align))
		return checkAlign(DirectAlignment{a, "statx STATX_DIOALIGN"}, path)
	}
	var fs unix.Statfs_t
	if unix.Fstatfs(fd, &fs) == nil {
		switch uint32(fs.Type) { // int32 on 32-bit platforms, where RAMFS_MAGIC overflows it
		case uint32(unix.TMPFS_MAGIC), uint32(unix.RAMFS_MAGIC):
			return DirectAlignment{}, Skip("%s is on tmpfs/ramfs, which has no direct I/O: it accepts O_DIRECT (Linux 6.6+) but still copies through the page cache", path)
		}
	}
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return DirectAlignment{}, &os.PathError{Op: "fstat", Path: path, Err: err}
	}
	if maj, mnr := unix.Major(st.Dev), unix.Minor(st.Dev); maj != 0 {
		dev := fmt.Sprintf("/dev/block/%d:%d", maj, mnr)
		if dfd, err := unix.Open(dev, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0); err == nil {
			ls, ierr := unix.IoctlGetInt(dfd, unix.BLKSSZGET)
			unix.Close(dfd)
			if ierr == nil && ls > 0 {
				return checkAlign(DirectAlignment{ls, "BLKSSZGET of " + dev}, path)
			}
		}
	}
	return checkAlign(DirectAlignment{int(st.Blksize), "st_blksize (last resort)"}, path)
}

// fsTypeNote names the in-memory file system holding dir, which has no
// direct I/O (" (ramfs)", " (tmpfs)"), or is "" for any other.
func fsTypeNote(dir string) string {
	var fs unix.Statfs_t
	if unix.Statfs(dir, &fs) != nil {
		return ""
	}
	switch uint32(fs.Type) { // int32 on 32-bit platforms
	case uint32(unix.RAMFS_MAGIC):
		return " (ramfs, which has no direct I/O)"
	case uint32(unix.TMPFS_MAGIC):
		return " (tmpfs, which has no direct I/O)"
	}
	return ""
}

func checkAlign(a DirectAlignment, path string) (DirectAlignment, error) {
	if a.Bytes <= 0 || a.Bytes&(a.Bytes-1) != 0 {
		return DirectAlignment{}, Skip("the direct-I/O alignment of %s from %s is %d, not a power of two", path, a.Source, a.Bytes)
	}
	return a, nil
}

// directRun is the state of one Write call, set up on its first file.
type directRun struct {
	b     *Batch
	w     *worker // path buffer
	align DirectAlignment
	chunk int
	buf   *Buffer
	probe *Probe // b.Probe
}

// writeDirect writes the batch's files one after another with O_DIRECT.
func writeDirect(ctx context.Context, b *Batch) error {
	d := &directRun{b: b, w: newPathWorker(b), probe: b.Probe}
	for i := 0; i < b.Files; i++ {
		// The one look at ctx before each file's create, as writeFile's.
		if err := ctx.Err(); err != nil {
			return err
		}
		if err := d.file(ctx, i); err != nil {
			return err
		}
	}
	return nil
}

// setup finds the alignment on the batch's first file and sizes the chunk
// and the aligned buffer.
func (d *directRun) setup(fd int, path string) error {
	a, err := dioAlignment(fd, path)
	if err != nil {
		return err
	}
	chunk := d.b.Params.Chunk / a.Bytes * a.Bytes
	if chunk == 0 {
		return Skip("{chunk} %d is smaller than the direct-I/O alignment %d of %s (%s)", d.b.Params.Chunk, a.Bytes, path, a.Source)
	}
	chunk = int(min(int64(chunk), dioAlignUp(max(d.b.Size, 1), a.Bytes)))
	d.align, d.chunk = a, chunk
	d.buf = newAlignedBuffer(d.b.Content, chunk, max(a.Bytes, ringPageSize))
	return nil
}

func dioAlignUp(n int64, a int) int64 { return (n + int64(a) - 1) / int64(a) * int64(a) }

// file creates file i with O_DIRECT, writes it, cuts the padded tail,
// syncs as asked and closes it.
func (d *directRun) file(ctx context.Context, i int) (err error) {
	b := d.b
	var start time.Time
	if b.Latency != nil {
		start = time.Now()
	}
	pathz := d.w.name(i)
	path := string(pathz[:len(pathz)-1]) // for messages; one allocation per file
	fd, err := openNUL(pathz, createFlags|unix.O_WRONLY|unix.O_DIRECT, 0o644)
	if err == unix.EINVAL {
		return Skip("the file system of %s%s refuses O_DIRECT (EINVAL at open)", path, fsTypeNote(b.Dir))
	}
	if err != nil {
		return &os.PathError{Op: "create", Path: path, Err: err}
	}
	defer func() {
		if cerr := unix.Close(fd); err == nil && cerr != nil {
			err = &os.PathError{Op: "close", Path: path, Err: cerr}
		}
		if b.Latency != nil {
			b.Latency[i] = time.Since(start)
		}
	}()
	if d.buf == nil {
		if err := d.setup(fd, path); err != nil {
			return err
		}
	}
	f := file{fd: fd, name: pathz[:len(pathz)-1]}
	if err := f.prealloc(b.Params.Prealloc, b.Size); err != nil {
		return err
	}
	dsync := b.Params.Sync == SyncDsync
	since := 0
	for off := int64(0); off < b.Size; {
		n := int(dioAlignUp(min(int64(d.chunk), b.Size-off), d.align.Bytes))
		p := d.buf.Bytes(i, off, n)
		if err := d.writeAligned(fd, p, off, dsync); err != nil {
			if _, ok := SkipReason(err); ok {
				return err
			}
			return &os.PathError{Op: "write (O_DIRECT)", Path: path, Err: err}
		}
		off += int64(n)
		since += n
		if since >= cancelEvery {
			since = 0
			if err := ctx.Err(); err != nil {
				return err
			}
		}
	}
	if b.Size%int64(d.align.Bytes) != 0 {
		// The last write was padded to a whole aligned block; cut the
		// file back to its size (a metadata change only).
		if err := unix.Ftruncate(fd, b.Size); err != nil {
			return &os.PathError{Op: "ftruncate", Path: path, Err: err}
		}
	}
	if s := b.Params.Sync; s == SyncClose || s == SyncData {
		var t time.Time
		if b.SyncTime != nil {
			t = time.Now()
		}
		err := f.sync(s == SyncData)
		if b.SyncTime != nil {
			b.SyncTime[i] = time.Since(t)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// writeAligned writes p (aligned in memory, length and offset) at off. A
// short direct write is continued when what remains is still aligned and
// is an error otherwise; EINTR is retried. With dsync every write carries
// RWF_DSYNC (pwritev2).
func (d *directRun) writeAligned(fd int, p []byte, off int64, dsync bool) error {
	for len(p) > 0 {
		var n int
		var err error
		t := d.probe.start()
		if dsync {
			n, err = unix.Pwritev2(fd, [][]byte{p}, off, unix.RWF_DSYNC)
		} else {
			n, err = unix.Pwrite(fd, p, off)
		}
		switch {
		case err == unix.EINTR:
			continue
		case dsync && (err == unix.EOPNOTSUPP || err == unix.ENOSYS):
			return rwfRefused(unix.RWF_DSYNC, d.w.current(), err)
		case err != nil:
			return fmt.Errorf("at offset %d: %w", off, err)
		case n == 0:
			return fmt.Errorf("wrote 0 of %d bytes at offset %d: %w", len(p), off, unix.EIO)
		case n%d.align.Bytes != 0 && n < len(p):
			return fmt.Errorf("short direct write of %d bytes at offset %d, not a multiple of the alignment %d: %w", n, off, d.align.Bytes, unix.EIO)
		}
		d.probe.done(t, n)
		p, off = p[n:], off+int64(n)
	}
	return nil
}

// ProbeDirectAlignment reports the direct-I/O alignment the direct strategy
// would use under dir, by creating, probing and removing a temporary file
// there (for the environment record of a result set). The error is a
// *SkipError when the file system cannot do direct I/O.
func ProbeDirectAlignment(dir string) (DirectAlignment, error) {
	// The probe file is made and removed relative to dir's descriptor, so
	// only the file made here is ever removed.
	dfd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY|unix.O_CLOEXEC, 0)
	if err != nil {
		return DirectAlignment{}, &os.PathError{Op: "open", Path: dir, Err: err}
	}
	defer unix.Close(dfd)
	name := fmt.Sprintf(".writebench-dio-%d-%d", os.Getpid(), time.Now().UnixNano())
	path := dir + "/" + name
	cfd, err := unix.Openat(dfd, name, unix.O_WRONLY|unix.O_CREAT|unix.O_EXCL|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0o600)
	if err != nil {
		return DirectAlignment{}, &os.PathError{Op: "create", Path: path, Err: err}
	}
	unix.Close(cfd)
	defer unix.Unlinkat(dfd, name, 0)
	fd, err := unix.Openat(dfd, name, unix.O_WRONLY|unix.O_DIRECT|unix.O_CLOEXEC|unix.O_NOFOLLOW, 0)
	if err == unix.EINVAL {
		return DirectAlignment{}, Skip("the file system of %s refuses O_DIRECT (EINVAL at open)", dir)
	}
	if err != nil {
		return DirectAlignment{}, &os.PathError{Op: "open O_DIRECT", Path: path, Err: err}
	}
	defer unix.Close(fd)
	return dioAlignment(fd, path)
}
