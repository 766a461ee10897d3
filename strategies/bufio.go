package strategies

import (
	"bufio"
	"context"
)

// bufio models open(..., buffering=8192) and Go's bufio.Writer: the
// application still writes Params.Record-byte records, but they collect in
// a Params.Buffer-byte buffer and reach the kernel one full buffer at a time.
var bufioWriter = &fileWriter{
	knobs: []string{"record", "buffer", "prealloc"},
	body: func(ctx context.Context, b *Batch, i int, f *file, w *worker) error {
		if w.bw == nil || w.bw.Size() != b.Params.Buffer {
			w.bw = bufio.NewWriterSize(f, b.Params.Buffer)
		} else {
			w.bw.Reset(f)
		}
		defer w.bw.Reset(nil) // drop the reference to f
		if err := writePieces(ctx, w.bw, b, i, w, b.Params.Record); err != nil {
			return err
		}
		return w.bw.Flush()
	},
}

func init() {
	registerWriter("bufio", "{record} writes through a {buffer} bufio.Writer, like open(..., buffering=8192)", bufioWriter)
}
