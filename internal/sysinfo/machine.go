// Package sysinfo reads what the system says about itself and this process:
// the CPU, kernel and mount of a directory, free space, memory limits
// (/proc/meminfo, cgroups), peak resident size, CPU time, /proc/PID/io
// counters, and the garbage collector's state before a timed region.
package sysinfo

import (
	"bufio"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// CPUModel is the CPU model name in /proc/cpuinfo (GOARCH where there is none).
func CPUModel() string {
	f, err := os.Open("/proc/cpuinfo")
	if err != nil {
		return runtime.GOARCH
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if ok && strings.TrimSpace(k) == "model name" {
			return strings.TrimSpace(v)
		}
	}
	return runtime.GOARCH
}

// KernelVersion is the kernel release (GOOS where it cannot be read).
func KernelVersion() string {
	if b, err := os.ReadFile("/proc/sys/kernel/osrelease"); err == nil {
		return strings.TrimSpace(string(b))
	}
	return runtime.GOOS
}

// MountOf finds the mount holding dir in /proc/self/mountinfo: the longest
// mount point that is a prefix of dir.
func MountOf(dir string) (fstype, device, options string) {
	data, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return "unknown", "", ""
	}
	best := -1
	for _, line := range strings.Split(string(data), "\n") {
		// id parent major:minor root mountpoint options [optional...] - fstype source superoptions
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			continue
		}
		f := strings.Fields(pre)
		g := strings.Fields(post)
		if len(f) < 6 || len(g) < 2 {
			continue
		}
		mp := unescapeMount(f[4])
		if (dir == mp || strings.HasPrefix(dir, strings.TrimSuffix(mp, "/")+"/")) && len(mp) >= best {
			best = len(mp)
			fstype, device, options = g[0], g[1], f[5]
			if len(g) > 2 {
				options += "; superblock: " + g[2]
			}
		}
	}
	if best < 0 {
		return "unknown", "", ""
	}
	return fstype, device, options
}

func unescapeMount(s string) string {
	return strings.NewReplacer(`\040`, " ", `\011`, "\t", `\012`, "\n", `\134`, `\`).Replace(s)
}

// HostCores returns the host's online CPUs when they are more than usable,
// the CPUs this process may run on (runtime.NumCPU counts its affinity
// mask: one for an MPI rank bound to a core), else 0.
func HostCores(usable int) int {
	data, err := os.ReadFile("/sys/devices/system/cpu/online")
	if err != nil {
		return 0
	}
	if n := CountCPUList(strings.TrimSpace(string(data))); n > usable {
		return n
	}
	return 0
}

// CountCPUList counts the CPUs of a kernel CPU list such as "0-3,8,10-11"
// (0 if it cannot be read).
func CountCPUList(list string) int {
	n := 0
	for _, part := range strings.Split(list, ",") {
		lo, hi, isRange := strings.Cut(part, "-")
		a, err := strconv.Atoi(lo)
		if err != nil {
			return 0
		}
		b := a
		if isRange {
			if b, err = strconv.Atoi(hi); err != nil || b < a {
				return 0
			}
		}
		n += b - a + 1
	}
	return n
}
