package sysinfo

import "runtime/debug"

// Limits is what the kernel lets this process have, for the checks made
// before a sweep (ReadLimits).
type Limits struct {
	// CheckThreads is false when RLIMIT_NPROC does not apply (unlimited,
	// root, CAP_SYS_RESOURCE or CAP_SYS_ADMIN) or cannot be read.
	CheckThreads bool
	ThreadLimit  uint64 // RLIMIT_NPROC: processes and threads of the user
	OtherTasks   uint64 // the user's threads in other processes now
	ThreadsNow   int    // this process's threads now
	UID          int    // the real uid RLIMIT_NPROC counts for
	// CheckAddr is false when RLIMIT_AS is unlimited or unreadable.
	CheckAddr   bool
	AddrLimit   uint64 // RLIMIT_AS, bytes
	AddrNow     uint64 // address space mapped now (VmSize), bytes
	ThreadStack uint64 // address space reserved per new OS thread, bytes
}

// CgoBuild reports whether the binary was built with cgo, whose OS threads
// are pthreads with a stack of RLIMIT_STACK's size each.
func CgoBuild() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return true // assume the larger stacks
	}
	for _, s := range bi.Settings {
		if s.Key == "CGO_ENABLED" {
			return s.Value == "1"
		}
	}
	return true
}
