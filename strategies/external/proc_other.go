//go:build !unix

package external

import "syscall"

func sysProcAttr() *syscall.SysProcAttr { return nil }

func killGroup(pid int) {}
