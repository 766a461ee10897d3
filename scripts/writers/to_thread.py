#!/usr/bin/env python3
"""asyncio.to_thread per file: each file is written by a plain blocking
function in CHUNK-byte writes on the default thread pool, all files
gathered (the pool bounds the concurrency). --loop uvloop runs the loop on
uvloop."""
import asyncio

import wbproto


def write_file(req, i):
    data = req.data(i)
    with open(req.path(i), "wb", buffering=0) as f:
        for part in wbproto.records(data, req.chunk):
            f.write(part)
        return wbproto.sync_file(f.fileno(), req.sync)


async def write(req):
    return sum(await asyncio.gather(*(asyncio.to_thread(write_file, req, i) for i in range(req.files))))


wbproto.serve(write, "asyncio.to_thread per file, CHUNK-byte writes")
