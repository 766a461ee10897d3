package sysinfo

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// memory.stat samples as the kernel writes them (abridged).
const (
	memStatV1 = `cache 104857600
rss 2097152
shmem 4194304
mapped_file 0
inactive_file 0
active_file 0
hierarchical_memory_limit 268435456
total_cache 157286400
total_rss 2097152
total_shmem 8388608
total_inactive_file 125829120
total_active_file 20971520
total_dirty 0
`
	memStatV2 = `anon 3145728
file 150994944
shmem 10485760
file_dirty 0
inactive_anon 3145728
active_anon 0
inactive_file 94371840
active_file 46137344
`
)

func TestReclaimable(t *testing.T) {
	for _, tc := range []struct {
		name, stat string
		want       uint64
		how        string
	}{
		{"v1 subtree file LRUs", memStatV1, 125829120 + 20971520, "total_inactive_file + total_active_file"},
		{"v2 file LRUs", memStatV2, 94371840 + 46137344, "inactive_file + active_file"},
		{"v1 without LRU figures: cache less shmem", "total_cache 157286400\ntotal_shmem 8388608\n", 157286400 - 8388608, "total_cache - total_shmem"},
		{"v2 without LRU figures: file less shmem", "file 150994944\nshmem 10485760\n", 150994944 - 10485760, "file - shmem"},
		{"nothing known", "anon 5\n", 0, "no page cache figures in memory.stat"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, how := reclaimable(parseMemStat([]byte(tc.stat)))
			if got != tc.want || how != tc.how {
				t.Errorf("reclaimable = %d (%s), want %d (%s)", got, how, tc.want, tc.how)
			}
		})
	}
}

// fakeCgroup writes files (path relative to root: content) and a
// /proc/self/cgroup of lines, and returns the cgroup file and root.
func fakeCgroup(t *testing.T, lines string, files map[string]string) (string, string) {
	t.Helper()
	root := t.TempDir()
	for p, v := range files {
		full := filepath.Join(root, p)
		os.MkdirAll(filepath.Dir(full), 0o755)
		if err := os.WriteFile(full, []byte(v), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cg := filepath.Join(t.TempDir(), "cgroup")
	os.WriteFile(cg, []byte(lines), 0o644)
	return cg, root
}

// TestCgroupRoom: the room in a memory cgroup counts its reclaimable page
// cache as free, takes the smallest limit of the hierarchy, is still the
// cgroup's (not the host's) when usage is at the limit, and says where
// each figure came from.
func TestCgroupRoom(t *testing.T) {
	const mib = 1 << 20
	itoa := func(n uint64) string { return strconv.FormatUint(n, 10) }
	t.Run("v1 full of page cache", func(t *testing.T) {
		cg, root := fakeCgroup(t, "4:memory:/job\n0::/\n", map[string]string{
			"memory/job/memory.limit_in_bytes": itoa(512 * mib),
			"memory/job/memory.usage_in_bytes": itoa(256*mib - 768*1024),
			"memory/job/memory.stat":           memStatV1, // hierarchical limit 256 MiB
		})
		room, src, ok := cgroupRoom(cg, root)
		want := uint64(768*1024 + 125829120 + 20971520)
		if !ok || room != want {
			t.Errorf("room %d ok %v, want %d (768 KiB free + 140 MiB of file pages)", room, ok, want)
		}
		for _, s := range []string{"memory cgroup /job", "limit 256MiB", "reclaimable page cache", "total_inactive_file"} {
			if !strings.Contains(src, s) {
				t.Errorf("source %q does not say %q", src, s)
			}
		}
	})
	t.Run("v1 at the limit is still the cgroup's", func(t *testing.T) {
		cg, root := fakeCgroup(t, "4:memory:/job\n", map[string]string{
			"memory/job/memory.limit_in_bytes": itoa(64 * mib),
			"memory/job/memory.usage_in_bytes": itoa(64 * mib),
			"memory/job/memory.stat":           "total_inactive_file 1048576\ntotal_active_file 0\n",
		})
		room, src, ok := cgroupRoom(cg, root)
		if !ok || room != mib || !strings.Contains(src, "memory cgroup") {
			t.Errorf("room %d ok %v source %q, want 1 MiB from the cgroup", room, ok, src)
		}
	})
	t.Run("v1 unlimited", func(t *testing.T) {
		cg, root := fakeCgroup(t, "4:memory:/\n", map[string]string{
			"memory/memory.limit_in_bytes": "9223372036854771712",
			"memory/memory.usage_in_bytes": itoa(mib),
		})
		if _, _, ok := cgroupRoom(cg, root); ok {
			t.Error("an unlimited cgroup gave a room")
		}
	})
	t.Run("v2 nested, parent's limit smaller", func(t *testing.T) {
		cg, root := fakeCgroup(t, "0::/a/b\n", map[string]string{
			"a/memory.max":       itoa(200 * mib),
			"a/b/memory.max":     "max",
			"a/b/memory.current": itoa(190 * mib),
			"a/b/memory.stat":    memStatV2,
		})
		room, src, ok := cgroupRoom(cg, root)
		want := uint64(10*mib + 94371840 + 46137344)
		if !ok || room != want || !strings.Contains(src, "limit 200MiB") || !strings.Contains(src, "inactive_file + active_file") {
			t.Errorf("room %d ok %v source %q, want %d", room, ok, src, want)
		}
	})
	t.Run("stat unreadable: cache counted as used, and said", func(t *testing.T) {
		cg, root := fakeCgroup(t, "0::/a\n", map[string]string{
			"a/memory.max":     itoa(100 * mib),
			"a/memory.current": itoa(40 * mib),
		})
		room, src, ok := cgroupRoom(cg, root)
		if !ok || room != 60*mib || !strings.Contains(src, "memory.stat unreadable") {
			t.Errorf("room %d ok %v source %q, want 60 MiB and the reason", room, ok, src)
		}
	})
}
