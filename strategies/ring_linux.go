package strategies

import (
	"errors"
	"fmt"
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// This file is a minimal io_uring on raw system calls (x/sys/unix has the
// syscall numbers and nothing else): io_uring_setup, one or two mmaps of the
// submission and completion rings and one of the SQE array, atomics on the
// ring heads and tails, io_uring_enter and io_uring_register. The layouts
// below are the kernel's UAPI (include/uapi/linux/io_uring.h).

// io_uring UAPI constants used here.
const (
	ringOffSQRing = 0
	ringOffCQRing = 0x8000000
	ringOffSQEs   = 0x10000000

	ringFeatSingleMmap = 1 << 0

	ringSetupCoopTaskrun  = 1 << 8  // IORING_SETUP_COOP_TASKRUN
	ringSetupSingleIssuer = 1 << 12 // IORING_SETUP_SINGLE_ISSUER
	ringSetupDeferTaskrun = 1 << 13 // IORING_SETUP_DEFER_TASKRUN

	ringEnterGetEvents = 1 << 0

	ringRegisterBuffers = 0

	ringOpFsync      = 3
	ringOpWriteFixed = 5

	sqeIODrain = 1 << 1
	sqeIOLink  = 1 << 2

	ringFsyncDatasync = 1 << 0
)

// ringSQOffsets is struct io_sqring_offsets.
type ringSQOffsets struct {
	head, tail, ringMask, ringEntries, flags, dropped, array, resv1 uint32
	userAddr                                                        uint64
}

// ringCQOffsets is struct io_cqring_offsets.
type ringCQOffsets struct {
	head, tail, ringMask, ringEntries, overflow, cqes, flags, resv1 uint32
	userAddr                                                        uint64
}

// ringParams is struct io_uring_params (120 bytes).
type ringParams struct {
	sqEntries, cqEntries, flags, sqThreadCPU, sqThreadIdle, features, wqFD uint32
	resv                                                                   [3]uint32
	sqOff                                                                  ringSQOffsets
	cqOff                                                                  ringCQOffsets
}

// ringSQE is struct io_uring_sqe (64 bytes) with the fields a write and an
// fsync use.
type ringSQE struct {
	opcode      uint8
	flags       uint8
	ioprio      uint16
	fd          int32
	off         uint64
	addr        uint64
	len         uint32
	opFlags     uint32 // rw_flags (RWF_*) for writes, fsync_flags for fsync
	userData    uint64
	bufIndex    uint16
	personality uint16
	spliceFDIn  int32
	addr3       uint64
	pad2        uint64
}

// ringCQE is struct io_uring_cqe (16 bytes, no IORING_SETUP_CQE32).
type ringCQE struct {
	userData uint64
	res      int32
	flags    uint32
}

// Compile-time checks of the UAPI sizes.
var (
	_ [120]byte = [unsafe.Sizeof(ringParams{})]byte{}
	_ [64]byte  = [unsafe.Sizeof(ringSQE{})]byte{}
	_ [16]byte  = [unsafe.Sizeof(ringCQE{})]byte{}
)

// ring is one io_uring instance. It is used by one goroutine at a time.
type ring struct {
	fd      int
	sqMap   []byte // SQ ring (and CQ ring with IORING_FEAT_SINGLE_MMAP)
	cqMap   []byte // CQ ring when mapped apart, else nil
	sqeMap  []byte // SQE array
	sqHead  *uint32
	sqTail  *uint32
	sqMask  uint32
	sqes    []ringSQE
	cqHead  *uint32
	cqTail  *uint32
	cqMask  uint32
	cqes    []ringCQE
	tail    uint32 // our SQ tail: SQEs prepared, published on submit
	entries uint32 // SQ entries
	flags   uint32 // the IORING_SETUP_* flags the kernel accepted
	// raw makes submit enter the kernel with RawSyscall (see submit); the
	// caller sets it only while every wait is for page-cache writes.
	raw bool

	// Counters of what was issued (Batch.Issued): SQEs handed to the
	// kernel and io_uring_enter(2) calls.
	submitted int64
	enters    int64
}

// ringSetupError wraps an error of setting up io_uring so that callers can
// tell "this machine cannot do io_uring" (a skip) from I/O failures.
type ringSetupError struct {
	op  string
	err error
}

func (e *ringSetupError) Error() string { return e.op + ": " + e.err.Error() }
func (e *ringSetupError) Unwrap() error { return e.err }

// ringSetupTries are the IORING_SETUP_* flag sets newRing tries, first
// first, as fio's io_uring engine does: completions run as deferred task
// work of the one submitting thread, only when it asks for completions
// (DEFER_TASKRUN, which needs SINGLE_ISSUER), so a thread waiting for n
// completions is woken once rather than once per completion, and the
// io-wq workers that complete buffered writes never interrupt it
// (COOP_TASKRUN). Kernels before 6.1 refuse DEFER_TASKRUN and kernels
// before 5.19 COOP_TASKRUN with EINVAL; the next set is tried then.
var ringSetupTries = []uint32{
	ringSetupCoopTaskrun | ringSetupSingleIssuer | ringSetupDeferTaskrun,
	ringSetupCoopTaskrun,
	0,
}

// newRing sets up an io_uring with at least entries submission slots
// (the kernel rounds up to a power of two) and twice as many completion
// slots, and maps its rings. On error nothing is left open or mapped.
//
// When the ring has IORING_SETUP_SINGLE_ISSUER (r.flags), only the OS
// thread that set it up may register buffers on it or enter it (others get
// EEXIST): callers set it up and use it on one goroutine locked to its
// thread (runtime.LockOSThread). Closing it is allowed from any thread.
func newRing(entries uint32) (*ring, error) {
	var (
		p     ringParams
		fd    uintptr
		errno unix.Errno
	)
	for _, flags := range ringSetupTries {
		p = ringParams{flags: flags}
		fd, _, errno = unix.Syscall(unix.SYS_IO_URING_SETUP, uintptr(entries), uintptr(unsafe.Pointer(&p)), 0)
		if errno != unix.EINVAL {
			break
		}
	}
	if errno != 0 {
		return nil, &ringSetupError{"io_uring_setup", errno}
	}
	r := &ring{fd: int(fd), entries: p.sqEntries, flags: p.flags}
	if err := r.mapRings(&p); err != nil {
		r.close()
		return nil, err
	}
	return r, nil
}

func (r *ring) mapRings(p *ringParams) error {
	sqSize := int(p.sqOff.array) + int(p.sqEntries)*4
	cqSize := int(p.cqOff.cqes) + int(p.cqEntries)*int(unsafe.Sizeof(ringCQE{}))
	single := p.features&ringFeatSingleMmap != 0
	if single {
		sqSize = max(sqSize, cqSize)
	}
	var err error
	r.sqMap, err = unix.Mmap(r.fd, ringOffSQRing, sqSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return &ringSetupError{"mmap io_uring SQ ring", err}
	}
	cq := r.sqMap
	if !single {
		r.cqMap, err = unix.Mmap(r.fd, ringOffCQRing, cqSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
		if err != nil {
			return &ringSetupError{"mmap io_uring CQ ring", err}
		}
		cq = r.cqMap
	}
	sqeSize := int(p.sqEntries) * int(unsafe.Sizeof(ringSQE{}))
	r.sqeMap, err = unix.Mmap(r.fd, ringOffSQEs, sqeSize, unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED|unix.MAP_POPULATE)
	if err != nil {
		return &ringSetupError{"mmap io_uring SQE array", err}
	}
	sq := unsafe.Pointer(&r.sqMap[0])
	r.sqHead = (*uint32)(unsafe.Add(sq, p.sqOff.head))
	r.sqTail = (*uint32)(unsafe.Add(sq, p.sqOff.tail))
	r.sqMask = *(*uint32)(unsafe.Add(sq, p.sqOff.ringMask))
	array := unsafe.Slice((*uint32)(unsafe.Add(sq, p.sqOff.array)), p.sqEntries)
	for i := range array {
		array[i] = uint32(i) // SQE i sits in slot i, so only the tail moves
	}
	r.sqes = unsafe.Slice((*ringSQE)(unsafe.Pointer(&r.sqeMap[0])), p.sqEntries)
	c := unsafe.Pointer(&cq[0])
	r.cqHead = (*uint32)(unsafe.Add(c, p.cqOff.head))
	r.cqTail = (*uint32)(unsafe.Add(c, p.cqOff.tail))
	r.cqMask = *(*uint32)(unsafe.Add(c, p.cqOff.ringMask))
	r.cqes = unsafe.Slice((*ringCQE)(unsafe.Add(c, p.cqOff.cqes)), p.cqEntries)
	r.tail = atomic.LoadUint32(r.sqTail)
	return nil
}

// close unmaps the rings and closes the ring's descriptor (which also
// unregisters its buffers). It is safe on a partly set-up ring and returns
// the first error.
func (r *ring) close() error {
	var errs []error
	for _, m := range []*[]byte{&r.sqeMap, &r.cqMap, &r.sqMap} {
		if *m != nil {
			if err := unix.Munmap(*m); err != nil {
				errs = append(errs, fmt.Errorf("munmap io_uring ring: %w", err))
			}
			*m = nil
		}
	}
	r.sqes, r.cqes = nil, nil
	if r.fd >= 0 {
		if err := unix.Close(r.fd); err != nil {
			errs = append(errs, fmt.Errorf("close io_uring: %w", err))
		}
		r.fd = -1
	}
	return errors.Join(errs...)
}

// registerBuffers registers bufs as the ring's fixed buffers 0..n-1
// (IORING_REGISTER_BUFFERS): the kernel pins their pages once, and
// IORING_OP_WRITE_FIXED then skips mapping them on every write.
func (r *ring) registerBuffers(bufs [][]byte) error {
	iov := make([]unix.Iovec, len(bufs))
	for i, b := range bufs {
		iov[i].Base = &b[0]
		iov[i].SetLen(len(b))
	}
	_, _, errno := unix.Syscall6(unix.SYS_IO_URING_REGISTER, uintptr(r.fd), ringRegisterBuffers,
		uintptr(unsafe.Pointer(&iov[0])), uintptr(len(iov)), 0, 0)
	if errno != 0 {
		return &ringSetupError{"io_uring_register(IORING_REGISTER_BUFFERS)", errno}
	}
	return nil
}

// space is the number of SQEs that can be prepared before the next submit.
func (r *ring) space() uint32 { return r.entries - (r.tail - atomic.LoadUint32(r.sqHead)) }

// next returns the next free SQE, zeroed, or nil when the SQ ring is full.
// uring never sees nil: its ring has one entry per slot plus one for the
// fsync, every submit empties the SQ ring, and between two submits each
// slot and the fsync are queued at most once.
func (r *ring) next() *ringSQE {
	if r.space() == 0 {
		return nil
	}
	sqe := &r.sqes[r.tail&r.sqMask]
	*sqe = ringSQE{}
	r.tail++
	return sqe
}

// unsubmitted is the number of prepared SQEs the kernel has not consumed.
func (r *ring) unsubmitted() uint32 { return r.tail - atomic.LoadUint32(r.sqHead) }

// submit publishes the prepared SQEs and calls io_uring_enter until the
// kernel has consumed all of them, waiting for at least wait completions
// (0: none). Every call asks for completions (IORING_ENTER_GETEVENTS): with
// IORING_SETUP_DEFER_TASKRUN that is what posts the finished ones to the
// completion ring. EINTR is retried; EAGAIN and EBUSY (no room for
// completions right now) are returned so the caller can reap and retry.
//
// With r.raw the call goes through RawSyscall, like rawWrite and for the
// same reason, only more so: a wait for completions almost always outlasts
// sysmon's 20 µs, so through the normal path the runtime retakes the P at
// nearly every wait, and the thread (locked to its goroutine, see newRing)
// must get one back before it can reap: a context switch or more per
// io_uring_enter, a large share of the CPU the strategy spends at 4 KiB
// per write (docs/strategies.md, uring). Holding the P is harmless only when the wait is short:
// the caller sets raw only when nothing it waits for is a sync.
func (r *ring) submit(wait uint32) error {
	atomic.StoreUint32(r.sqTail, r.tail)
	enter := unix.Syscall6
	if r.raw {
		enter = unix.RawSyscall6
	}
	for {
		n := r.unsubmitted()
		r.enters++
		ret, _, errno := enter(unix.SYS_IO_URING_ENTER, uintptr(r.fd), uintptr(n), uintptr(wait), ringEnterGetEvents, 0, 0)
		if errno == unix.EINTR {
			continue
		}
		if errno != 0 {
			return fmt.Errorf("io_uring_enter: %w", errno)
		}
		r.submitted += int64(ret)
		if uint32(ret) == n {
			return nil
		}
		if ret == 0 && n > 0 {
			// The kernel took none of them: a bad SQE would have been
			// consumed with an error completion, so this is unexpected.
			return fmt.Errorf("io_uring_enter: consumed 0 of %d submissions", n)
		}
		wait = 0 // the wait has been satisfied or will be on the next loop
	}
}

// peek returns the oldest unread completion, or nil. It must be released
// with seen before the next peek.
func (r *ring) peek() *ringCQE {
	head := *r.cqHead
	if head == atomic.LoadUint32(r.cqTail) {
		return nil
	}
	return &r.cqes[head&r.cqMask]
}

// seen releases the completion returned by peek.
func (r *ring) seen() { atomic.StoreUint32(r.cqHead, *r.cqHead+1) }
