//go:build !unix

package strategies

import "os"

// oNoFollow is not available here; O_EXCL still refuses an existing path.
const oNoFollow = 0

// syncShared is fsync; there is no fdatasync here.
func syncShared(f *os.File, dataOnly bool) error { return f.Sync() }
