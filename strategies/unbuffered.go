package strategies

import "context"

// unbuffered models an unbuffered async file wrapper (aiofiles without
// buffering, a raw os.File): every application record of Params.Record bytes
// is its own write(2), however small. This is claim 1's slow case.
var unbufferedWriter = &fileWriter{
	knobs: []string{"record", "prealloc"},
	body: func(ctx context.Context, b *Batch, i int, f *file, w *worker) error {
		return writePieces(ctx, f, b, i, w, b.Params.Record)
	},
}

func init() {
	registerWriter("unbuffered", "one write(2) per {record} bytes, like an unbuffered async file wrapper", unbufferedWriter)
}
