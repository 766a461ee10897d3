#!/usr/bin/env python3
"""Python's mmap: create the file, ftruncate it to its size, map it shared
and copy the content in CHUNK-byte slices, then close (claim 4: mmap for
large files). Sync close/data msyncs the mapping (mmap.flush) and fsyncs."""
import mmap
import os
import time

import wbproto


def write(req):
    synced = 0.0
    for i in range(req.files):
        data = memoryview(req.data(i))
        fd = os.open(req.path(i), os.O_RDWR | os.O_CREAT | os.O_TRUNC, 0o644)
        try:
            if req.size > 0:
                os.ftruncate(fd, req.size)
                with mmap.mmap(fd, req.size, mmap.MAP_SHARED, mmap.PROT_WRITE | mmap.PROT_READ) as m:
                    for off in range(0, req.size, req.chunk):
                        m[off:off + req.chunk] = data[off:off + req.chunk]
                    if req.sync in ("close", "data"):
                        t = time.perf_counter()
                        m.flush()
                        synced += time.perf_counter() - t
            synced += wbproto.sync_file(fd, req.sync)
        finally:
            os.close(fd)
    return synced


wbproto.serve(write, "mmap + slice copies of CHUNK bytes")
