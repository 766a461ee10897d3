//go:build mpi && cgo

package ranks

/*
#cgo pkg-config: ompi-c
#include <stdlib.h>
#include <string.h>
#include <mpi.h>

static int wb_init(int *rank, int *size, int *provided) {
	int flag = 0;
	MPI_Initialized(&flag);
	if (!flag) {
		int rc = MPI_Init_thread(NULL, NULL, MPI_THREAD_SERIALIZED, provided);
		if (rc != MPI_SUCCESS) return rc;
	} else {
		MPI_Query_thread(provided);
	}
	MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN);
	MPI_Comm_rank(MPI_COMM_WORLD, rank);
	MPI_Comm_size(MPI_COMM_WORLD, size);
	return MPI_SUCCESS;
}

static MPI_Datatype wb_type(int t) {
	switch (t) {
	case 0: return MPI_DOUBLE;
	case 1: return MPI_INT;
	case 2: return MPI_UINT64_T;
	}
	return MPI_CHAR;
}

static MPI_Op wb_op(int o) {
	switch (o) {
	case 0: return MPI_MAX;
	case 1: return MPI_MIN;
	}
	return MPI_SUM;
}

static MPI_Request *wb_request(void) { return (MPI_Request *)malloc(sizeof(MPI_Request)); }

static int wb_ibarrier(MPI_Request *r) { return MPI_Ibarrier(MPI_COMM_WORLD, r); }

static int wb_iallreduce(void *in, void *out, int n, int t, int o, MPI_Request *r) {
	return MPI_Iallreduce(in, out, n, wb_type(t), wb_op(o), MPI_COMM_WORLD, r);
}

static int wb_iallgather(void *in, void *out, int n, int t, MPI_Request *r) {
	return MPI_Iallgather(in, n, wb_type(t), out, n, wb_type(t), MPI_COMM_WORLD, r);
}

static int wb_ibcast(void *buf, int n, int t, int root, MPI_Request *r) {
	return MPI_Ibcast(buf, n, wb_type(t), root, MPI_COMM_WORLD, r);
}

static int wb_test(MPI_Request *r, int *done) { return MPI_Test(r, done, MPI_STATUS_IGNORE); }

static int wb_error_string(int code, char *buf) {
	int n = 0;
	MPI_Error_string(code, buf, &n);
	return n;
}

static int wb_max_error_string(void) { return MPI_MAX_ERROR_STRING; }

static int wb_abort(int code) { return MPI_Abort(MPI_COMM_WORLD, code); }
*/
import "C"

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"sync"
	"time"
	"unsafe"
)

const mpiBuild = true

// MPI datatypes and reduction operations of the C helpers.
const (
	tDouble = 0
	tInt    = 1
	tUint64 = 2
	tChar   = 3
	opMax   = 0
	opMin   = 1
	opSum   = 2
)

// hostLen is the fixed width of a host name in Hostnames' exchange.
const hostLen = 256

var (
	mpiOnce sync.Once
	mpiJob  *mpiCoord
	mpiErr  error
)

// startCoordinator is the mpi build's: a single process when no launcher
// started this one (MPI is not initialised at all then), else the ranks of
// MPI_COMM_WORLD. MPI is initialised once per process.
func startCoordinator() (Coordinator, error) {
	if n, _ := launcherSize(os.Getenv); n <= 1 {
		return solo{}, nil
	}
	mpiOnce.Do(func() {
		var rank, size, provided C.int
		if rc := C.wb_init(&rank, &size, &provided); rc != 0 {
			mpiErr = mpiError("MPI_Init_thread", rc)
			return
		}
		if provided < C.MPI_THREAD_SERIALIZED {
			// Go may run consecutive calls on different OS threads.
			mpiErr = fmt.Errorf("MPI provides thread level %d, writebench needs MPI_THREAD_SERIALIZED (%d)", provided, C.MPI_THREAD_SERIALIZED)
			return
		}
		mpiJob = &mpiCoord{rank: int(rank), size: int(size)}
	})
	if mpiErr != nil {
		return nil, mpiErr
	}
	return mpiJob, nil
}

