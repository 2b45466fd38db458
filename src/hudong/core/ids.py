"""Identifiers that suit the database's indexes."""

from __future__ import annotations

import os
import time
import uuid


def time_ordered_uuid() -> uuid.UUID:
    """A version 7 UUID (RFC 9562): the Unix time in milliseconds, then 74 random bits.

    A bulk write inserts its events' ids into the primary-key index together. Random (version
    4) ids land each on another page of that index, so a thousand events dirtied about a
    thousand pages that the commit writes and SQLite's checkpoint copies again; ids that
    grow with time go to the end of the index, a handful of pages. Still unique and still a
    UUID; Python has ``uuid.uuid7`` only from 3.14."""
    ms = time.time_ns() // 1_000_000
    raw = bytearray(ms.to_bytes(6, "big") + os.urandom(10))
    raw[6] = (raw[6] & 0x0F) | 0x70  # version 7
    raw[8] = (raw[8] & 0x3F) | 0x80  # the RFC's variant
    return uuid.UUID(bytes=bytes(raw))
