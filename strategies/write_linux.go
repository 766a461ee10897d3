package strategies

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// rawWrite is one write(2) entered without the Go scheduler's syscall
// bookkeeping (RawSyscall): no entersyscall/exitsyscall, so sysmon never
// retakes the goroutine's P mid-write and hands it back afterwards. For
// large page-cache writes that hand-off is a measurable share of each write
// (docs/figures.md, "The harness"), which is the Go runtime's cost, not the
// disk's; fio, written in C, does not pay it either. It is used only by
// the one-goroutine strategies (file.raw), where there is no other goroutine
// the P could run; pool and semaphore keep the normal path. Calls that wait
// for the device (fsync, fdatasync, syncfs) always use the normal path.
func rawWrite(fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, errno := unix.RawSyscall(unix.SYS_WRITE, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if errno != 0 {
		return int(n), errno
	}
	return int(n), nil
}

func fdatasync(fd int) error { return unix.Fdatasync(fd) }

// syncfs flushes the whole filesystem holding fd (syncfs(2)).
func syncfs(fd int) error { return unix.Syncfs(fd) }
