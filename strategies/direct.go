package strategies

import "context"

// direct writes each file with O_DIRECT (Linux): the data goes from an
// aligned user buffer to the device without the page cache, in
// Params.Chunk-byte writes rounded down to the file system's direct-I/O
// alignment. The last partial block is written as a whole aligned block
// and the file is cut back to its size with ftruncate(2). See
// docs/strategies.md.
type directStrategy struct{}

func (directStrategy) Name() string { return "direct" }
func (directStrategy) Describe() string {
	return "O_DIRECT: aligned {chunk} writes that bypass the page cache, last block padded then ftruncate"
}
func (directStrategy) Knobs() []string { return []string{"chunk", "prealloc"} }
func (directStrategy) Write(ctx context.Context, b *Batch) error {
	if reason := directRefusesFlags(b.Params.Sync); reason != "" {
		return &SkipError{Reason: reason}
	}
	return writeDirect(ctx, b)
}

func (directStrategy) RefusesFlags(_ string, m SyncMode) string { return directRefusesFlags(m) }

// directRefusesFlags is direct's skip reason for --sync uncached: O_DIRECT
// writes do not go through the page cache, so RWF_DONTCACHE has nothing to
// drop. RWF_DSYNC (--sync dsync) is passed with every write.
func directRefusesFlags(m SyncMode) string {
	if m != SyncUncached {
		return ""
	}
	return "{sync} uncached: O_DIRECT writes bypass the page cache already; RWF_DONTCACHE does not apply to them"
}

func init() { Register(directStrategy{}) }
