#!/usr/bin/env python3
"""aiofiles.open(path, 'wb', buffering=0): every record is one write(2),
offloaded to a thread by aiofiles (claim 1: one syscall per write)."""
import wbproto

try:
    import aiofiles
except ImportError as e:
    wbproto.skip_missing("aiofiles", "python3-aiofiles", e)


async def write(req):
    synced = 0.0
    for i in range(req.files):
        data = req.data(i)
        async with aiofiles.open(req.path(i), "wb", buffering=0) as f:
            for rec in wbproto.records(data, req.record):
                await f.write(rec)
            if req.sync in ("close", "data"):
                synced += wbproto.sync_file(f.fileno(), req.sync)
    return synced


wbproto.serve(write, "aiofiles buffering=0, one await per record")
