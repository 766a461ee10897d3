package strategies

import (
	"context"
	"fmt"
	"os"
	"unsafe"

	"golang.org/x/sys/unix"
)

// vecState is a worker's gather state for writev: a content buffer as
// large as one call's records and the iovec array pointing into it.
type vecState struct {
	buf *Buffer
	iov []unix.Iovec
}

// maxGather bounds the bytes of one writev call (records × batch) and so
// the gather buffer: 1 GiB, the largest --chunk too. Linux writes at most
// about 2 GiB per call anyway.
const maxGather = 1 << 30

// writev models claim 1's other fix, "batch many lines into one write":
// the application still has Params.Record-byte records (log lines, rows),
// but hands Params.Batch of them to the kernel in one writev(2), one iovec
// per record, the last call of a file carrying what is left. The records
// are distinct slices of one window of content (as lines sitting in a
// list would be), so nothing is copied into a buffer first, unlike bufio.
// With --sync dsync or uncached each call is pwritev2(2) at the current
// offset with the flag. A --batch above MaxBatch fails the cell.
var writevWriter = &fileWriter{
	knobs: []string{"record", "batch", "prealloc"},
	body: func(ctx context.Context, b *Batch, i int, f *file, w *worker) error {
		rec, batch := b.Params.Record, b.Params.Batch
		if err := checkBatch(batch); err != nil {
			return err
		}
		span := min(int64(rec)*int64(batch), max(b.Size, 1))
		if span > maxGather {
			return fmt.Errorf("writev: {record} %d × {batch} %d gathers more than %d bytes into one call; lower either", rec, batch, maxGather)
		}
		v := &w.vec
		if v.buf == nil || int64(v.buf.Cap()) < span {
			v.buf = b.Content.NewBuffer(int(span))
		}
		if cap(v.iov) < batch {
			v.iov = make([]unix.Iovec, batch)
		}
		for off := int64(0); off < b.Size; off += span {
			n := int(min(span, b.Size-off))
			p := v.buf.Bytes(i, off, n)
			iov := v.iov[:0]
			for k := 0; k < n; k += rec {
				e := min(k+rec, n)
				iov = append(iov, unix.Iovec{Base: &p[k]})
				iov[len(iov)-1].SetLen(e - k)
			}
			if err := f.writev(iov, n); err != nil {
				return err
			}
			if err := w.tick(ctx, n); err != nil {
				return err
			}
		}
		return nil
	},
}

// writev writes the total bytes that iov points to with writev(2) (or
// pwritev2(2) with f's flags), resuming after a short write. It modifies
// iov.
func (f *file) writev(iov []unix.Iovec, total int) error {
	for total > 0 {
		var n int
		var err error
		t := f.probe.start()
		if f.rwf != 0 {
			n, err = pwritev2Vec(f.fd, &iov[0], len(iov), f.rwf)
		} else {
			n, err = writevVec(f.fd, &iov[0], len(iov), f.raw)
		}
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return f.writeError(err)
		}
		if n == 0 {
			return &os.PathError{Op: "writev", Path: f.path(), Err: unix.EIO}
		}
		f.probe.done(t, n)
		total -= n
		// Drop the iovecs written whole; advance into a partial one.
		for n > 0 {
			if l := int(iov[0].Len); n >= l {
				n -= l
				iov = iov[1:]
				continue
			}
			iov[0].Base = (*byte)(unsafe.Add(unsafe.Pointer(iov[0].Base), n))
			iov[0].SetLen(int(iov[0].Len) - n)
			n = 0
		}
	}
	return nil
}

func init() { registerWriter("writev", writevDesc, writevWriter) }
