//go:build !unix

package strategies

import (
	"context"
	"errors"
	"fmt"
)

var mmapWriter = &fileWriter{
	knobs: []string{"chunk"},
	body: func(ctx context.Context, b *Batch, i int, f *file, w *worker) error {
		return fmt.Errorf("mmap: %w on this OS", errors.ErrUnsupported)
	},
}

func init() {
	registerWriter("mmap", "ftruncate, mmap MAP_SHARED, copy, munmap (unsupported on this OS)", mmapWriter)
}
