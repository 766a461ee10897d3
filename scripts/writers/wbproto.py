"""writebench's external-writer protocol for Python writers (stdlib only).

A writer script calls serve(write) where write(req) writes req.files files
of req.size bytes into req.dir with the content of scripts/content.py and
returns the seconds it spent in fsync/fdatasync (or None). write may be a
coroutine function: it then runs on one event loop made at start-up
(asyncio's, or uvloop's with --loop uvloop), outside the timing.

The protocol (docs/protocol.md): print "ready" once set up (or "skip
REASON" and exit when something is missing); then for each request line
"write<TAB>key=value<TAB>..." on stdin write the files and print "ok
[sync_seconds=S]", "error MESSAGE" or "skip REASON"; exit at end of input.
"""

import asyncio
import os
import sys
import time
import traceback

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import content  # noqa: E402  (scripts/content.py)

SUPPORTED_SYNC = ("none", "close", "data", "end")
# The protocol's own text fields; every other field whose value is a
# decimal number is an int, so a new numeric knob needs no change here.
TEXT_FIELDS = ("strategy", "dir", "pattern", "prefix")


class Request:
    """One write request; fields as attributes (ints where numeric)."""

    def __init__(self, line):
        parts = line.rstrip("\n").split("\t")
        if parts[0] != "write":
            raise ValueError("not a write request: %r" % line[:80])
        self.fields = {}
        for kv in parts[1:]:
            k, _, v = kv.partition("=")
            numeric = v.isascii() and v.isdigit() and k not in TEXT_FIELDS
            self.fields[k] = int(v) if numeric else v
        self.prefix = ""  # absent from requests without --shared-dir
        for k, v in self.fields.items():
            setattr(self, k, v)
        if "/" in self.prefix or "\0" in self.prefix:
            raise ValueError("prefix %r holds '/' or NUL" % self.prefix)
        self.content = content.Content(self.fields.get("seed", 1))

    def data(self, i):
        """The bytes of file i (see file_data)."""
        return file_data(self.content, i, self.size)

    def path(self, i):
        """Path of file i: dir/<prefix>f<i zero-padded to width digits>."""
        return "%s/%sf%0*d" % (self.dir, self.prefix, self.width, i)


# Content of files already generated, by (seed, file, size): every
# repetition of a cell writes the same files, so the warm-up repetition
# generates them and the counted ones time the writes, not Python's content
# generator (Go's costs a header stamp per 4 KiB block). Bounded by
# CACHE_BYTES; beyond it content is generated inside the timing.
CACHE_BYTES = 1 << 30
_cache = {}
_cached_bytes = 0


def file_data(c, i, size):
    global _cached_bytes
    key = (c.seed, i, size)
    d = _cache.get(key)
    if d is None:
        d = c.file_bytes(i, size)
        if _cached_bytes + size > CACHE_BYTES:
            _cache.clear()
            _cached_bytes = 0
        if size <= CACHE_BYTES:
            _cache[key] = d
            _cached_bytes += size
    return d


def reply(line):
    sys.stdout.write(line.replace("\n", " | ") + "\n")
    sys.stdout.flush()


def skip_startup(reason):
    """Tell writebench this writer cannot run here (a missing module) and exit."""
    reply("skip " + reason)
    sys.exit(0)


def skip_missing(module, package, err):
    """Skip at start-up because module cannot be imported, naming the fix."""
    skip_startup("module %s missing for %s (%s): install it with 'apt-get install -y %s' (scripts/setup-python.sh), "
                 "which serves /usr/bin/python3, or pip for this interpreter" % (module, sys.executable, err, package))


def sync_file(fd, mode):
    """fsync/fdatasync fd as the sync mode asks; returns seconds spent."""
    if mode == "close":
        t = time.perf_counter()
        os.fsync(fd)
        return time.perf_counter() - t
    if mode == "data":
        t = time.perf_counter()
        os.fdatasync(fd)
        return time.perf_counter() - t
    return 0.0


def records(data, size):
    """Memoryview slices of data of at most size bytes each."""
    mv = memoryview(data)
    return [mv[o:o + size] for o in range(0, len(data), size)] or [mv[:0]]


def serve(write, description="python writer"):
    loop_kind = "asyncio"
    if "--loop" in sys.argv:
        loop_kind = sys.argv[sys.argv.index("--loop") + 1]
    loop = None
    if asyncio.iscoroutinefunction(write):
        if loop_kind == "uvloop":
            try:
                import uvloop
            except ImportError as e:
                skip_missing("uvloop", "python3-uvloop", e)
            loop = uvloop.new_event_loop()
        else:
            loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
    reply("ready %s (python %s, loop %s)" % (description, sys.version.split()[0], loop_kind if loop else "none"))
    for line in sys.stdin:
        if not line.strip() or line.startswith("#"):
            continue
        try:
            req = Request(line)
        except Exception as e:  # a bad request is the parent's bug: say so
            reply("error bad request: %s" % e)
            continue
        if req.sync not in SUPPORTED_SYNC:
            reply("skip sync mode %s is not implemented by this Python writer (it supports %s)"
                  % (req.sync, ", ".join(SUPPORTED_SYNC)))
            continue
        if req.prealloc != "none":
            reply("skip preallocation %s is not implemented by this Python writer" % req.prealloc)
            continue
        try:
            if loop is not None:
                s = loop.run_until_complete(write(req))
            else:
                s = write(req)
        except Exception as e:
            reply("error %s: %s" % (type(e).__name__, e))
            traceback.print_exc(file=sys.stderr)
            continue
        if s:
            reply("ok sync_seconds=%.9f" % s)
        else:
            reply("ok")