// mpiCoord is the Coordinator of the ranks of MPI_COMM_WORLD. Every
// collective is MPI's non-blocking one, polled until it completes so a
// cancelled context (SIGINT, or the SIGTERM mpirun sends when a rank dies)
// is noticed while waiting. Buffers handed to MPI are C memory, as the
// operation outlives the cgo call that starts it.
type mpiCoord struct {
	mu         sync.Mutex // one MPI call at a time (MPI_THREAD_SERIALIZED)
	rank, size int
	// abandoned is set when a collective was left unfinished (context
	// cancelled): MPI still owns its buffers and Finalize would wait for
	// the ranks that never joined, so the process exits without it.
	abandoned bool
	finalized bool
}

var _ Coordinator = (*mpiCoord)(nil)

func (m *mpiCoord) Rank() int { return m.rank }
func (m *mpiCoord) Size() int { return m.size }

func mpiError(call string, rc C.int) error {
	buf := (*C.char)(C.malloc(C.size_t(C.wb_max_error_string())))
	defer C.free(unsafe.Pointer(buf))
	n := C.wb_error_string(rc, buf)
	return fmt.Errorf("%s: %s (MPI error %d)", call, C.GoStringN(buf, n), int(rc))
}

// collective starts an operation with start and waits for it, polling
// MPI_Test: it spins briefly (a barrier usually completes within
// microseconds of the last rank's arrival) and then sleeps between polls
// so waiting ranks leave the CPU to ranks still working.
func (m *mpiCoord) collective(ctx context.Context, name string, start func(*C.MPI_Request) C.int) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.finalized {
		return fmt.Errorf("%s after MPI_Finalize", name)
	}
	if m.abandoned {
		return fmt.Errorf("%s: an earlier collective was abandoned: %w", name, context.Canceled)
	}
	req := C.wb_request()
	if rc := start(req); rc != 0 {
		C.free(unsafe.Pointer(req))
		return mpiError(name, rc)
	}
	sleep := time.Duration(0)
	for i := 0; ; i++ {
		var done C.int
		if rc := C.wb_test(req, &done); rc != 0 {
			m.abandoned = true
			return mpiError(name, rc)
		}
		if done != 0 {
			C.free(unsafe.Pointer(req))
			return nil
		}
		if err := ctx.Err(); err != nil {
			m.abandoned = true // MPI still owns req and the buffers
			return fmt.Errorf("%s: %w", name, context.Cause(ctx))
		}
		if i < 100 {
			continue
		}
		sleep = min(max(2*sleep, 10*time.Microsecond), time.Millisecond)
		time.Sleep(sleep)
	}
}

// cbuf is C memory for an operation's buffer; free it only after the
// operation completed (an abandoned one keeps it).
func cbuf(n int) unsafe.Pointer { return C.calloc(C.size_t(max(n, 1)), 1) }

func (m *mpiCoord) Barrier(ctx context.Context) error {
	return m.collective(ctx, "MPI_Ibarrier", func(r *C.MPI_Request) C.int { return C.wb_ibarrier(r) })
}

func (m *mpiCoord) reduce(ctx context.Context, vs []float64, op C.int, name string) ([]float64, error) {
	n := len(vs)
	in, out := cbuf(8*n), cbuf(8*n)
	copy(unsafe.Slice((*float64)(in), n), vs)
	err := m.collective(ctx, name, func(r *C.MPI_Request) C.int {
		return C.wb_iallreduce(in, out, C.int(n), tDouble, op, r)
	})
	if err != nil {
		return nil, err
	}
	res := append([]float64(nil), unsafe.Slice((*float64)(out), n)...)
	C.free(in)
	C.free(out)
	return res, nil
}

func (m *mpiCoord) MaxFloat64(ctx context.Context, v float64) (float64, error) {
	r, err := m.reduce(ctx, []float64{v}, opMax, "MPI_Iallreduce(MAX)")
	if err != nil {
		return 0, err
	}
	return r[0], nil
}

func (m *mpiCoord) GatherFloat64s(ctx context.Context, vs []float64) ([][]float64, error) {
	n := len(vs)
	in, out := cbuf(8*n), cbuf(8*n*m.size)
	copy(unsafe.Slice((*float64)(in), n), vs)
	err := m.collective(ctx, "MPI_Iallgather", func(r *C.MPI_Request) C.int {
		return C.wb_iallgather(in, out, C.int(n), tDouble, r)
	})
	if err != nil {
		return nil, err
	}
	all := unsafe.Slice((*float64)(out), n*m.size)
	res := make([][]float64, m.size)
	for r := range res {
		res[r] = append([]float64(nil), all[r*n:(r+1)*n]...)
	}
	C.free(in)
	C.free(out)
	return res, nil
}

