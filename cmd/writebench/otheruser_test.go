package main

import (
	"os"
	"path/filepath"
	"testing"
)

// otherUserDir makes a directory outside t.TempDir() (whose parent only
// root may enter) with the given mode, so that a child run as another
// user can reach it; the test's cleanup removes it.
func otherUserDir(t *testing.T, prefix string, mode os.FileMode) string {
	t.Helper()
	d, err := os.MkdirTemp("", prefix)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(d) })
	if err := os.Chmod(d, mode); err != nil {
		t.Fatal(err)
	}
	return d
}

// copyTestBinary copies this test binary into dir (as wb.test, mode 0755)
// so that another user can execute it, and returns its path.
func copyTestBinary(t *testing.T, dir string) string {
	t.Helper()
	self, err := os.ReadFile(os.Args[0])
	if err != nil {
		t.Fatal(err)
	}
	bin := filepath.Join(dir, "wb.test")
	if err := os.WriteFile(bin, self, 0o755); err != nil {
		t.Fatal(err)
	}
	return bin
}
