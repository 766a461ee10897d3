package strategies

import (
	"context"
	"errors"
	"fmt"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// fsyncTag is the user_data of fsync submissions; writes carry their slot
// index.
const fsyncTag = ^uint64(0)

// ringSlot is one write in flight: its own registered buffer and the part
// of the current piece not yet written.
type ringSlot struct {
	buf  *Buffer
	p    []byte // the piece being written (a view of buf)
	done int    // bytes of p the kernel has written
	off  int64  // file offset of p[0]
	// sent is when the slot's write was submitted (Probe timing; zero
	// when writes are not timed).
	sent time.Time
}

// uringRun is the state of one Write call: the ring, its slots and the
// path buffer, reused for every file.
type uringRun struct {
	b       *Batch
	r       *ring
	slots   []ringSlot
	free    []int // indices of idle slots
	chunk   int
	rwFlags uint32
	w       *worker // only for its path buffer
}

// uringState is a ring with its registered slot buffers. Strategy.Write
// sets one up per call; a cell's Session (OpenCell) keeps it from one
// repetition to the next while the batch asks for the same slots.
type uringState struct {
	r       *ring
	slots   []ringSlot
	chunk   int
	content *Content
}

// ready sets the state up for chunk-byte pieces in nslots slots, reusing
// the ring and buffers it has when they match.
func (st *uringState) ready(b *Batch, chunk, nslots int) error {
	if st.r != nil && st.chunk == chunk && len(st.slots) == nslots && st.content == b.Content {
		return nil
	}
	if err := st.close(); err != nil {
		return err
	}
	r, err := newRing(uint32(nslots + 1)) // + the linked fsync
	if err != nil {
		return ringError(err)
	}
	slots := make([]ringSlot, nslots)
	mems := make([][]byte, nslots)
	for k := range slots {
		slots[k].buf = newAlignedBuffer(b.Content, chunk, ringPageSize)
		mems[k] = slots[k].buf.mem()
	}
	if err := r.registerBuffers(mems); err != nil {
		r.close()
		return ringError(err)
	}
	st.r, st.slots, st.chunk, st.content = r, slots, chunk, b.Content
	return nil
}

// close unmaps and closes the ring (unregistering its buffers), if any.
func (st *uringState) close() error {
	if st.r == nil {
		return nil
	}
	err := st.r.close()
	st.r, st.slots, st.content = nil, nil, nil
	return err
}

// writeURing writes the batch through a ring set up for this call.
func writeURing(ctx context.Context, b *Batch) (err error) {
	var st uringState
	defer func() {
		if cerr := st.close(); err == nil && cerr != nil {
			err = cerr
		}
	}()
	return writeURingState(ctx, b, &st)
}

// writeURingState writes the batch through st's ring, files one after
// another. After an error st is closed, so a later call starts afresh.
func writeURingState(ctx context.Context, b *Batch, st *uringState) (err error) {
	// File 0's one look at ctx before its create (see the loop below) is
	// this one, so a cancelled cell sets up no ring.
	if err := ctx.Err(); err != nil {
		return err
	}
	p := b.Params
	var rwFlags uint32
	switch p.Sync {
	case SyncDsync:
		rwFlags = unix.RWF_DSYNC
	case SyncUncached:
		rwFlags = unix.RWF_DONTCACHE
	}
	chunk := int(min(int64(p.Chunk), max(b.Size, 1)))
	pieces := (max(b.Size, 1) + int64(chunk) - 1) / int64(chunk)
	nslots := int(min(int64(p.QueueDepth), pieces))
	if err := st.ready(b, chunk, nslots); err != nil {
		return err
	}
	r := st.r
	r.submitted, r.enters = 0, 0
	defer func() {
		if b.Issued != nil {
			b.Issued.RingSubmissions.Add(r.submitted)
			b.Issued.RingEnters.Add(r.enters)
		}
		if err != nil {
			st.close()
		}
	}()
	u := &uringRun{b: b, r: r, chunk: chunk, rwFlags: rwFlags,
		slots: st.slots, free: make([]int, 0, nslots), w: newPathWorker(b)}
	for k := range u.slots {
		u.free = append(u.free, k)
	}
	for i := 0; i < b.Files; i++ {
		if i > 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := u.file(ctx, i); err != nil {
			return err
		}
	}
	return nil
}

// uringSession is a cell's ring, kept across its repetitions, so that
// setting up the ring and registering its buffers is paid once per cell
// (in its first repetition, usually the warm-up) rather than in every one.
type uringSession struct{ st uringState }

func openURingSession(ctx context.Context, p Params) (Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return &uringSession{}, nil
}

func (s *uringSession) Write(ctx context.Context, b *Batch) error {
	return writeURingState(ctx, b, &s.st)
}
func (s *uringSession) Usage() (ChildUsage, bool) { return ChildUsage{}, false }
func (s *uringSession) Close() error              { return s.st.close() }

const ringPageSize = 4096

// newPathWorker is a worker used only to name files (its content buffer is
// one byte).
func newPathWorker(b *Batch) *worker {
	nb := *b
	nb.Size = 1
	nb.Params.Chunk, nb.Params.Record = 1, 1
	return newWorker(&nb)
}

// file writes file i: create, optional preallocation, the pieces with up to
// len(slots) in flight, the linked fsync, close.
func (u *uringRun) file(ctx context.Context, i int) (err error) {
	b := u.b
	var start time.Time
	if b.Latency != nil {
		start = time.Now()
	}
	path := u.w.name(i)
	fd, err := openNUL(path, createFlags|unix.O_WRONLY, 0o644)
	if err != nil {
		return &os.PathError{Op: "create", Path: string(path[:len(path)-1]), Err: err}
	}
	name := func() string { return string(path[:len(path)-1]) }
	f := file{fd: fd, name: path[:len(path)-1]}
	err = f.prealloc(b.Params.Prealloc, b.Size)
	if err == nil {
		err = u.writeAll(ctx, fd, i)
		if err != nil {
			var se *SkipError
			if !errors.As(err, &se) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded) {
				err = &os.PathError{Op: "io_uring write", Path: name(), Err: err}
			}
		}
	}
	if cerr := unix.Close(fd); err == nil && cerr != nil {
		err = &os.PathError{Op: "close", Path: name(), Err: cerr}
	}
	if b.Latency != nil {
		b.Latency[i] = time.Since(start)
	}
	return err
}

