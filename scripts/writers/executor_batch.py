#!/usr/bin/env python3
"""loop.run_in_executor with one batched call: the whole batch of files is
written by one blocking function in one worker thread, in CHUNK-byte
writes (the advice's "batch many writes into one offloaded call")."""
import asyncio
import concurrent.futures

import wbproto

pool = concurrent.futures.ThreadPoolExecutor(max_workers=1)


def write_all(req):
    synced = 0.0
    for i in range(req.files):
        data = req.data(i)
        with open(req.path(i), "wb", buffering=0) as f:
            for part in wbproto.records(data, req.chunk):
                f.write(part)
            synced += wbproto.sync_file(f.fileno(), req.sync)
    return synced


async def write(req):
    return await asyncio.get_running_loop().run_in_executor(pool, write_all, req)


# Start the worker thread outside the timing.
pool.submit(lambda: None).result()
wbproto.serve(write, "one run_in_executor call per batch, CHUNK-byte writes")
