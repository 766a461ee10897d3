//go:build !linux

package strategies

import (
	"context"
	"runtime"
)

// writeURing skips: io_uring is a Linux interface.
func writeURing(ctx context.Context, b *Batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return Skip("io_uring is Linux only (this is %s)", runtime.GOOS)
}

// openURingSession skips: io_uring is a Linux interface.
func openURingSession(ctx context.Context, p Params) (Session, error) {
	return nil, Skip("io_uring is Linux only (this is %s)", runtime.GOOS)
}
