#!/usr/bin/env python3
"""Plain synchronous open(path, 'wb', buffering=BUFFER) (8192 by default),
one write() per record: the advice's fix for small writes (claims 1, 2)."""
import wbproto


def write(req):
    synced = 0.0
    for i in range(req.files):
        data = req.data(i)
        with open(req.path(i), "wb", buffering=req.buffer) as f:
            for rec in wbproto.records(data, req.record):
                f.write(rec)
            f.flush()
            if req.sync in ("close", "data"):
                synced += wbproto.sync_file(f.fileno(), req.sync)
    return synced


wbproto.serve(write, "open(buffering=BUFFER), one write per record")
