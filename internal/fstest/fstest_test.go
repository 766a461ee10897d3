//go:build linux

package fstest

import (
	"os/exec"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestMount mounts each filesystem, checks that it is the filesystem asked
// for, and that its cleanup unmounts it and detaches its loop device.
func TestMount(t *testing.T) {
	magic := map[string]int64{"tmpfs": unix.TMPFS_MAGIC, "xfs": unix.XFS_SUPER_MAGIC, "btrfs": unix.BTRFS_SUPER_MAGIC}
	for _, kind := range Kinds {
		var mnt string
		t.Run(kind, func(t *testing.T) {
			mnt = Mount(t, kind)
			var fs unix.Statfs_t
			if err := unix.Statfs(mnt, &fs); err != nil {
				t.Fatal(err)
			}
			if int64(fs.Type) != magic[kind] {
				t.Fatalf("%s mounted at %s has magic %#x, want %#x", kind, mnt, fs.Type, magic[kind])
			}
		})
		if mnt == "" {
			continue // skipped
		}
		var fs unix.Statfs_t
		if err := unix.Statfs(mnt, &fs); err == nil && int64(fs.Type) == magic[kind] {
			t.Errorf("%s still mounted at %s after its test", kind, mnt)
		}
		if out, _ := exec.Command("losetup", "-a").Output(); strings.Contains(string(out), mnt) || strings.Contains(string(out), strings.TrimSuffix(mnt, "mnt")+"image") {
			t.Errorf("a loop device of %s is still attached: %s", kind, out)
		}
	}
}
