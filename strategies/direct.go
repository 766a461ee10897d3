package strategies

import "context"

// direct writes each file with O_DIRECT (Linux): the data goes from an
// aligned user buffer to the device without the page cache, in
// Params.Chunk-byte writes rounded down to the file system's direct-I/O
// alignment. The last partial block is written as a whole aligned block
// and the file is cut back to its size with ftruncate(2). See
// docs/kernel-paths.md.
type directStrategy struct{}

func (directStrategy) Name() string { return "direct" }
func (directStrategy) Describe() string {
	return "O_DIRECT: aligned --chunk writes that bypass the page cache, last block padded then ftruncate"
}
func (directStrategy) Knobs() []string { return []string{"chunk", "prealloc"} }
func (directStrategy) Write(ctx context.Context, b *Batch) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	return writeDirect(ctx, b)
}

func init() { Register(directStrategy{}) }
