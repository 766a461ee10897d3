package strategies

// newAlignedBuffer is NewBuffer with the buffer's first byte aligned to
// align bytes (a power of two), for O_DIRECT, whose buffers must be aligned
// in memory, and for io_uring's registered buffers (page aligned, so a
// buffer pins no page it does not use). Bytes(file, off, n) returns a slice
// starting off%BlockSize bytes into the buffer, so for offsets that are
// multiples of align (when align <= BlockSize) or of BlockSize (when it is
// larger) the slice is aligned too.
func newAlignedBuffer(c *Content, n, align int) *Buffer {
	if n < 1 {
		n = 1
	}
	blocks := (n+BlockSize-1)/BlockSize + 1
	size := blocks * BlockSize
	raw := make([]byte, size+align)
	skip := 0
	if rem := int(uintptrOf(raw) % uintptr(align)); rem != 0 {
		skip = align - rem
	}
	buf := raw[skip : skip+size : skip+size]
	tags := make([]tag, blocks)
	for i := range blocks {
		copy(buf[i*BlockSize:], c.block[:])
		tags[i] = tag{file: -1}
	}
	return &Buffer{buf: buf, max: n, tags: tags, hexFor: -1}
}

// mem is the buffer's whole backing array (what io_uring registers).
func (b *Buffer) mem() []byte { return b.buf }
