//go:build !unix

package strategies

import "os"

// syncShared is fsync; there is no fdatasync here.
func syncShared(f *os.File, dataOnly bool) error { return f.Sync() }
