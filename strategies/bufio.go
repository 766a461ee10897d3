package strategies

import (
	"bufio"
	"context"
)

// bufio models open(..., buffering=8192) and Go's bufio.Writer: the
// application still writes Params.Record-byte records, but they collect in
// a Params.Buffer-byte buffer and reach the kernel one full buffer at a time.
var bufioWriter = &fileWriter{
	knobs: []string{"record", "buffer"},
	body: func(ctx context.Context, b *Batch, i int, f *file, w *worker) error {
		if w.bw == nil || w.bw.Size() != b.Params.Buffer {
			w.bw = bufio.NewWriterSize(f, b.Params.Buffer)
		} else {
			w.bw.Reset(f)
		}
		defer w.bw.Reset(nil) // drop the reference to f
		rec := int64(b.Params.Record)
		for off := int64(0); off < b.Size; off += rec {
			n := int(min(rec, b.Size-off))
			if _, err := w.bw.Write(w.buf.Bytes(i, off, n)); err != nil {
				return err
			}
			if err := w.tick(ctx, n); err != nil {
				return err
			}
		}
		return w.bw.Flush()
	},
}

func init() {
	fileWriters["bufio"] = *bufioWriter
	Register(&simple{
		name: "bufio",
		desc: "--record writes through a --buffer bufio.Writer, like open(..., buffering=8192)",
		fw:   bufioWriter,
	})
}
