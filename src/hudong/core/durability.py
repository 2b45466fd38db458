"""Commits that need not wait for the disk.

A durable commit waits for an fsync: about 4 ms on the reference machine (SQLite WAL with
``synchronous=FULL``), against 0.007 ms without one (see docs/benchmarks.md). Writes that
promise durability (an acknowledged webhook, an import, a merge) pay it. A record that a
person looked at a customer need not: it becomes durable with the next durable commit or WAL
checkpoint, and only a power loss or an operating-system crash in between can lose it — never
an application crash, and it never corrupts the database. The screen pop writes one such row
on every call; paying an fsync for it made the disk, not the CPU, the limit of the call centre.

SQLite: ``PRAGMA synchronous=NORMAL`` for that one commit, then the connection's setting back.
PostgreSQL: ``SET LOCAL synchronous_commit = off`` (the standard asynchronous commit: at most a
few hundred milliseconds of such rows at risk). Inside an enclosing transaction nothing
changes: that transaction's own commit decides.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from django.db import connections, transaction


@contextmanager
def relaxed_commit(using: str = "default") -> Iterator[None]:
    """Run the block in a transaction whose commit does not wait for the disk."""
    connection = connections[using]
    if connection.in_atomic_block:
        yield
        return
    if connection.vendor == "sqlite":
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous")
            (previous,) = cursor.fetchone()
            cursor.execute("PRAGMA synchronous=NORMAL")
        try:
            with transaction.atomic(using=using):
                yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute(f"PRAGMA synchronous={int(previous)}")
        return
    with transaction.atomic(using=using):
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")
        yield
