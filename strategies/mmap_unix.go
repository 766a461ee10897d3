//go:build unix

package strategies

import (
	"context"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/writebench/writebench/internal/sysinfo"
	"golang.org/x/sys/unix"
)

// mmap models "use mmap for very large files" (claim 4): ftruncate the file
// to its size, map it MAP_SHARED a window (64 MiB) at a time, copy the
// content in Params.Chunk pieces, munmap. No write(2) is made; the page
// cache is filled by page faults. A zero-byte file is created and left
// empty (a zero-length mapping is invalid).
//
// A shared mapping needs the file's size set first, so mmap always does what
// --prealloc truncate does: with --prealloc none and truncate it makes one
// ftruncate(2) (the same call either way, so the two cells measure the same
// thing); with fallocate, fallocate(2) sets the size and also allocates the
// blocks, so the page faults and writeback find them reserved. --sync dsync
// and uncached are skipped: stores into a mapping pass no per-write flags.
var mmapWriter = &fileWriter{
	knobs:    []string{"chunk", "prealloc"},
	readable: true,
	noWrites: "mmap stores into a shared mapping and makes no write(2) to pass them to",
	body: func(ctx context.Context, b *Batch, i int, f *file, w *worker) error {
		if b.Size == 0 {
			return nil
		}
		// writeFile has set the size already for truncate and fallocate.
		if b.Params.Prealloc == PreallocNone || b.Params.Prealloc == "" {
			if err := f.truncate(b.Size); err != nil {
				return err
			}
		}
		chunk := int64(min(b.Params.Chunk, w.buf.Cap()))
		for woff := int64(0); woff < b.Size; woff += mmapWindow {
			wlen := int(min(mmapWindow, b.Size-woff))
			m, err := unix.Mmap(f.fd, woff, wlen, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
			if err != nil {
				return &os.PathError{Op: "mmap", Path: f.path(), Err: err}
			}
			if err := copyWindow(ctx, b, i, f, w, m, woff, chunk); err != nil {
				unix.Munmap(m)
				return err
			}
			if err := unix.Munmap(m); err != nil {
				return &os.PathError{Op: "munmap", Path: f.path(), Err: err}
			}
		}
		return nil
	},
}

// copyWindow copies the content of file i from offset woff into the mapping
// m, Params.Chunk bytes at a time. A store into a shared mapping whose page
// the filesystem cannot provide (full disk, quota, I/O error) raises SIGBUS,
// which would kill the process; with SetPanicOnFault it becomes a panic that
// is turned back into an error here, so the cell fails and the run goes on.
func copyWindow(ctx context.Context, b *Batch, i int, f *file, w *worker, m []byte, woff, chunk int64) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	var o int64
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if _, ok := r.(interface{ Addr() uintptr }); ok {
			err = faultError(f, woff+o)
			return
		}
		panic(r)
	}()
	for ; o < int64(len(m)); o += chunk {
		n := int(min(chunk, int64(len(m))-o))
		copy(m[o:], w.buf.Bytes(i, woff+o, n))
		b.Probe.wrote(n) // a store, not a write call: counted, never timed
		if err := w.tick(ctx, n); err != nil {
			return err
		}
	}
	return nil
}

// faultError describes a fault while storing into the mapping of f near
// offset off. The kernel gives no errno with SIGBUS: when the filesystem has
// (almost) no free space left the cause is taken to be ENOSPC, else EIO.
func faultError(f *file, off int64) error {
	errno := unix.EIO
	if free, ok := sysinfo.FSFree(f.fd); ok && free < mmapWindow {
		errno = unix.ENOSPC
	}
	return &os.PathError{Op: fmt.Sprintf("store into mapping (SIGBUS) near offset %d of", off), Path: f.path(), Err: errno}
}

func init() {
	registerWriter("mmap", "ftruncate, mmap MAP_SHARED, copy in {chunk} pieces, munmap: the mmap-for-big-files advice", mmapWriter)
}
