package main

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
)

// memoryCgroup makes a cgroup v1 memory cgroup under this process's own,
// limited to limit bytes, and returns its directory, or "" when the
// machine has none this process may make.
func memoryCgroup(t *testing.T, limit int64) string {
	data, err := os.ReadFile("/proc/self/cgroup")
	if err != nil {
		return ""
	}
	for _, line := range strings.Split(string(data), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 || parts[1] != "memory" {
			continue
		}
		dir := filepath.Join("/sys/fs/cgroup/memory", parts[2], fmt.Sprintf("writebench-memtest-%d", os.Getpid()))
		if err := os.Mkdir(dir, 0o755); err != nil {
			return ""
		}
		t.Cleanup(func() { os.Remove(dir) })
		for _, f := range []string{"memory.limit_in_bytes", "memory.memsw.limit_in_bytes"} {
			if err := os.WriteFile(filepath.Join(dir, f), []byte(fmt.Sprint(limit)), 0); err != nil && f == "memory.limit_in_bytes" {
				return ""
			}
		}
		return dir
	}
	return ""
}

// writeSet writes a result set file: the header, then body as its results.
func writeSet(t *testing.T, path string, cells func(w *bytes.Buffer)) {
	var b bytes.Buffer
	b.WriteString(`{"schema":1,"tool":"writebench","env":{},"complete":true,"results":[`)
	cells(&b)
	b.WriteString("]}")
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLoadMemoryBoundedByInput runs the real report and compare, in a
// memory cgroup of 512 MiB, on files made to exhaust memory: 3 MB and 30 MB
// of empty results, nesting 200,000 deep, and one result with 200,000
// samples in every array. Each ends with its exit status (2 and one line
// naming the file for the refusals), never a kill or a Go crash, and
// peaks at most 256 MiB of memory (the cgroup's peak usage).
func TestLoadMemoryBoundedByInput(t *testing.T) {
	if testing.Short() {
		t.Skip("skipped in -short: writes 40 MB of test files")
	}
	cg := memoryCgroup(t, 512<<20)
	if cg == "" {
		t.Skip("skipped: needs a cgroup v1 memory controller this process can use, to run the refused files safely")
	}
	dir := t.TempDir()
	empty := func(n int) func(*bytes.Buffer) {
		return func(b *bytes.Buffer) {
			b.WriteString("{}")
			for i := 1; i < n; i++ {
				b.WriteString(",{}")
			}
		}
	}
	empty3, empty30 := filepath.Join(dir, "empty3.json"), filepath.Join(dir, "empty30.json")
	writeSet(t, empty3, empty(1_000_000))
	writeSet(t, empty30, empty(10_000_000))
	deep := filepath.Join(dir, "deep.json")
	writeSet(t, deep, func(b *bytes.Buffer) {
		b.WriteString(strings.Repeat("[", 200_000) + strings.Repeat("]", 200_000))
	})
	samples := filepath.Join(dir, "samples.json")
	writeSet(t, samples, func(b *bytes.Buffer) {
		ones := strings.Repeat("1,", 199_999) + "1"
		b.WriteString(`{"strategy":"a","files":1,"sync":"none"`)
		for _, a := range []string{"seconds", "write_syscalls", "storage_bytes", "sync_seconds", "user_seconds", "sys_seconds", "allocs", "alloc_bytes"} {
			b.WriteString(`,"` + a + `":[` + ones + `]`)
		}
		b.WriteString("}")
	})

	for _, tt := range []struct {
		args []string
		exit int
		want string // in the one line of a refusal
	}{
		{[]string{"report", empty3}, 2, empty3},
		{[]string{"report", empty30}, 2, empty30},
		{[]string{"compare", empty3, samples}, 2, empty3},
		{[]string{"report", deep}, 2, deep},
		{[]string{"report", samples}, 0, ""},
		{[]string{"compare", samples, samples}, 0, ""},
	} {
		name := strings.Join(tt.args, " ")
		// The cgroup's peak, not the child's rusage: a child started with
		// vfork inherits the parent's high-water mark in ru_maxrss.
		peak := filepath.Join(cg, "memory.max_usage_in_bytes")
		if err := os.WriteFile(peak, []byte("0"), 0); err != nil {
			t.Fatal(err)
		}
		cmd := exec.Command("/bin/sh", append([]string{"-c", `echo $$ > "$0/cgroup.procs" && exec "$@"`, cg,
			os.Args[0], "-test.run=^TestHelperMain$", "--"}, tt.args...)...)
		cmd.Env = append(os.Environ(), helperEnv+"=1")
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		err := cmd.Run()
		if cmd.ProcessState == nil {
			t.Fatalf("%s: %v", name, err)
		}
		ws := cmd.ProcessState.Sys().(syscall.WaitStatus)
		data, err := os.ReadFile(peak)
		if err != nil {
			t.Fatal(err)
		}
		rss, _ := strconv.ParseInt(strings.TrimSpace(string(data)), 10, 64)
		t.Logf("%s: exit %d, peak memory %d MiB", name, cmd.ProcessState.ExitCode(), rss>>20)
		msg := stderr.String()
		if ws.Signaled() {
			t.Errorf("%s: killed by signal %v (peak memory %d MiB), want exit %d", name, ws.Signal(), rss>>20, tt.exit)
			continue
		}
		if code := ws.ExitStatus(); code != tt.exit {
			t.Errorf("%s: exit %d, want %d; stderr:\n%.600s", name, code, tt.exit, msg)
		}
		if strings.Contains(msg, "fatal error") || strings.Contains(msg, "goroutine ") {
			t.Errorf("%s: the Go runtime failed:\n%.600s", name, msg)
		}
		if tt.want != "" && (strings.Count(strings.TrimSpace(msg), "\n") != 0 || !strings.Contains(msg, tt.want)) {
			t.Errorf("%s: stderr %q, want one line naming %s", name, msg, tt.want)
		}
		if rss > 256<<20 {
			t.Errorf("%s: peak memory %d MiB, want at most 256 MiB", name, rss>>20)
		}
	}
}
