//go:build unix

package strategies

import (
	"context"
	"os"

	"golang.org/x/sys/unix"
)

// mmapWindow is the most of a file mapped at once, so address space and
// resident pages stay bounded for multi-GiB files.
const mmapWindow = 64 << 20

// mmap models "use mmap for very large files" (claim 4): ftruncate the file
// to its size, map it MAP_SHARED a window (64 MiB) at a time, copy the
// content in Params.Chunk pieces, munmap. No write(2) is made; the page
// cache is filled by page faults. A zero-byte file is created and left
// empty (a zero-length mapping is invalid).
var mmapWriter = &fileWriter{
	knobs:    []string{"chunk"},
	readable: true,
	body: func(ctx context.Context, b *Batch, i int, f *file, w *worker) error {
		if b.Size == 0 {
			return nil
		}
		if err := f.truncate(b.Size); err != nil {
			return err
		}
		chunk := int64(min(b.Params.Chunk, w.buf.Cap()))
		for woff := int64(0); woff < b.Size; woff += mmapWindow {
			wlen := int(min(mmapWindow, b.Size-woff))
			m, err := unix.Mmap(f.fd, woff, wlen, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
			if err != nil {
				return &os.PathError{Op: "mmap", Path: f.path, Err: err}
			}
			for o := int64(0); o < int64(wlen); o += chunk {
				n := int(min(chunk, int64(wlen)-o))
				copy(m[o:], w.buf.Bytes(i, woff+o, n))
				if err := w.tick(ctx, n); err != nil {
					unix.Munmap(m)
					return err
				}
			}
			if err := unix.Munmap(m); err != nil {
				return &os.PathError{Op: "munmap", Path: f.path, Err: err}
			}
		}
		return nil
	},
}

func init() {
	fileWriters["mmap"] = *mmapWriter
	Register(&simple{
		name: "mmap",
		desc: "ftruncate, mmap MAP_SHARED, copy in --chunk pieces, munmap: the mmap-for-big-files advice",
		fw:   mmapWriter,
	})
}
