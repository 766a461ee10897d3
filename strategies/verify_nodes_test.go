package strategies_test

import (
	"context"
	"net"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/writebench/writebench/strategies"
)

// TestVerifyRefusesNonRegular plants, where a strategy should have written
// a file, what a hostile or broken external writer can make: a real FIFO
// (no writer: a blocking open waits for ever), a symlink to /dev/zero (an
// endless read), a listening Unix socket, a directory, and a batch
// directory that is itself a FIFO. Verify (and VerifyRecords' reader) must
// report each as not a regular file, by kind, and never block.
func TestVerifyRefusesNonRegular(t *testing.T) {
	cases := []struct {
		name string
		make func(t *testing.T, path string)
		want string
	}{
		{"fifo", func(t *testing.T, p string) { mkfifo(t, p) }, "a FIFO"},
		{"symlink to /dev/zero", func(t *testing.T, p string) {
			if err := os.Symlink("/dev/zero", p); err != nil {
				t.Fatal(err)
			}
		}, "a symbolic link"},
		{"socket", func(t *testing.T, p string) {
			l, err := net.Listen("unix", p)
			if err != nil {
				t.Skipf("skipped: cannot make a Unix socket here: %v", err)
			}
			t.Cleanup(func() { l.Close() })
		}, "a socket"},
		{"directory", func(t *testing.T, p string) {
			if err := os.Mkdir(p, 0o755); err != nil {
				t.Fatal(err)
			}
		}, "a directory"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Under /tmp: a socket path must be short.
			dir, err := os.MkdirTemp("", "wbv")
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { os.RemoveAll(dir) })
			b := &strategies.Batch{Dir: dir, Files: 1, Size: 4096, Content: strategies.NewContent(1)}
			c.make(t, b.Path(0))
			err = noHang(t, func() error { return strategies.Verify(context.Background(), b) })
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("Verify = %v, want an error naming %q", err, c.want)
			}
			f, _, err := strategies.OpenRegular(b.Path(0))
			if f != nil {
				f.Close()
			}
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("OpenRegular = %v, want an error naming %q", err, c.want)
			}
		})
	}
	t.Run("batch directory is a fifo", func(t *testing.T) {
		dir := filepath.Join(t.TempDir(), "l0")
		mkfifo(t, dir)
		b := &strategies.Batch{Dir: dir, Files: 1, Size: 4096, Content: strategies.NewContent(1)}
		if err := noHang(t, func() error { return strategies.Verify(context.Background(), b) }); err == nil {
			t.Error("Verify of a FIFO as the batch directory succeeded")
		}
	})
}

func mkfifo(t *testing.T, path string) {
	t.Helper()
	if err := syscall.Mkfifo(path, 0o644); err != nil {
		t.Skipf("skipped: mkfifo: %v", err)
	}
}

// noHang runs fn and fails the test if it has not returned after a minute
// (a hang guard, not a measurement: fn must not block at all).
func noHang(t *testing.T, fn func() error) error {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- fn() }()
	select {
	case err := <-done:
		return err
	case <-time.After(time.Minute):
		t.Fatal("blocked: still waiting after a minute")
		return nil
	}
}
