package strategies

import "context"

// chunked models the "write large content in chunks" advice (claim 3): the
// file goes to the kernel in Params.Chunk-byte writes (64 KiB by default),
// so neither the syscall count nor the buffer grows with the file.
var chunkedWriter = &fileWriter{
	knobs: []string{"chunk"},
	body: func(ctx context.Context, b *Batch, i int, f *file, w *worker) error {
		chunk := int64(min(b.Params.Chunk, w.buf.Cap()))
		for off := int64(0); off < b.Size; off += chunk {
			n := int(min(chunk, b.Size-off))
			if _, err := f.Write(w.buf.Bytes(i, off, n)); err != nil {
				return err
			}
			if err := w.tick(ctx, n); err != nil {
				return err
			}
		}
		return nil
	},
}

func init() {
	fileWriters["chunked"] = *chunkedWriter
	Register(&simple{
		name: "chunked",
		desc: "the file in --chunk sized writes (default 64KiB), the write-in-chunks advice",
		fw:   chunkedWriter,
	})
}
