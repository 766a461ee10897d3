//go:build unix

package external

import (
	"syscall"
)

// sysProcAttr puts the program in its own process group, so a timeout
// kills whatever it started too.
func sysProcAttr() *syscall.SysProcAttr {
	return &syscall.SysProcAttr{Setpgid: true}
}

// killGroup sends SIGKILL to the process group pid leads (errors ignored:
// the group may be gone).
func killGroup(pid int) {
	if pid > 0 {
		syscall.Kill(-pid, syscall.SIGKILL)
	}
}
