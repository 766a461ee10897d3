//go:build !unix

package external

import "syscall"

func sysProcAttr() *syscall.SysProcAttr { return nil }

func signalTree(pid int, pipes []uint64, sig syscall.Signal) int { return 0 }

func pipeInode(fd uintptr) uint64 { return 0 }

func killGroup(pid int) {}