func (m *mpiCoord) BcastUint64(ctx context.Context, v uint64) (uint64, error) {
	buf := cbuf(8)
	*(*uint64)(buf) = v
	err := m.collective(ctx, "MPI_Ibcast", func(r *C.MPI_Request) C.int {
		return C.wb_ibcast(buf, 1, tUint64, 0, r)
	})
	if err != nil {
		return 0, err
	}
	v = *(*uint64)(buf)
	C.free(buf)
	return v, nil
}

func (m *mpiCoord) BcastString(ctx context.Context, root int, s string) (string, error) {
	// The length first, then the bytes.
	lbuf := cbuf(8)
	*(*uint64)(lbuf) = uint64(len(s))
	err := m.collective(ctx, "MPI_Ibcast(length)", func(r *C.MPI_Request) C.int {
		return C.wb_ibcast(lbuf, 1, tUint64, C.int(root), r)
	})
	if err != nil {
		return "", err
	}
	n := int(*(*uint64)(lbuf))
	C.free(lbuf)
	if n == 0 {
		return "", nil
	}
	buf := cbuf(n)
	if m.rank == root {
		copy(unsafe.Slice((*byte)(buf), n), s)
	}
	err = m.collective(ctx, "MPI_Ibcast", func(r *C.MPI_Request) C.int {
		return C.wb_ibcast(buf, C.int(n), tChar, C.int(root), r)
	})
	if err != nil {
		return "", err
	}
	s = string(unsafe.Slice((*byte)(buf), n))
	C.free(buf)
	return s, nil
}

func (m *mpiCoord) AnyError(ctx context.Context, err error) (int, string, error) {
	mine := float64(m.size) // no error
	if err != nil {
		mine = float64(m.rank)
	}
	r, cerr := m.reduce(ctx, []float64{mine}, opMin, "MPI_Iallreduce(MIN)")
	if cerr != nil {
		return -1, "", cerr
	}
	first := int(r[0])
	if first >= m.size {
		return -1, "", nil
	}
	msg := ""
	if first == m.rank {
		msg = err.Error()
	}
	msg, cerr = m.BcastString(ctx, first, msg)
	if cerr != nil {
		return -1, "", cerr
	}
	return first, msg, nil
}

func (m *mpiCoord) Hostnames(ctx context.Context) ([]string, error) {
	h, err := os.Hostname()
	if err != nil {
		h = "unknown"
	}
	if len(h) >= hostLen {
		h = h[:hostLen-1]
	}
	in, out := cbuf(hostLen), cbuf(hostLen*m.size)
	copy(unsafe.Slice((*byte)(in), hostLen), h)
	err = m.collective(ctx, "MPI_Iallgather(hosts)", func(r *C.MPI_Request) C.int {
		return C.wb_iallgather(in, out, hostLen, tChar, r)
	})
	if err != nil {
		return nil, err
	}
	all := unsafe.Slice((*byte)(out), hostLen*m.size)
	hosts := make([]string, m.size)
	for r := range hosts {
		b := all[r*hostLen : (r+1)*hostLen]
		if i := bytes.IndexByte(b, 0); i >= 0 {
			b = b[:i]
		}
		hosts[r] = string(b)
	}
	C.free(in)
	C.free(out)
	return hosts, nil
}

// Finalize calls MPI_Finalize once. After an abandoned collective it does
// not (MPI_Finalize would wait for ranks that will never join it) and says
// so; the launcher then reports that the process exited without it.
func (m *mpiCoord) Finalize() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.finalized {
		return nil
	}
	if m.abandoned {
		return errors.New("MPI_Finalize skipped: a collective was interrupted")
	}
	m.finalized = true
	if rc := C.MPI_Finalize(); rc != 0 {
		return mpiError("MPI_Finalize", rc)
	}
	return nil
}

// Abort calls MPI_Abort on MPI_COMM_WORLD, which ends every rank with
// exit status code. It does not wait for a collective in progress (MPI
// tears it down); should MPI_Abort return, the process exits with code.
func (m *mpiCoord) Abort(code int) {
	C.wb_abort(C.int(code))
	os.Exit(code)
}
