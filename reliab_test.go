//go:build linux

package writebench

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/writebench/writebench/internal/scratch"
)

// TestStaleScanPlantedMarkers plants, in a shared --dir, ScratchPrefix*
// directories whose marker is a FIFO (reading it would block for ever), a
// character device giving endless zeros, a symlink to that device, a
// symlink to a FIFO, a 1 MiB regular file, and a ScratchPrefix* symlink to a
// directory holding a valid stale marker; plus a real stale directory whose
// name holds terminal escape sequences and a newline. The run must finish,
// report only the real stale directory, with its name escaped, and leave
// every planted node as it was.
func TestStaleScanPlantedMarkers(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("skipped: mknod needs root")
	}
	dir := t.TempDir()
	other := t.TempDir()
	dead := strconv.Itoa(deadPID(t)) + "\n"
	mkd := func(name string) string {
		d := filepath.Join(dir, name)
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
		return filepath.Join(d, scratch.Marker)
	}
	if err := syscall.Mkfifo(mkd(ScratchPrefix+"fifo"), 0o644); err != nil {
		t.Fatal(err)
	}
	zero := mkd(ScratchPrefix + "zero")
	if err := syscall.Mknod(zero, syscall.S_IFCHR|0o666, 1<<8|5); err != nil { // /dev/zero
		t.Fatal(err)
	}
	os.Symlink(zero, mkd(ScratchPrefix+"link-zero"))
	os.Symlink("/dev/zero", mkd(ScratchPrefix+"link-devzero"))
	os.Symlink(filepath.Join(dir, ScratchPrefix+"fifo", scratch.Marker), mkd(ScratchPrefix+"link-fifo"))
	os.WriteFile(mkd(ScratchPrefix+"big"), bytes.Repeat([]byte("1"), 1<<20), 0o644)
	os.WriteFile(filepath.Join(other, scratch.Marker), []byte(dead), 0o644)
	os.Symlink(other, filepath.Join(dir, ScratchPrefix+"dirlink"))
	evil := ScratchPrefix + "\x1b[31mred\x1b]0;title\a\nnote: fake"
	os.WriteFile(mkd(evil), []byte(dead), 0o644)

	before := statSnapshot(t, dir)
	var log bytes.Buffer
	cfg := quick(dir, "chunked")
	cfg.Files, cfg.Sizes = []int{1}, []int64{4 << 10}
	cfg.Log = &log
	done := make(chan error, 1)
	go func() { _, err := Run(context.Background(), cfg); done <- err }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatal(err)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("the run hangs on a planted marker")
	}
	var lines []string // the notes (a warning that --dir is on tmpfs may come too)
	for _, l := range strings.Split(strings.TrimSpace(log.String()), "\n") {
		if !strings.HasPrefix(l, "warning: ") || !strings.Contains(l, "measures memory") {
			lines = append(lines, l)
		}
	}
	if len(lines) != 1 {
		t.Fatalf("log has %d lines, want one (the real stale directory):\n%q", len(lines), log.String())
	}
	want := ScratchPrefix + `\x1b[31mred\x1b]0;title\x07\nnote: fake`
	if !strings.Contains(lines[0], want) {
		t.Errorf("log %q does not name the directory escaped as %q", lines[0], want)
	}
	if strings.ContainsAny(log.String()[:len(log.String())-1], "\x1b\a") {
		t.Errorf("raw control characters reached the log: %q", log.String())
	}
	assertUnchanged(t, before, statSnapshot(t, dir))
}
