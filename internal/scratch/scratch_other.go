//go:build !(linux || darwin)

package scratch

import (
	"errors"
	"io"
	"os"
	"path/filepath"
)

// ReadMarker reads dir's marker file when it is a regular file of at most
// maxMarker bytes (see scratch_unix.go).
func ReadMarker(dir string) ([]byte, error) {
	p := filepath.Join(dir, Marker)
	st, err := os.Lstat(p)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() || st.Size() > maxMarker {
		return nil, errors.New("not a writebench scratch marker")
	}
	f, err := os.Open(p)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(io.LimitReader(f, maxMarker))
}
