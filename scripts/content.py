#!/usr/bin/env python3
"""Reference implementation of writebench's file content (stdlib only).

Every file is a sequence of 4096-byte blocks (the last one cut short). Each
block starts with a 24-byte ASCII header

    "WB" + 8 hex digits of the file index + "@" + 12 hex digits of the block index + "\\n"

followed by bytes 24..4095 of a fixed pseudo-random pattern (splitmix64, one
byte per step, mapped to 1..255) that depends only on the seed. This is the
same generator as strategies/content.go; a Go test (strategies/external)
checks that both produce the same bytes.

Use as a module:

    import content
    c = content.Content(seed=1)
    data = c.file_bytes(file_index, size)        # all bytes of one file
    c.write_file(f, file_index, size, chunk)     # write it in chunks to a binary file object

or from the command line: ``content.py SEED FILE_INDEX SIZE > path``
writes one file's content to stdout.
"""

import sys

BLOCK_SIZE = 4096
HEADER_SIZE = 24
_MASK = (1 << 64) - 1


def pattern(seed):
    """The 4096-byte body pattern for seed (header bytes not yet stamped)."""
    out = bytearray(BLOCK_SIZE)
    x = (seed ^ 0x9E3779B97F4A7C15) & _MASK
    for i in range(BLOCK_SIZE):
        x = (x + 0x9E3779B97F4A7C15) & _MASK
        z = x
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & _MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & _MASK
        z ^= z >> 31
        out[i] = z % 255 + 1
    return bytes(out)


def header(file_index, block_index):
    """The 24-byte header of block block_index of file file_index."""
    return b"WB%08x@%012x\n" % (file_index & 0xFFFFFFFF, block_index)


class Content:
    """The content generator for one seed."""

    def __init__(self, seed=1):
        self.seed = seed
        self.body = pattern(seed)[HEADER_SIZE:]

    def block(self, file_index, block_index):
        """The full 4096-byte block block_index of file file_index."""
        return header(file_index, block_index) + self.body

    def file_bytes(self, file_index, size):
        """All size bytes of file file_index."""
        full, rest = divmod(size, BLOCK_SIZE)
        parts = [self.block(file_index, k) for k in range(full)]
        if rest:
            parts.append(self.block(file_index, full)[:rest])
        return b"".join(parts)

    def range_bytes(self, file_index, offset, n):
        """The n bytes of file file_index starting at offset."""
        first = offset // BLOCK_SIZE
        last = (offset + n + BLOCK_SIZE - 1) // BLOCK_SIZE
        data = b"".join(self.block(file_index, k) for k in range(first, last))
        start = offset - first * BLOCK_SIZE
        return data[start:start + n]


def main(argv):
    if len(argv) != 4:
        sys.stderr.write("usage: content.py SEED FILE_INDEX SIZE > file\n")
        return 2
    seed, index, size = int(argv[1]), int(argv[2]), int(argv[3])
    sys.stdout.buffer.write(Content(seed).file_bytes(index, size))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
