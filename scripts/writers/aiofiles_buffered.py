#!/usr/bin/env python3
"""aiofiles.open(path, 'wb') with Python's default buffer: every record
is still one await, offloaded to a thread by aiofiles, but the writes reach
the kernel through the buffer (claims 1 and 2)."""
import wbproto

try:
    import aiofiles
except ImportError as e:
    wbproto.skip_missing("aiofiles", "python3-aiofiles", e)


async def write(req):
    synced = 0.0
    for i in range(req.files):
        data = req.data(i)
        async with aiofiles.open(req.path(i), "wb") as f:
            for rec in wbproto.records(data, req.record):
                await f.write(rec)
            await f.flush()
            if req.sync in ("close", "data"):
                synced += wbproto.sync_file(f.fileno(), req.sync)
    return synced


wbproto.serve(write, "aiofiles default buffer, one await per record")
