"""Urgent writes first: a ringing call does not queue behind bulk ingest for SQLite's lock.

SQLite has one write lock per database. A writer that finds it taken sleeps in SQLite's busy
handler at growing intervals (1, 2, 5, 10 … up to 100 ms) and tries again. The webhook group
committer and the worker begin their next transaction the moment they commit, so a waiter keeps
missing the free moment: under single-event ingest a ringing call waited up to 1.4 s for the
lock, while the pop itself takes 20 ms (docs/benchmarks.md, "Screen pop under load").

So a writer whose wait a person sees announces itself. :func:`urgent` holds a shared ``flock``
on a file next to the database while it begins and runs its transaction. The bulk writers (the
group committer, the worker's processing runs) call :func:`give_way` before each transaction
they begin. While an urgent writer is announced they wait, at most :data:`MAX_WAIT` seconds so
that a stuck holder cannot stop ingest, and begin only after it. The urgent writer then takes
the lock at its busy handler's next try, behind at most the one group already in flight.

``flock`` locks belong to an open file, so they order threads of one process as well as
processes, and the kernel drops them when a process dies. Nothing is skipped or weakened: the
bulk writers commit exactly what they did before, a moment later. On PostgreSQL (row locks,
no single write lock) and on an in-memory database both are no-ops.
"""

from __future__ import annotations

import fcntl
import logging
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections

log = logging.getLogger(__name__)
SUFFIX = "-priority"
MAX_WAIT = 2.0  # seconds a bulk writer waits at most for the urgent writers announced
POLL = 0.001  # seconds between two looks while an urgent writer is announced

_local = threading.local()


def gate_path(using: str = "default") -> str | None:
    """The gate file of database ``using``; None where there is nothing to order."""
    connection = connections[using]
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict.get("NAME") or "")
    if not name or name == ":memory:" or "mode=memory" in name or name.startswith("file:"):
        return None
    return name + SUFFIX


def _open(path: str) -> int:
    return os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)


@contextmanager
def urgent(using: str = "default", *, path: str | None = None) -> Iterator[None]:
    """Hold the block's write transaction ahead of the bulk writers (see the module)."""
    path = path or gate_path(using)
    if path is None:
        yield
        return
    try:
        fd = _open(path)  # an open file of its own: the lock must not be shared with a thread
    except OSError:  # no gate where it cannot be created: the write goes the old way
        log.warning("write priority: cannot open %s", path)
        yield
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_SH)
        yield
    finally:
        os.close(fd)  # closing the file releases the lock


def _gate_fd(path: str) -> int:
    """This thread's open gate file (kept open: a bulk writer looks before every group)."""
    fds: dict[str, int] = _local.__dict__.setdefault("fds", {})
    if path not in fds:
        fds[path] = _open(path)
    return fds[path]


def give_way(
    using: str = "default", *, path: str | None = None, max_wait: float = MAX_WAIT
) -> float:
    """Wait while an urgent writer is announced (at most ``max_wait`` seconds); returns the
    seconds waited. One non-blocking ``flock`` when nobody is waiting."""
    path = path or gate_path(using)
    if path is None:
        return 0.0
    try:
        fd = _gate_fd(path)
    except OSError:
        return 0.0
    started = time.monotonic()
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            waited = time.monotonic() - started
            if waited >= max_wait:
                return waited
            time.sleep(POLL)
            continue
        fcntl.flock(fd, fcntl.LOCK_UN)
        return time.monotonic() - started
