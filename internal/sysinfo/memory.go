package sysinfo

import (
	"bufio"
	"os"
	"slices"
	"strconv"
	"strings"
)

// MemoryLimit returns the memory writebench may use, in bytes, and where
// the figure comes from: the smaller of MemAvailable in /proc/meminfo and
// the limit of the process's memory cgroup (v2 memory.max or v1
// memory.limit_in_bytes) minus its usage. ok is false when neither can be
// read (then no memory check is made).
func MemoryLimit() (limit uint64, source string, ok bool) {
	if v, found := meminfo("MemAvailable"); found {
		limit, source, ok = v, "MemAvailable in /proc/meminfo", true
	}
	if v, found := cgroupRoom(); found && (!ok || v < limit) {
		limit, source, ok = v, "the memory cgroup's limit minus its usage", true
	}
	return limit, source, ok
}

// meminfo returns a /proc/meminfo field in bytes.
func meminfo(field string) (uint64, bool) { return procField("/proc/meminfo", field) }

// PeakRSS returns this process's peak resident set size in bytes (VmHWM
// in /proc/self/status; ok false where there is none). Unlike
// getrusage's ru_maxrss it counts this program only: a process started by
// a large parent inherits the parent's size in ru_maxrss (Linux records the
// pre-exec address space, shared with the parent under vfork).
func PeakRSS() (uint64, bool) { return procField("/proc/self/status", "VmHWM") }

// procField returns a "Key: N [kB]" field of a /proc file, in bytes.
func procField(path, field string) (uint64, bool) {
	f, err := os.Open(path)
	if err != nil {
		return 0, false
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || k != field {
			continue
		}
		fs := strings.Fields(v)
		if len(fs) == 0 {
			return 0, false
		}
		n, err := strconv.ParseUint(fs[0], 10, 64)
		if err != nil {
			return 0, false
		}
		if len(fs) > 1 && fs[1] == "kB" {
			n *= 1024
		}
		return n, true
	}
	return 0, false
}

// cgroupRoom returns the memory cgroup's limit minus its current usage,
// when the process is in a limited memory cgroup.
func cgroupRoom() (uint64, bool) {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return 0, false
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		var limit, usage string
		switch {
		case parts[0] == "0" && parts[1] == "":
			limit = "/sys/fs/cgroup" + parts[2] + "/memory.max"
			usage = "/sys/fs/cgroup" + parts[2] + "/memory.current"
		case slices.Contains(strings.Split(parts[1], ","), "memory"):
			limit = "/sys/fs/cgroup/memory" + parts[2] + "/memory.limit_in_bytes"
			usage = "/sys/fs/cgroup/memory" + parts[2] + "/memory.usage_in_bytes"
		default:
			continue
		}
		l, ok1 := readUint(limit)
		u, ok2 := readUint(usage)
		if ok1 && ok2 && l < 1<<60 && l > u {
			return l - u, true
		}
	}
	return 0, false
}

func readUint(path string) (uint64, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64)
	return n, err == nil
}
