//go:build !linux

package strategies

import "context"

type vecState struct{}

var writevWriter = &fileWriter{
	knobs: []string{"record", "batch", "prealloc"},
	body: func(ctx context.Context, b *Batch, i int, f *file, w *worker) error {
		if err := checkBatch(b.Params.Batch); err != nil {
			return err
		}
		return Skip("writev is implemented for Linux only")
	},
}

func init() { registerWriter("writev", writevDesc+" (Linux only)", writevWriter) }
