#!/usr/bin/env python3
"""asyncio.gather over every file, bounded by asyncio.Semaphore(CONCURRENCY)
(10 by default), each file written with aiofiles in CHUNK-byte writes
(claim 5: bounded concurrency for many small files). --loop uvloop runs it
on uvloop's event loop."""
import asyncio

import wbproto

try:
    import aiofiles
except ImportError as e:
    wbproto.skip_missing("aiofiles", "python3-aiofiles", e)


async def one(req, sem, i):
    async with sem:
        data = req.data(i)
        async with aiofiles.open(req.path(i), "wb") as f:
            for part in wbproto.records(data, req.chunk):
                await f.write(part)
            await f.flush()
            if req.sync in ("close", "data"):
                return await asyncio.to_thread(wbproto.sync_file, f.fileno(), req.sync)
    return 0.0


async def write(req):
    sem = asyncio.Semaphore(req.concurrency)
    return sum(await asyncio.gather(*(one(req, sem, i) for i in range(req.files))))


wbproto.serve(write, "asyncio.gather under Semaphore(CONCURRENCY), aiofiles per file")
