//go:build linux

package sysinfo

import (
	"bufio"
	"os"
	"strconv"
	"strings"

	"golang.org/x/sys/unix"
)

// Capabilities that exempt a process from RLIMIT_NPROC.
const (
	capSysAdmin    = 21
	capSysResource = 24
)

// ReadLimits reads RLIMIT_NPROC with the tasks of this user, and
// RLIMIT_AS with the address space in use.
func ReadLimits() Limits {
	var l Limits
	l.UID = os.Getuid()
	var rl unix.Rlimit
	if unix.Getrlimit(unix.RLIMIT_NPROC, &rl) == nil && rl.Cur != unix.RLIM_INFINITY && l.UID != 0 && !capable(capSysAdmin, capSysResource) {
		if own, mine, ok := userTasks(l.UID); ok {
			l.CheckThreads = true
			l.ThreadLimit = rl.Cur
			l.ThreadsNow = own
			l.OtherTasks = mine - min(mine, uint64(own))
		}
	}
	if unix.Getrlimit(unix.RLIMIT_AS, &rl) == nil && rl.Cur != unix.RLIM_INFINITY {
		if vm, ok := procField("/proc/self/status", "VmSize"); ok {
			l.CheckAddr, l.AddrLimit, l.AddrNow = true, rl.Cur, vm
			if l.ThreadsNow == 0 {
				if n, ok := procField("/proc/self/status", "Threads"); ok {
					l.ThreadsNow = int(n)
				}
			}
			l.ThreadStack = 64 << 10 // a Go-made thread's system stack, with guard
			if CgoBuild() {
				// glibc gives a pthread RLIMIT_STACK (2 MiB when unlimited).
				l.ThreadStack = 2 << 20
				if unix.Getrlimit(unix.RLIMIT_STACK, &rl) == nil && rl.Cur != unix.RLIM_INFINITY {
					l.ThreadStack = max(rl.Cur, 64<<10)
				}
			}
		}
	}
	return l
}

// capable reports whether this process has any of the capabilities caps
// in effect (CapEff in /proc/self/status).
func capable(caps ...uint) bool {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			mask, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			if err != nil {
				return false
			}
			for _, c := range caps {
				if mask&(1<<c) != 0 {
					return true
				}
			}
		}
	}
	return false
}

// userTasks returns this process's threads and the threads of every
// process whose real uid is uid (what RLIMIT_NPROC counts), from /proc.
// Processes whose status cannot be read (gone, hidepid) are not counted.
func userTasks(uid int) (own int, all uint64, ok bool) {
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return 0, 0, false
	}
	self := strconv.Itoa(os.Getpid())
	for _, e := range entries {
		name := e.Name()
		if name == "" || name[0] < '0' || name[0] > '9' {
			continue
		}
		real, threads, ok := statusUIDThreads("/proc/" + name + "/status")
		if !ok || real != uid {
			continue
		}
		all += uint64(threads)
		if name == self {
			own = threads
		}
	}
	return own, all, own > 0
}

// statusUIDThreads reads the real uid and the thread count of a
// /proc/PID/status file.
func statusUIDThreads(path string) (uid, threads int, ok bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, false
	}
	defer f.Close()
	var haveUID, haveThreads bool
	sc := bufio.NewScanner(f)
	for sc.Scan() && !(haveUID && haveThreads) {
		k, v, found := strings.Cut(sc.Text(), ":")
		if !found {
			continue
		}
		fs := strings.Fields(v)
		if len(fs) == 0 {
			continue
		}
		switch k {
		case "Uid":
			uid, err = strconv.Atoi(fs[0])
			haveUID = err == nil
		case "Threads":
			threads, err = strconv.Atoi(fs[0])
			haveThreads = err == nil
		}
	}
	return uid, threads, haveUID && haveThreads
}