// writeAll writes file i's content to fd and, for sync close/data, syncs
// it. Whatever happens it returns only once nothing is in flight, so no
// buffer or descriptor is in use by the kernel afterwards.
func (u *uringRun) writeAll(ctx context.Context, fd int, i int) error {
	b := u.b
	r := u.r
	needSync := b.Params.Sync == SyncClose || b.Params.Sync == SyncData
	var fsyncFlags uint32
	if b.Params.Sync == SyncData {
		fsyncFlags = ringFsyncDatasync
	}
	const (
		syncNone = iota
		syncPending
		syncDone
		syncRedo // cancelled (a short linked write) or a write went in after it
	)
	syncState := syncNone
	var syncStart time.Time
	var next int64 // next offset to hand out
	inflight := 0
	since := 0 // bytes since the last look at ctx
	var failed error
	fail := func(e error) {
		if failed == nil {
			failed = e
		}
	}
	queueFsync := func(flags uint8) {
		sqe := r.next()
		sqe.opcode = ringOpFsync
		sqe.flags = flags
		sqe.fd = int32(fd)
		sqe.opFlags = fsyncFlags
		sqe.userData = fsyncTag
		syncState = syncPending
		syncStart = time.Now()
		inflight++
	}
	for {
		// Hand out pieces to idle slots.
		for failed == nil && len(u.free) > 0 && next < b.Size {
			k := u.free[len(u.free)-1]
			u.free = u.free[:len(u.free)-1]
			n := int(min(int64(u.chunk), b.Size-next))
			s := &u.slots[k]
			s.p, s.done, s.off = s.buf.Bytes(i, next, n), 0, next
			next += int64(n)
			link := needSync && next == b.Size && syncState == syncNone
			var flags uint8
			if link {
				// DRAIN: start once every earlier write of the file is
				// done; LINK: the fsync starts once this one is.
				flags = sqeIODrain | sqeIOLink
			}
			u.queueWrite(fd, k, flags)
			inflight++
			if link {
				queueFsync(0)
			}
			since += n
			if since >= cancelEvery {
				since = 0
				if err := ctx.Err(); err != nil {
					fail(err)
				}
			}
		}
		if inflight == 0 {
			if failed != nil || next < b.Size {
				break
			}
			if !needSync || syncState == syncDone {
				break
			}
			// A zero-byte file, a linked fsync that was cancelled, or a
			// write resubmitted after the fsync: one standalone fsync now
			// that nothing is in flight.
			queueFsync(0)
		}
		if err := r.submit(1); err != nil {
			if errors.Is(err, unix.EAGAIN) || errors.Is(err, unix.EBUSY) {
				// No room for completions right now: reap and retry.
				if r.peek() == nil {
					time.Sleep(50 * time.Microsecond)
				}
			} else {
				// The ring itself failed: what is in flight cannot be
				// waited for; closing the ring cancels it.
				return err
			}
		}
		for cqe := r.peek(); cqe != nil; cqe = r.peek() {
			tag, res := cqe.userData, cqe.res
			r.seen()
			inflight--
			if tag == fsyncTag {
				switch {
				case res == 0:
					if syncState == syncPending {
						syncState = syncDone
					}
					if b.SyncTime != nil {
						b.SyncTime[i] += time.Since(syncStart)
					}
				case res == -int32(unix.ECANCELED) || res == -int32(unix.EINTR) || res == -int32(unix.EAGAIN):
					syncState = syncRedo
				default:
					op := "fsync"
					if fsyncFlags != 0 {
						op = "fdatasync"
					}
					fail(fmt.Errorf("%s: %w", op, unix.Errno(-res)))
				}
				continue
			}
			s := &u.slots[tag]
			switch {
			case res > 0:
				b.Probe.done(s.sent, int(res))
				s.done += int(res)
				if s.done >= len(s.p) {
					u.free = append(u.free, int(tag))
					continue
				}
				// Short write: the rest of the piece goes again, from
				// the same registered buffer.
			case res == -int32(unix.EAGAIN) || res == -int32(unix.EINTR):
				// Retry the same bytes.
			case res == 0:
				fail(fmt.Errorf("write at offset %d: wrote 0 of %d bytes: %w", s.off+int64(s.done), len(s.p)-s.done, unix.EIO))
			case u.rwFlags != 0 && (res == -int32(unix.EOPNOTSUPP) || res == -int32(unix.EINVAL)):
				fail(rwfRefused(int(u.rwFlags), u.w.current(), unix.Errno(-res)))
			default:
				fail(fmt.Errorf("write at offset %d: %w", s.off+int64(s.done), unix.Errno(-res)))
			}
			if failed != nil {
				u.free = append(u.free, int(tag))
				continue
			}
			if syncState != syncNone {
				syncState = syncRedo
			}
			u.queueWrite(fd, int(tag), 0)
			inflight++
		}
	}
	return failed
}

