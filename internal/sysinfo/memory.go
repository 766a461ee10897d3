package sysinfo

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/writebench/writebench/resultset"
)

// MemoryLimit returns the memory writebench may use, in bytes, and where
// the figure comes from: the smaller of MemAvailable in /proc/meminfo and
// the room in the process's memory cgroup (see cgroupRoom: its limit minus
// its usage plus the page cache it could reclaim). A cgroup with a limit is
// always consulted, even when its usage is at the limit (its room is then
// what it can reclaim). ok is false when neither can be read (then no
// memory check is made, and source says why).
func MemoryLimit() (limit uint64, source string, ok bool) {
	v, found := meminfo("MemAvailable")
	room, cgSource, cgFound := cgroupRoom("/proc/self/cgroup", "/sys/fs/cgroup")
	switch {
	case cgFound && (!found || room < v):
		return room, cgSource, true
	case found:
		return v, "MemAvailable in /proc/meminfo", true
	}
	return 0, "neither /proc/meminfo nor a memory cgroup could be read", false
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

// noLimit: a cgroup limit at or above this is "max" (v1 writes
// PAGE_COUNTER_MAX pages, 9223372036854771712 on x86-64).
const noLimit = 1 << 60

// cgroupRoom returns the room left in the memory cgroup of this process
// (read from cgroupFile, the cgroup file system mounted at root) and a
// description of the figures: its limit minus its usage plus its
// reclaimable page cache (memStat), at most the limit. v1: the smallest
// hierarchical_memory_limit of memory.stat (or memory.limit_in_bytes) and
// memory.usage_in_bytes; v2: the smallest memory.max of the cgroup and its
// ancestors, and memory.current. found is false when the process is in no
// memory cgroup with a limit.
func cgroupRoom(cgroupFile, root string) (room uint64, source string, found bool) {
	data, err := os.ReadFile(cgroupFile)
	if err != nil {
		return 0, "", false
	}
	for _, line := range strings.Split(strings.TrimSpace(string(data)), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		var dir string
		var limit, usage uint64
		var ok bool
		switch {
		case slices.Contains(strings.Split(parts[1], ","), "memory"): // v1
			dir = filepath.Join(root, "memory", parts[2])
			limit, ok = readUint(filepath.Join(dir, "memory.limit_in_bytes"))
			if !ok {
				continue
			}
			if st, err := os.ReadFile(filepath.Join(dir, "memory.stat")); err == nil {
				if h, ok := parseMemStat(st)["hierarchical_memory_limit"]; ok {
					limit = min(limit, h)
				}
			}
			if usage, ok = readUint(filepath.Join(dir, "memory.usage_in_bytes")); !ok {
				continue
			}
		case parts[0] == "0" && parts[1] == "": // v2
			dir = filepath.Join(root, parts[2])
			if usage, ok = readUint(filepath.Join(dir, "memory.current")); !ok {
				continue // no memory controller here (a v1 machine's unified line)
			}
			limit = noLimit
			for d := dir; ; d = filepath.Dir(d) {
				if l, ok := readUint(filepath.Join(d, "memory.max")); ok {
					limit = min(limit, l)
				}
				if d == root || len(d) <= len(root) {
					break
				}
			}
		default:
			continue
		}
		if limit >= noLimit {
			continue
		}
		st, err := os.ReadFile(filepath.Join(dir, "memory.stat"))
		var cache uint64
		cacheNote := "memory.stat unreadable: page cache counted as used"
		if err == nil {
			var how string
			cache, how = reclaimable(parseMemStat(st))
			cacheNote = resultset.FormatIEC(cache) + " reclaimable page cache (" + how + ")"
		}
		room = 0
		if limit > usage {
			room = limit - usage
		}
		room = min(room+cache, limit)
		return room, fmt.Sprintf("memory cgroup %s: limit %s - usage %s + %s",
			resultset.Printable(parts[2]), resultset.FormatIEC(limit), resultset.FormatIEC(usage), cacheNote), true
	}
	return 0, "", false
}

// parseMemStat reads the "key value" lines of a cgroup memory.stat (v1 or
// v2); values are bytes.
func parseMemStat(data []byte) map[string]uint64 {
	m := map[string]uint64{}
	for _, line := range strings.Split(string(data), "\n") {
		k, v, ok := strings.Cut(strings.TrimSpace(line), " ")
		if !ok {
			continue
		}
		if n, err := strconv.ParseUint(strings.TrimSpace(v), 10, 64); err == nil {
			m[k] = n
		}
	}
	return m
}

// reclaimable returns the page cache of a cgroup that the kernel reclaims
// when the cgroup needs memory, from its memory.stat, and which fields
// gave it: the file LRU lists (v1 total_inactive_file + total_active_file,
// counted over the cgroup's subtree; v2 inactive_file + active_file), or
// when those are missing the page cache less shared memory (v1 cache -
// shmem, v2 file - shmem), which lives in memory and cannot be dropped.
func reclaimable(st map[string]uint64) (uint64, string) {
	get := func(keys ...string) (uint64, string, bool) {
		var sum uint64
		for _, k := range keys {
			v, ok := st[k]
			if !ok {
				return 0, "", false
			}
			sum += v
		}
		return sum, strings.Join(keys, " + "), true
	}
	for _, keys := range [][]string{
		{"total_inactive_file", "total_active_file"},
		{"inactive_file", "active_file"},
	} {
		if v, how, ok := get(keys...); ok {
			return v, how
		}
	}
	for _, k := range []string{"total_cache", "cache", "file"} {
		v, ok := st[k]
		if !ok {
			continue
		}
		how := k
		shm := "total_shmem"
		if k != "total_cache" {
			shm = "shmem"
		}
		if s, ok := st[shm]; ok {
			v -= min(s, v)
			how += " - " + shm
		}
		return v, how
	}
	return 0, "no page cache figures in memory.stat"
}

func readUint(path string) (uint64, bool) {
	data, err := os.ReadFile(path)
	if err != nil {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64)
	return n, err == nil
}
