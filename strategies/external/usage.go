package external

import (
	"os"
	"strconv"
	"strings"

	"github.com/writebench/writebench/internal/sysinfo"
	"github.com/writebench/writebench/strategies"
)

// clockTicks is Linux's USER_HZ, the unit of /proc/PID/stat times; it is
// 100 on every Linux architecture (the kernel reports in this unit
// whatever its internal HZ).
const clockTicks = 100

// procUsage reads /proc/PID/io (syscw, write_bytes) and /proc/PID/stat
// (utime+cutime, stime+cstime: the program's own CPU and that of children
// it has waited for, whose I/O the kernel also adds to the program's io
// counters). ok is false where /proc is missing or unreadable.
func procUsage(pid int) (strategies.ChildUsage, bool) {
	p := "/proc/" + strconv.Itoa(pid)
	io, err := os.ReadFile(p + "/io")
	if err != nil {
		return strategies.ChildUsage{}, false
	}
	stat, err := os.ReadFile(p + "/stat")
	if err != nil {
		return strategies.ChildUsage{}, false
	}
	u := strategies.ChildUsage{}
	u.WriteSyscalls, u.StorageBytes = sysinfo.ParseProcIO(io)
	user, sys, ok := parseStatTimes(string(stat))
	if !ok {
		return strategies.ChildUsage{}, false
	}
	u.UserSeconds, u.SysSeconds = user, sys
	return u, true
}

// parseStatTimes returns utime+cutime and stime+cstime in seconds from a
// /proc/PID/stat line. The command name (field 2) is in parentheses and may
// hold spaces, so fields are counted after its closing parenthesis.
func parseStatTimes(stat string) (user, sys float64, ok bool) {
	i := strings.LastIndexByte(stat, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(stat[i+1:])
	// f[0] is field 3 (state); utime, stime, cutime, cstime are fields
	// 14..17, so f[11..14].
	if len(f) < 15 {
		return 0, 0, false
	}
	var t [4]float64
	for k := range t {
		n, err := strconv.ParseInt(f[11+k], 10, 64)
		if err != nil {
			return 0, 0, false
		}
		t[k] = float64(n) / clockTicks
	}
	return t[0] + t[2], t[1] + t[3], true
}