// queueWrite prepares the write of the unwritten rest of slot k's piece.
func (u *uringRun) queueWrite(fd int, k int, flags uint8) {
	s := &u.slots[k]
	rest := s.p[s.done:]
	sqe := u.r.next()
	sqe.opcode = ringOpWriteFixed
	sqe.flags = flags
	sqe.fd = int32(fd)
	sqe.off = uint64(s.off + int64(s.done))
	sqe.addr = uint64(uintptr(unsafe.Pointer(&rest[0])))
	sqe.len = uint32(len(rest))
	sqe.opFlags = u.rwFlags
	sqe.bufIndex = uint16(k)
	sqe.userData = uint64(k)
	s.sent = u.b.Probe.start()
}

// ringError turns an error of setting up io_uring into a skip when it says
// this machine cannot run io_uring (see ringSkipReason), and returns other
// errors unchanged.
func ringError(err error) error {
	var se *ringSetupError
	if errors.As(err, &se) {
		var errno unix.Errno
		if errors.As(se.err, &errno) {
			if reason, ok := ringSkipReason(se.op, errno); ok {
				return Skip("%s", reason)
			}
		}
	}
	return err
}

// ringSkipReason says why io_uring cannot be used when op (a setup step)
// failed with errno for a reason of the machine, not of writebench: no
// io_uring in the kernel, io_uring disabled by sysctl or a seccomp filter,
// not enough lockable memory for the ring or its registered buffers.
func ringSkipReason(op string, errno unix.Errno) (string, bool) {
	switch errno {
	case unix.ENOSYS:
		return fmt.Sprintf("io_uring is not available: %s: %v (kernel before 5.1 or built without CONFIG_IO_URING)", op, errno), true
	case unix.EPERM, unix.EACCES:
		return fmt.Sprintf("io_uring is disabled for this process: %s: %v (sysctl kernel.io_uring_disabled, or a seccomp filter such as a container runtime's)", op, errno), true
	case unix.ENOMEM:
		return fmt.Sprintf("io_uring cannot lock its memory: %s: %v (raise RLIMIT_MEMLOCK, ulimit -l, or lower --queue-depth or --chunk)", op, errno), true
	case unix.EINVAL, unix.EOPNOTSUPP:
		return fmt.Sprintf("this kernel's io_uring refuses the request: %s: %v (kernel too old for fixed buffers, or --queue-depth beyond its limits)", op, errno), true
	}
	return "", false
}
