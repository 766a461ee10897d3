//go:build linux

package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/writebench/writebench/resultset"
)

// v1MemoryCgroup makes a cgroup v1 memory cgroup limited to limit bytes
// and returns its directory (removed at the end of the test), or skips
// when the machine has no writable v1 memory controller.
func v1MemoryCgroup(t *testing.T, limit int64) string {
	t.Helper()
	const base = "/sys/fs/cgroup/memory"
	if os.Geteuid() != 0 {
		t.Skip("skipped: making a memory cgroup needs root")
	}
	if _, err := os.Stat(filepath.Join(base, "memory.limit_in_bytes")); err != nil {
		t.Skip("skipped: no cgroup v1 memory controller at " + base)
	}
	cg := filepath.Join(base, fmt.Sprintf("writebench-test-%d", os.Getpid()))
	if err := os.Mkdir(cg, 0o755); err != nil {
		t.Skipf("skipped: cannot make a memory cgroup: %v", err)
	}
	t.Cleanup(func() {
		// Its processes have exited; the page cache it holds moves to the
		// parent when it goes. Removal can lag their exit by a moment.
		for i := 0; i < 50 && os.Remove(cg) != nil; i++ {
			time.Sleep(100 * time.Millisecond)
		}
	})
	if err := os.WriteFile(filepath.Join(cg, "memory.limit_in_bytes"), []byte(strconv.FormatInt(limit, 10)), 0); err != nil {
		t.Fatalf("set the cgroup's limit: %v", err)
	}
	return cg
}

// inCgroup returns a command that runs argv inside the memory cgroup cg
// (a shell moves itself into it, then execs argv).
func inCgroup(cg string, argv ...string) *exec.Cmd {
	script := `echo $$ > "$0/cgroup.procs" && exec "$@"`
	return exec.Command("/bin/sh", append([]string{"-c", script, cg}, argv...)...)
}

func readCgroupUint(t *testing.T, cg, file string) int64 {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(cg, file))
	if err != nil {
		t.Fatal(err)
	}
	n, err := strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestMemoryCheckCountsReclaimableCache runs writebench in a real cgroup
// v1 memory cgroup of 256 MiB whose page cache was first filled by
// writing a 320 MiB file from inside it, so its usage is at the limit and
// almost all of it clean cache the kernel can reclaim. A cell estimated at
// about 116 MiB must run (the check used to count the cache as used and
// refuse it with "only ...KiB available"); a cell estimated above the
// limit must be refused naming the cgroup, never the host's MemAvailable;
// --memory-limit overrides the measured figure.
func TestMemoryCheckCountsReclaimableCache(t *testing.T) {
	const limit = 256 << 20
	cg := v1MemoryCgroup(t, limit)
	work := t.TempDir()
	fill := inCgroup(cg, "dd", "if=/dev/zero", "of="+filepath.Join(work, "cache.dat"), "bs=1M", "count=320", "conv=fsync", "status=none")
	if out, err := fill.CombinedOutput(); err != nil {
		t.Fatalf("fill the cgroup's page cache: %v\n%s", err, out)
	}
	usage := readCgroupUint(t, cg, "memory.usage_in_bytes")
	if usage < limit-64<<20 {
		t.Fatalf("the cgroup's usage is %d after writing 320 MiB in it, want near its limit %d", usage, limit)
	}
	t.Logf("cgroup usage %d MiB of %d MiB after the file write", usage>>20, limit>>20)

	run := func(args ...string) (int, string) {
		argv := append([]string{os.Args[0], "-test.run=^TestHelperMain$", "--", "run"}, args...)
		cmd := inCgroup(cg, argv...)
		cmd.Env = append(os.Environ(), helperEnv+"=1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		return exitStatus(t, cmd.Run()), stderr.String()
	}
	common := []string{"--strategies", "chunked", "--files", "1", "--repeat", "1", "--warmup", "0", "--budget", "0", "--progress", "never"}

	dir := t.TempDir()
	out := filepath.Join(t.TempDir(), "set.json")
	code, stderr := run(append(common, "--sizes", "32MiB", "--chunk", "32MiB", "--dir", dir, "--out", out)...)
	if code != 0 {
		t.Fatalf("a 116 MiB cell in a 256 MiB cgroup full of clean page cache: exit %d, want 0; stderr:\n%s", code, stderr)
	}
	if set, err := resultset.Load(out); err != nil || len(set.Results) != 1 || set.Results[0].Failed() {
		t.Errorf("the set: %v", err)
	}

	dir = t.TempDir()
	out = filepath.Join(t.TempDir(), "set.json")
	code, stderr = run(append(common, "--sizes", "256MiB", "--chunk", "256MiB", "--dir", dir, "--out", out)...)
	if code != 2 || !strings.Contains(stderr, "memory cgroup /"+filepath.Base(cg)) || strings.Contains(stderr, "MemAvailable") {
		t.Errorf("a cell estimated above the cgroup's limit: exit %d, want 2 naming the cgroup; stderr:\n%s", code, stderr)
	}
	nothingWritten(t, dir, out)

	code, stderr = run(append(common, "--sizes", "32MiB", "--chunk", "32MiB", "--memory-limit", "64MiB", "--dir", dir, "--out", out)...)
	if code != 2 || !strings.Contains(stderr, "(--memory-limit)") {
		t.Errorf("--memory-limit 64MiB: exit %d, want 2 naming --memory-limit; stderr:\n%s", code, stderr)
	}
	nothingWritten(t, dir, out)
}

// TestMemoryLimitFlag: --memory-limit sets the figure the estimate is
// compared with (the refusal names it), off turns the memory check off,
// and a bad value is a usage error naming the flag.
func TestMemoryLimitFlag(t *testing.T) {
	dir := t.TempDir()
	base := []string{"run", "--dry-run", "--strategies", "pool", "--files", "16", "--concurrency", "16", "--sizes", "1GiB", "--chunk", "1GiB", "--dir", dir}
	code, _, errs := runCLI(t, append(base, "--memory-limit", "1GiB")...)
	if code != 2 || !strings.Contains(errs, "(--memory-limit)") || !strings.Contains(errs, "only 1.00GiB is available") {
		t.Errorf("--memory-limit 1GiB: exit %d, stderr %q", code, errs)
	}
	code, _, errs = runCLI(t, append(base, "--memory-limit", "off")...)
	if code == 2 && strings.Contains(errs, "of memory at its peak") {
		t.Errorf("--memory-limit off still checks memory: %q", errs)
	}
	code, _, errs = runCLI(t, append(base, "--memory-limit", "lots")...)
	if code != 2 || !strings.Contains(errs, "--memory-limit") {
		t.Errorf("--memory-limit lots: exit %d, stderr %q", code, errs)
	}
}
