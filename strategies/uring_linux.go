package strategies

import (
	"context"
	"errors"
	"fmt"
	"os"
	"runtime"
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

// writeURing writes the batch through a ring set up for this call, on
// this goroutine locked to its thread (see newRing).
func writeURing(ctx context.Context, b *Batch) (err error) {
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
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
	// Waits are short (page-cache writes, no fsync, no RWF_DSYNC) and
	// another P can run the runner's other goroutines: enter raw.
	r.raw = p.Sync != SyncClose && p.Sync != SyncData && p.Sync != SyncDsync && runtime.GOMAXPROCS(0) > 1
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
// The runner may call Write from any goroutine, and a ring set up with
// IORING_SETUP_SINGLE_ISSUER may only be entered from the thread that set
// it up, so the session runs every ring operation on a goroutine of its own
// locked to one thread: Write hands it the batch and waits for the result.
type uringSession struct {
	st     uringState // used only on the session's goroutine
	jobs   chan func()
	closed bool
}

func openURingSession(ctx context.Context, p Params) (Session, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s := &uringSession{jobs: make(chan func())}
	go func() {
		// Never unlocked: the thread ends with the goroutine, taking the
		// ring's task context with it.
		runtime.LockOSThread()
		for job := range s.jobs {
			job()
		}
	}()
	return s, nil
}

// errSessionClosed is the error of a Write after Close.
var errSessionClosed = errors.New("uring: session is closed")

// do runs f on the session's goroutine and waits for it.
func (s *uringSession) do(f func() error) error {
	if s.closed {
		return errSessionClosed
	}
	done := make(chan error, 1)
	s.jobs <- func() { done <- f() }
	return <-done
}

func (s *uringSession) Write(ctx context.Context, b *Batch) error {
	return s.do(func() error { return writeURingState(ctx, b, &s.st) })
}
func (s *uringSession) Usage() (ChildUsage, bool) { return ChildUsage{}, false }

// Close closes the ring and ends the session's goroutine; a second Close
// does nothing.
func (s *uringSession) Close() error {
	if s.closed {
		return nil
	}
	err := s.do(s.st.close)
	s.closed = true
	close(s.jobs)
	return err
}

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
	open, closeFD := openNUL, unix.Close
	if u.r.raw {
		open, closeFD = rawOpenNUL, rawClose
	}
	fd, err := open(path, createFlags|unix.O_WRONLY, 0o644)
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
	if cerr := closeFD(fd); err == nil && cerr != nil {
		err = &os.PathError{Op: "close", Path: name(), Err: cerr}
	}
	if b.Latency != nil {
		b.Latency[i] = time.Since(start)
	}
	return err
}

// uringFile is the state of writing one file through the ring.
type uringFile struct {
	u          *uringRun
	fd, i      int
	next       int64 // next offset to hand out
	inflight   int   // SQEs queued or in the kernel, not yet completed
	since      int   // bytes since the last look at ctx
	needSync   bool
	fsyncFlags uint32
	sync       int // syncNone, syncPending, syncDone or syncRedo
	syncStart  time.Time
	failed     error // the first error; once set, nothing new is queued
}

// The states of a file's fsync.
const (
	syncNone = iota
	syncPending
	syncDone
	syncRedo // cancelled (a short linked write) or a write went in after it
)

// writeAll writes file i's content to fd and, for sync close/data, syncs
// it. Whatever happens it returns only once nothing is in flight, so no
// buffer or descriptor is in use by the kernel afterwards.
//
// Each turn fills every idle slot, submits, and waits in the same
// io_uring_enter(2) for half the ring's slots' worth of completions (or
// what is in flight, if less), then reaps every completion there is from
// the completion ring without a system call. Waiting for half rather than
// one keeps the other half queued for the kernel while the waiting thread
// sleeps once per batch instead of once per write.
func (u *uringRun) writeAll(ctx context.Context, fd int, i int) error {
	f := &uringFile{u: u, fd: fd, i: i}
	switch u.b.Params.Sync {
	case SyncClose:
		f.needSync = true
	case SyncData:
		f.needSync, f.fsyncFlags = true, ringFsyncDatasync
	}
	batch := max(1, (len(u.slots)+1)/2)
	for {
		f.fill(ctx)
		if f.inflight == 0 {
			if f.failed != nil || f.next < u.b.Size || !f.needSync || f.sync == syncDone {
				break
			}
			// A zero-byte file, a linked fsync that was cancelled, or a
			// write resubmitted after the fsync: one standalone fsync now
			// that nothing is in flight.
			f.queueFsync(0)
		}
		if err := u.r.submit(uint32(min(f.inflight, batch))); err != nil {
			if !errors.Is(err, unix.EAGAIN) && !errors.Is(err, unix.EBUSY) {
				// The ring itself failed: what is in flight cannot be
				// waited for; closing the ring cancels it.
				return err
			}
			// No room for completions right now: reap and retry.
			if u.r.peek() == nil {
				time.Sleep(50 * time.Microsecond)
			}
		}
		f.reap()
	}
	return f.failed
}

// fail records e unless an error is recorded already.
func (f *uringFile) fail(e error) {
	if f.failed == nil {
		f.failed = e
	}
}

// fill hands out the next pieces to idle slots, linking the fsync after
// the last one when the file needs it, and looks at ctx every cancelEvery
// bytes.
func (f *uringFile) fill(ctx context.Context) {
	u, size := f.u, f.u.b.Size
	for f.failed == nil && len(u.free) > 0 && f.next < size {
		k := u.free[len(u.free)-1]
		u.free = u.free[:len(u.free)-1]
		n := int(min(int64(u.chunk), size-f.next))
		s := &u.slots[k]
		s.p, s.done, s.off = s.buf.Bytes(f.i, f.next, n), 0, f.next
		f.next += int64(n)
		link := f.needSync && f.next == size && f.sync == syncNone
		var flags uint8
		if link {
			// DRAIN: start once every earlier write of the file is
			// done; LINK: the fsync starts once this one is.
			flags = sqeIODrain | sqeIOLink
		}
		u.queueWrite(f.fd, k, flags)
		f.inflight++
		if link {
			f.queueFsync(0)
		}
		f.since += n
		if f.since >= cancelEvery {
			f.since = 0
			if err := ctx.Err(); err != nil {
				f.fail(err)
			}
		}
	}
}

// queueFsync prepares the file's fsync (fdatasync for sync data).
func (f *uringFile) queueFsync(flags uint8) {
	sqe := f.u.r.next()
	sqe.opcode = ringOpFsync
	sqe.flags = flags
	sqe.fd = int32(f.fd)
	sqe.opFlags = f.fsyncFlags
	sqe.userData = fsyncTag
	f.sync = syncPending
	f.syncStart = time.Now()
	f.inflight++
}

// reap handles every completion in the completion ring.
func (f *uringFile) reap() {
	r := f.u.r
	for cqe := r.peek(); cqe != nil; cqe = r.peek() {
		tag, res := cqe.userData, cqe.res
		r.seen()
		f.inflight--
		if tag == fsyncTag {
			f.fsynced(res)
		} else {
			f.wrote(int(tag), res)
		}
	}
}

// fsynced handles the fsync's completion with result res.
func (f *uringFile) fsynced(res int32) {
	switch {
	case res == 0:
		if f.sync == syncPending {
			f.sync = syncDone
		}
		if st := f.u.b.SyncTime; st != nil {
			st[f.i] += time.Since(f.syncStart)
		}
	case res == -int32(unix.ECANCELED) || res == -int32(unix.EINTR) || res == -int32(unix.EAGAIN):
		f.sync = syncRedo
	default:
		op := "fsync"
		if f.fsyncFlags != 0 {
			op = "fdatasync"
		}
		f.fail(fmt.Errorf("%s: %w", op, unix.Errno(-res)))
	}
}

// wrote handles the completion of slot k's write with result res: the
// slot goes idle when its piece is written, the rest of a short write (or
// the same bytes after EAGAIN or EINTR) is resubmitted from the same
// registered buffer, and an error is recorded.
func (f *uringFile) wrote(k int, res int32) {
	u := f.u
	s := &u.slots[k]
	switch {
	case res > 0:
		u.b.Probe.done(s.sent, int(res))
		s.done += int(res)
		if s.done >= len(s.p) {
			u.free = append(u.free, k)
			return
		}
	case res == -int32(unix.EAGAIN) || res == -int32(unix.EINTR):
	case res == 0:
		f.fail(fmt.Errorf("write at offset %d: wrote 0 of %d bytes: %w", s.off+int64(s.done), len(s.p)-s.done, unix.EIO))
	case u.rwFlags != 0 && (res == -int32(unix.EOPNOTSUPP) || res == -int32(unix.EINVAL)):
		f.fail(rwfRefused(int(u.rwFlags), u.w.current(), unix.Errno(-res)))
	default:
		f.fail(fmt.Errorf("write at offset %d: %w", s.off+int64(s.done), unix.Errno(-res)))
	}
	if f.failed != nil {
		u.free = append(u.free, k)
		return
	}
	if f.sync != syncNone {
		f.sync = syncRedo
	}
	u.queueWrite(f.fd, k, 0)
	f.inflight++
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
				return &SkipError{Reason: reason}
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
		return fmt.Sprintf("io_uring cannot lock its memory: %s: %v (raise RLIMIT_MEMLOCK, ulimit -l, or lower {queue_depth} or {chunk})", op, errno), true
	case unix.EINVAL, unix.EOPNOTSUPP:
		return fmt.Sprintf("this kernel's io_uring refuses the request: %s: %v (kernel too old for fixed buffers, or {queue_depth} beyond its limits)", op, errno), true
	}
	return "", false
}
