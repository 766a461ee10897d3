//go:build !(linux || darwin)

package strategies

import (
	"os"
	"path/filepath"

	"github.com/writebench/writebench/internal/sysinfo"
)

func openDirNoFollow(path string) (*os.File, error) { return os.Open(path) }

func reopenDir(dir *os.File) (*os.File, error) { return os.Open(dir.Name()) }

func openFileIn(dir *os.File, name, path string) (*os.File, error) {
	return os.OpenFile(filepath.Join(dir.Name(), name), os.O_RDONLY|sysinfo.ONoFollow, 0)
}
