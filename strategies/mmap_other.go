//go:build !unix

package strategies

import (
	"context"
	"errors"
	"fmt"
)

var mmapWriter = &fileWriter{
	knobs:    []string{"chunk", "prealloc"},
	noWrites: "mmap stores into a shared mapping and makes no write(2) to pass them to",
	body: func(ctx context.Context, b *Batch, i int, f *file, w *worker) error {
		return fmt.Errorf("mmap: %w on this OS", errors.ErrUnsupported)
	},
}

func init() {
	registerWriter("mmap", "ftruncate, mmap MAP_SHARED, copy, munmap (unsupported on this OS)", mmapWriter)
}
