package strategies

import "context"

// chunked models the "write large content in chunks" advice (claim 3): the
// file goes to the kernel in Params.Chunk-byte writes (64 KiB by default),
// so neither the syscall count nor the buffer grows with the file.
var chunkedWriter = &fileWriter{
	knobs: []string{"chunk", "prealloc"},
	body: func(ctx context.Context, b *Batch, i int, f *file, w *worker) error {
		return writePieces(ctx, f, b, i, w, min(b.Params.Chunk, w.buf.Cap()))
	},
}

func init() {
	registerWriter("chunked", "the file in {chunk} sized writes (default 64KiB), the write-in-chunks advice", chunkedWriter)
}
