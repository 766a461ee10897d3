//go:build !linux

package strategies

import (
	"context"
	"runtime"
)

// writeDirect skips: O_DIRECT and its alignment rules are implemented for
// Linux only (macOS has F_NOCACHE instead, with other semantics).
func writeDirect(ctx context.Context, b *Batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return Skip("O_DIRECT writes are implemented for Linux only (this is %s)", runtime.GOOS)
}

// DirectAlignment is what O_DIRECT requires of writes to one file system
// (see the Linux implementation).
type DirectAlignment struct {
	Bytes  int
	Source string
}

// ProbeDirectAlignment skips: direct writes are implemented for Linux only.
func ProbeDirectAlignment(dir string) (DirectAlignment, error) {
	return DirectAlignment{}, Skip("O_DIRECT writes are implemented for Linux only (this is %s)", runtime.GOOS)
}
