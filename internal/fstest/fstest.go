// Package fstest gives tests directories on real filesystems other than
// the one the temporary directory is on: tmpfs, and xfs and btrfs on loop
// devices made for the test (a sparse file, mkfs, losetup, mount). Each is
// mounted under the test's t.TempDir() and unmounted and detached by
// t.Cleanup, also when the test fails. Where the machine cannot (not root,
// no loop devices, mkfs missing, the kernel lacks the filesystem) the test
// is skipped with the reason.
package fstest

import (
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// Kinds lists the filesystems Mount makes, in the order tests run them.
var Kinds = []string{"tmpfs", "xfs", "btrfs"}

// imageSize is the size of a loop device's backing file: sparse, so it
// costs only what is written; mkfs.xfs needs at least 300 MB.
const imageSize = 512 << 20

// Default names the filesystem of os.TempDir() in Each.
const Default = "default"

// Each runs f once on the filesystem of os.TempDir() ("default") and once
// on each of Kinds, as subtests named fs=KIND, each on a fresh directory;
// a filesystem the machine cannot make skips its subtest with the reason.
// With -short only the default runs (CI's race pass is short).
func Each(t *testing.T, f func(t *testing.T, kind, dir string)) {
	t.Helper()
	for _, kind := range append([]string{Default}, Kinds...) {
		t.Run("fs="+kind, func(t *testing.T) {
			dir := t.TempDir()
			if kind != Default {
				if testing.Short() {
					t.Skip("-short: only the temporary directory's filesystem")
				}
				dir = Mount(t, kind)
			}
			f(t, kind, dir)
		})
	}
}

// Mount mounts a new filesystem of kind ("tmpfs", "xfs" or "btrfs") under
// t.TempDir() and returns its root; t.Cleanup unmounts it and detaches its
// loop device. It skips t with the reason when the machine cannot.
func Mount(t testing.TB, kind string) string {
	t.Helper()
	if reason := Unavailable(kind); reason != "" {
		t.Skipf("%s: %s", kind, reason)
	}
	base := t.TempDir()
	mnt := filepath.Join(base, "mnt")
	if err := os.Mkdir(mnt, 0o755); err != nil {
		t.Fatal(err)
	}
	if kind == "tmpfs" {
		run(t, "mount", "-t", "tmpfs", "-o", "size=256m", "tmpfs", mnt)
		t.Cleanup(func() { unmount(t, mnt) })
		return mnt
	}
	img := filepath.Join(base, "image")
	f, err := os.Create(img)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(imageSize); err != nil {
		f.Close()
		t.Fatal(err)
	}
	f.Close()
	mkfs := map[string][]string{"xfs": {"mkfs.xfs", "-q", "-f"}, "btrfs": {"mkfs.btrfs", "-q", "-f"}}[kind]
	run(t, mkfs[0], append(mkfs[1:], img)...)
	out, err := exec.Command("losetup", "--find", "--show", img).CombinedOutput()
	if err != nil {
		t.Skipf("%s: losetup: %v: %s", kind, err, strings.TrimSpace(string(out)))
	}
	dev := strings.TrimSpace(string(out))
	// Cleanups run last-in first-out: unmount, then detach.
	t.Cleanup(func() {
		if out, err := exec.Command("losetup", "--detach", dev).CombinedOutput(); err != nil {
			t.Errorf("losetup --detach %s: %v: %s", dev, err, out)
		}
	})
	run(t, "mount", "-t", kind, dev, mnt)
	t.Cleanup(func() { unmount(t, mnt) })
	return mnt
}

// Unavailable returns why a filesystem of kind cannot be made here, or "".
func Unavailable(kind string) string {
	if os.Geteuid() != 0 {
		return "mounting needs root"
	}
	if !inKernel(kind) {
		return "the kernel has no " + kind + " (/proc/filesystems)"
	}
	if kind == "tmpfs" {
		return ""
	}
	for _, tool := range []string{"mkfs." + kind, "losetup", "mount"} {
		if _, err := exec.LookPath(tool); err != nil {
			pkg := map[string]string{"xfs": "xfsprogs", "btrfs": "btrfs-progs"}[kind]
			return fmt.Sprintf("%s not found (apt-get install %s util-linux)", tool, pkg)
		}
	}
	if _, err := os.Stat("/dev/loop-control"); err != nil {
		return "no loop devices (/dev/loop-control)"
	}
	return ""
}

func inKernel(kind string) bool {
	b, err := os.ReadFile("/proc/filesystems")
	if err != nil {
		return false
	}
	for _, line := range strings.Split(string(b), "\n") {
		if f := strings.Fields(line); len(f) > 0 && f[len(f)-1] == kind {
			return true
		}
	}
	return false
}

// run runs a setup command, skipping the test when it fails: a machine
// that cannot make the filesystem is not a failure of the code under test.
func run(t testing.TB, name string, args ...string) {
	t.Helper()
	if out, err := exec.Command(name, args...).CombinedOutput(); err != nil {
		t.Skipf("%s %s: %v: %s", name, strings.Join(args, " "), err, strings.TrimSpace(string(out)))
	}
}

func unmount(t testing.TB, mnt string) {
	if out, err := exec.Command("umount", mnt).CombinedOutput(); err != nil {
		// A file still open on it (a failing test): detach lazily so the
		// loop device can go.
		if out2, err2 := exec.Command("umount", "-l", mnt).CombinedOutput(); err2 != nil {
			t.Errorf("umount %s: %v: %s; umount -l: %v: %s", mnt, err, out, err2, out2)
		}
	}
}
