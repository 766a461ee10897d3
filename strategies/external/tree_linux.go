package external

import (
	"os"
	"slices"
	"strconv"
	"strings"
	"syscall"
)

// descendants lists, from /proc, the processes a kill of the program pid
// must reach besides its process group: every process of its session (the
// program leads one: sysProcAttr), every process descended from it by
// parentage (a child that called setsid(2) leaves the session but keeps
// its parent), the sessions such children lead, and every process that
// holds one of pipes (the inodes of the program's standard output and
// error pipes: a helper that keeps them open would otherwise keep readers
// waiting). A process that left the session, lost its parent and closed
// the pipes cannot be told from any other process and is not found.
// The scan is repeated until it finds nothing new (a process may fork
// while it runs), at most a few times. pid itself is not listed.
func descendants(pid int, pipes []uint64) []int {
	self := os.Getpid()
	found := map[int]bool{}
	sessions := map[int]bool{pid: true}
	for pass := 0; pass < 4; pass++ {
		procs := readProcs()
		added := false
		add := func(p int) {
			if p != pid && p != self && !found[p] {
				found[p] = true
				added = true
			}
		}
		// Parentage and sessions, to a fixed point within this snapshot.
		for changed := true; changed; {
			changed = false
			for _, p := range procs {
				if p.pid == pid || p.pid == self || found[p.pid] {
					continue
				}
				if sessions[p.sid] || p.ppid == pid || found[p.ppid] {
					add(p.pid)
					if p.sid == p.pid {
						sessions[p.pid] = true
					}
					changed = true
				}
			}
		}
		if len(pipes) > 0 {
			for _, p := range procs {
				if p.pid != pid && p.pid != self && !found[p.pid] && holdsPipe(p.pid, pipes) {
					add(p.pid)
					if p.sid == p.pid {
						sessions[p.pid] = true
					}
				}
			}
		}
		if !added {
			break
		}
	}
	out := make([]int, 0, len(found))
	for p := range found {
		out = append(out, p)
	}
	slices.Sort(out)
	return out
}

type procEntry struct{ pid, ppid, sid int }

// readProcs reads pid, parent and session of every process in /proc.
func readProcs() []procEntry {
	d, err := os.Open("/proc")
	if err != nil {
		return nil
	}
	defer d.Close()
	names, _ := d.Readdirnames(-1)
	var out []procEntry
	for _, n := range names {
		pid, err := strconv.Atoi(n)
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + n + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid pgrp session ...; comm may hold spaces
		// and parentheses, so parse after the last ')'.
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(s[i+1:])
		if len(f) < 4 {
			continue
		}
		ppid, _ := strconv.Atoi(f[1])
		sid, _ := strconv.Atoi(f[3])
		out = append(out, procEntry{pid: pid, ppid: ppid, sid: sid})
	}
	return out
}

// holdsPipe reports whether process pid has one of the pipe inodes open.
func holdsPipe(pid int, pipes []uint64) bool {
	dir := "/proc/" + strconv.Itoa(pid) + "/fd"
	d, err := os.Open(dir)
	if err != nil {
		return false
	}
	defer d.Close()
	names, _ := d.Readdirnames(-1)
	for _, n := range names {
		l, err := os.Readlink(dir + "/" + n)
		if err != nil || !strings.HasPrefix(l, "pipe:[") {
			continue
		}
		ino, err := strconv.ParseUint(strings.TrimSuffix(strings.TrimPrefix(l, "pipe:["), "]"), 10, 64)
		if err == nil && slices.Contains(pipes, ino) {
			return true
		}
	}
	return false
}

// pipeInode is the inode of the pipe open as fd (0 if it cannot tell).
func pipeInode(fd uintptr) uint64 {
	var st syscall.Stat_t
	if err := syscall.Fstat(int(fd), &st); err != nil {
		return 0
	}
	return st.Ino
}
