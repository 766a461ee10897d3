//go:build !linux

package resultset

import (
	"io/fs"
	"os"
	"syscall"
)

func checkReplaceable(path, real string, st fs.FileInfo, euid int) error { return nil }

func trustLink(path, link string, st fs.FileInfo, euid int) error { return nil }

func keepOwner(f *os.File, st fs.FileInfo) {}

func newFileMode() fs.FileMode {
	m := syscall.Umask(0o22)
	syscall.Umask(m)
	return fs.FileMode(0o666 &^ m)
}

func renameNoReplace(from, to string) error {
	if err := os.Link(from, to); err != nil {
		return err
	}
	return os.Remove(from)
}

func lockDir(dir string) func() { return func() {} }
