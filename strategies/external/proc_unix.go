//go:build unix

package external

import (
	"syscall"
)

// sysProcAttr starts the program as the leader of a new session (and so of
// a new process group): a kill reaches the group, and every process still
// in the session is found by its session id (see descendants).
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setsid: true}
}

// signalTree sends sig to the process group pid leads and to every process
// descendants finds for it (errors ignored: they may be gone), and returns
// how many processes it signalled besides the group.
func signalTree(pid int, pipes []uint64, sig syscall.Signal) int {
	if pid <= 0 {
		return 0
	}
	targets := descendants(pid, pipes)
	syscall.Kill(-pid, sig)
	for _, p := range targets {
		syscall.Kill(p, sig)
	}
	return len(targets)
}

// killGroup sends SIGKILL to the process group pid leads (errors ignored:
// it may be gone).
func killGroup(pid int) {
	if pid > 0 {
		syscall.Kill(-pid, syscall.SIGKILL)
	}
}
