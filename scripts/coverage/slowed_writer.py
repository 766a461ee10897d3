#!/usr/bin/env python3
"""A writebench external writer (docs/protocol.md) made slower by a known
fraction, for measuring interval coverage (scripts/coverage.sh): it writes
each file with one buffered write, then spins for FRACTION of the time that
took. `slowed_writer.py 0` is the unslowed baseline."""
import os
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "writers"))
import wbproto  # noqa: E402

FRACTION = float(sys.argv[1]) if len(sys.argv) > 1 else 0.0


def write(req):
    t0 = time.perf_counter()
    synced = 0.0
    for i in range(req.files):
        with open(req.path(i), "wb") as f:
            f.write(req.data(i))
            f.flush()
            if req.sync in ("close", "data"):
                synced += wbproto.sync_file(f.fileno(), req.sync)
    until = time.perf_counter() + FRACTION * (time.perf_counter() - t0)
    while time.perf_counter() < until:
        pass
    return synced


wbproto.serve(write, "one buffered write per file, slowed by %g" % FRACTION)
