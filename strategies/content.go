package strategies

import (
	"fmt"
	"strconv"
)

// Content layout. Every file is a sequence of BlockSize-byte blocks (the
// last one cut short). Each block starts with a HeaderSize-byte ASCII header
//
//	"WB" + 8 hex digits of the file index + "@" + 12 hex digits of the block index + "\n"
//
// followed by a fixed pseudo-random body with no zero byte. So every block
// names its file and offset: a write to the wrong file or offset, two files
// swapped, overlapping or torn writes, short files and stale or zero bytes
// all differ from the expected content somewhere.
const (
	BlockSize  = 4096
	HeaderSize = 24
)

// Content generates the deterministic bytes of every file. It is safe for
// concurrent use; each goroutine needs its own Buffer.
type Content struct {
	block [BlockSize]byte // body pattern; header bytes are stamped per block
	seed  uint64
}

// NewContent returns the generator for seed. The same seed always yields
// the same bytes.
func NewContent(seed uint64) *Content {
	c := &Content{seed: seed}
	x := seed ^ 0x9E3779B97F4A7C15
	for i := range c.block {
		// splitmix64, one byte per step, mapped away from zero.
		x += 0x9E3779B97F4A7C15
		z := x
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
		z = (z ^ (z >> 27)) * 0x94D049BB133111EB
		z ^= z >> 31
		c.block[i] = byte(z%255) + 1
	}
	return c
}

// Seed returns the seed c was made from, so a writer in another process
// (strategies/external) can generate the same bytes.
func (c *Content) Seed() uint64 { return c.seed }

// Buffer is a reusable window of content. Bytes returns any range of up to
// the Buffer's size at the cost of stamping the headers of the blocks it
// covers, and only those whose header is not already the right one: the body
// bytes never move. A Buffer must not be shared between goroutines, and a
// slice it returned is valid until the next call.
type Buffer struct {
	buf []byte // pattern repeated; len = (blocks(n)+1)*BlockSize
	max int
	// tags[k] is the (file, block) whose header block k of buf holds, so
	// the records of one block (unbuffered, bufio) stamp it once.
	tags []tag
	// hexFile is the 8 hex digits of file index hexFor.
	hexFor  int
	hexFile [8]byte
}

type tag struct {
	file int
	blk  int64
}

// NewBuffer returns a Buffer that can serve up to n bytes per call.
func (c *Content) NewBuffer(n int) *Buffer {
	if n < 1 {
		n = 1
	}
	blocks := (n+BlockSize-1)/BlockSize + 1
	buf := make([]byte, blocks*BlockSize)
	tags := make([]tag, blocks)
	for i := 0; i < blocks; i++ {
		copy(buf[i*BlockSize:], c.block[:])
		tags[i] = tag{file: -1}
	}
	return &Buffer{buf: buf, max: n, tags: tags, hexFor: -1}
}

// Cap is the largest n Bytes accepts.
func (b *Buffer) Cap() int { return b.max }

// Bytes returns the n bytes of file's content starting at offset off. n must
// be at most Cap.
func (b *Buffer) Bytes(file int, off int64, n int) []byte {
	if n > b.max {
		panic("strategies: Buffer.Bytes: n " + strconv.Itoa(n) + " > cap " + strconv.Itoa(b.max))
	}
	ph := int(off % BlockSize)
	blk := off / BlockSize
	if file != b.hexFor {
		b.hexFor = file
		putHex(b.hexFile[:], uint64(uint32(file)))
	}
	for k := 0; k*BlockSize < ph+n; k++ {
		t := tag{file, blk + int64(k)}
		if b.tags[k] == t {
			continue
		}
		b.tags[k] = t
		writeHeader(b.buf[k*BlockSize:], &b.hexFile, t.blk)
	}
	return b.buf[ph : ph+n]
}

const hexDigits = "0123456789abcdef"

// hexPairs[2*v : 2*v+2] is the two hex digits of the byte v.
var hexPairs = func() (t [512]byte) {
	for v := range 256 {
		t[2*v], t[2*v+1] = hexDigits[v>>4], hexDigits[v&15]
	}
	return t
}()

// putHex writes the low 4*len(p) bits of v as len(p) lower-case hex
// digits; len(p) is even.
func putHex(p []byte, v uint64) {
	for i := len(p) - 2; i >= 0; i -= 2 {
		b := int(v&0xff) * 2
		p[i], p[i+1] = hexPairs[b], hexPairs[b+1]
		v >>= 8
	}
}

// writeHeader writes the header of block blk of the file whose index, in
// hex, is fileHex.
func writeHeader(p []byte, fileHex *[8]byte, blk int64) {
	_ = p[HeaderSize-1]
	p[0], p[1] = 'W', 'B'
	copy(p[2:10], fileHex[:])
	p[10] = '@'
	putHex(p[11:23], uint64(blk))
	p[23] = '\n'
}

func stampHeader(p []byte, file int, blk int64) {
	var h [8]byte
	putHex(h[:], uint64(uint32(file)))
	writeHeader(p, &h, blk)
}

// Expected fills dst with file's content starting at off (a copy, for
// verifiers and tests).
func (c *Content) Expected(dst []byte, file int, off int64) {
	var hdr [HeaderSize]byte
	for len(dst) > 0 {
		ph := int(off % BlockSize)
		n := copy(dst, c.block[ph:])
		if ph < HeaderSize {
			stampHeader(hdr[:], file, off/BlockSize)
			copy(dst[:n], hdr[ph:])
		}
		dst = dst[n:]
		off += int64(n)
	}
}

// ParseHeader decodes a block header; ok is false when p does not hold one.
func ParseHeader(p []byte) (file int, blk int64, ok bool) {
	if len(p) < HeaderSize || p[0] != 'W' || p[1] != 'B' || p[10] != '@' || p[23] != '\n' {
		return 0, 0, false
	}
	f, err1 := strconv.ParseUint(string(p[2:10]), 16, 32)
	b, err2 := strconv.ParseUint(string(p[11:23]), 16, 48)
	if err1 != nil || err2 != nil {
		return 0, 0, false
	}
	return int(f), int64(b), true
}

// DescribeBlock says what the block header at the start of p claims, for
// error messages: "block of file 3 at offset 8192" or "no block header".
func DescribeBlock(p []byte) string {
	if f, b, ok := ParseHeader(p); ok {
		return fmt.Sprintf("block header of file %d at offset %d", f, b*BlockSize)
	}
	return "no valid block header"
}
