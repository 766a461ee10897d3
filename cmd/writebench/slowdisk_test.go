package main

import (
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"golang.org/x/sys/unix"

	"github.com/writebench/writebench"
	"github.com/writebench/writebench/resultset"
)

// slowDisk makes a real slow disk: an ext4 file system on a loop device
// whose writes a cgroup v1 blkio throttle limits to bps bytes per second
// for the processes of the returned cgroup directory. It skips the test
// with the reason where the machine cannot.
func slowDisk(t *testing.T, bps int) (mnt, cgroup string) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipped: loop devices and cgroups need root")
	}
	const blkio = "/sys/fs/cgroup/blkio"
	if _, err := os.Stat(filepath.Join(blkio, "blkio.throttle.write_bps_device")); err != nil {
		t.Skip("skipped: no cgroup v1 blkio controller with throttling at " + blkio)
	}
	for _, tool := range []string{"losetup", "mkfs.ext4", "mount", "umount"} {
		if _, err := exec.LookPath(tool); err != nil {
			t.Skipf("skipped: %s not installed", tool)
		}
	}
	img := filepath.Join(t.TempDir(), "disk.img")
	if err := os.WriteFile(img, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.Truncate(img, 64<<20); err != nil {
		t.Fatal(err)
	}
	out, err := exec.Command("losetup", "-f", "--show", img).Output()
	if err != nil {
		t.Skipf("skipped: losetup: %v", err)
	}
	loop := strings.TrimSpace(string(out))
	t.Cleanup(func() { exec.Command("losetup", "-d", loop).Run() })
	if o, err := exec.Command("mkfs.ext4", "-q", loop).CombinedOutput(); err != nil {
		t.Fatalf("mkfs.ext4: %v: %s", err, o)
	}
	mnt = t.TempDir()
	if o, err := exec.Command("mount", loop, mnt).CombinedOutput(); err != nil {
		t.Skipf("skipped: mount: %v: %s", err, o)
	}
	t.Cleanup(func() { exec.Command("umount", mnt).Run() })
	var st syscall.Stat_t
	if err := syscall.Stat(loop, &st); err != nil {
		t.Fatal(err)
	}
	majmin := strconv.Itoa(int(unix.Major(st.Rdev))) + ":" + strconv.Itoa(int(unix.Minor(st.Rdev)))
	cgroup = filepath.Join(blkio, "writebench-test-"+strconv.Itoa(os.Getpid()))
	if err := os.Mkdir(cgroup, 0o755); err != nil {
		t.Skipf("skipped: make a blkio cgroup: %v", err)
	}
	t.Cleanup(func() { os.Remove(cgroup) })
	if err := os.WriteFile(filepath.Join(cgroup, "blkio.throttle.write_bps_device"), []byte(majmin+" "+strconv.Itoa(bps)), 0); err != nil {
		t.Skipf("skipped: set the throttle: %v", err)
	}
	return mnt, cgroup
}

// TestSignalDeadlineSlowDisk sends SIGTERM while one 2 MiB chunk is being
// written with RWF_DSYNC to a disk throttled to 128 KiB/s (the write(2)
// waits 16 s in the kernel and no signal interrupts it): the partial set
// must be saved and the scratch directory removed within a few seconds of
// the signal, long before the write returns, and the exit status is 143.
// (The process itself can end only when the kernel returns from the write:
// a write waiting for the device cannot be interrupted, even by SIGKILL.)
func TestSignalDeadlineSlowDisk(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short: the throttled write takes 16 s")
	}
	mnt, cgroup := slowDisk(t, 128<<10)
	// The set goes to a tmpfs when there is one: an fsync on a disk other
	// tests load could take seconds of its own.
	outDir := t.TempDir()
	if st, err := os.Stat("/dev/shm"); err == nil && st.IsDir() {
		d, err := os.MkdirTemp("/dev/shm", "wbslow")
		if err == nil {
			outDir = d
			t.Cleanup(func() { os.RemoveAll(d) })
		}
	}
	out := filepath.Join(outDir, "o.json")
	cmd := exec.Command("/bin/sh", "-c", `echo $$ > "$0"/cgroup.procs && exec "$@"`, cgroup,
		os.Args[0], "-test.run=^TestHelperMain$", "--", "run", "--strategies", "chunked", "--files", "1",
		"--sizes", "2MiB", "--chunk", "2MiB", "--sync", "dsync", "--repeat", "1", "--warmup", "0",
		"--dir", mnt, "--out", out, "--progress", "never", "--no-space-check")
	cmd.Env = append(os.Environ(), helperEnv+"=1")
	var errb strings.Builder
	cmd.Stderr = &errb
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	// The chunk is copied into the page cache (the file reaches 2 MiB) and
	// the write then waits for the device.
	deadline := time.Now().Add(hangGuard)
	for {
		files, _ := filepath.Glob(filepath.Join(mnt, writebench.ScratchPrefix+"*", "d*", "l*", "f*"))
		if len(files) == 1 {
			if st, err := os.Stat(files[0]); err == nil && st.Size() == 2<<20 {
				break
			}
		}
		if time.Now().After(deadline) {
			cmd.Process.Kill()
			t.Fatalf("the write did not start; stderr:\n%s", errb.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	signalled := time.Now()
	cmd.Process.Signal(syscall.SIGTERM)
	// Saved well before the 16 s the write takes (2 s of grace, at most 2 s
	// for the removal, then saving; 8 s leaves room for a loaded machine).
	for {
		if _, err := os.Stat(out); err == nil {
			break
		}
		if time.Since(signalled) > 8*time.Second {
			t.Errorf("8 s after SIGTERM the set is not saved (a blocked write still holds the run)")
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	err := <-done
	// The scratch directory is removed, or, when a lock the blocked write
	// held kept its removal from finishing in time, named as left.
	if left, _ := filepath.Glob(filepath.Join(mnt, writebench.ScratchPrefix+"*")); len(left) > 0 && !strings.Contains(errb.String(), "could not remove the scratch directory "+left[0]) {
		t.Errorf("scratch %v left and not named; stderr:\n%s", left, errb.String())
	}
	if code := exitStatus(t, err); code != 143 {
		t.Errorf("exit %d, want 143; stderr:\n%s", code, errb.String())
	}
	set, lerr := resultset.Load(out)
	if lerr != nil {
		t.Fatalf("partial set: %v", lerr)
	}
	if set.Complete || set.Interrupted != "SIGTERM" {
		t.Errorf("set complete %v, interrupted %q; want an interrupted set", set.Complete, set.Interrupted)
	}
}
