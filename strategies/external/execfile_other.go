//go:build !unix

package external

import (
	"fmt"
	"io"
	"os"
)

// readExecFile reads an exec file of at most MaxExecFile bytes that is a
// regular file (ownership is not checked on this system).
func readExecFile(path string) ([]byte, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file", path)
	}
	data, err := io.ReadAll(io.LimitReader(f, MaxExecFile+1))
	if err != nil {
		return nil, err
	}
	if len(data) > MaxExecFile {
		return nil, fmt.Errorf("%s is over %d bytes", path, MaxExecFile)
	}
	return data, nil
}
