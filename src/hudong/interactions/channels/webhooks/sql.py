"""Plain-SQL helpers for the hot paths: Django's ``__in`` lookup prepares each of a thousand
values through the field, which cost the bulk path more than the query itself."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.db import connection, models

CHUNK = 2000
# SQLite's page cache of the worker's connection, in KiB (SQLite's default is 2 MiB). A run of
# a thousand events reads and dirties a few thousand pages of the indexes of million-row
# tables; with the default cache most are read again from the operating system, and dirty
# pages spill to the log before the commit. Measured on the demo database of 1,000,000
# customers: 8% faster per event (docs/benchmarks.md, "Inbound webhooks").
CACHE_KIB = 128 * 1024


def table(model: type[models.Model]) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def select_in(sql: str, head: Sequence[Any], values: Sequence[Any]) -> list[tuple[Any, ...]]:
    """Rows of ``sql`` (whose ``{marks}`` becomes the placeholders of a chunk of ``values``,
    after the parameters ``head``), over every chunk of ``values``."""
    out: list[tuple[Any, ...]] = []
    with connection.cursor() as cursor:
        for start in range(0, len(values), CHUNK):
            part = list(values[start : start + CHUNK])
            cursor.execute(sql.format(marks=", ".join(["%s"] * len(part))), [*head, *part])
            out += cursor.fetchall()
    return out


def marks(n: int) -> str:
    return ", ".join(["%s"] * n)


def as_text(column: str) -> str:
    """``column`` (a date-time) as a select expression read without the driver's converter: on
    SQLite Django parses every date-time it fetches with a regular expression, which cost more
    than the rows of conversations the bulk path reads and mostly discards; :func:`when` turns
    the few it keeps into date-times (the text is ISO 8601, which ``fromisoformat`` reads)."""
    return f"({column} || '')" if connection.vendor == "sqlite" else column


def when(value: Any) -> dt.datetime:
    """A date-time column read with plain SQL, as the ORM would return it (aware, UTC)."""
    if isinstance(value, str):
        value = dt.datetime.fromisoformat(value)
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value  # type: ignore[no-any-return]


def db_time(value: dt.datetime) -> Any:
    """A date-time as a parameter of plain SQL."""
    return models.DateTimeField().get_db_prep_value(value, connection)


def roomy_cache() -> None:
    """Give this connection (the worker's) a page cache that holds a run's pages; SQLite takes
    the memory only as pages are used. Other databases manage their own buffers."""
    if connection.vendor != "sqlite":
        return
    kib = int(getattr(settings, "HUDONG_WEBHOOK_CACHE_KIB", CACHE_KIB))
    with connection.cursor() as cursor:
        cursor.execute(f"PRAGMA cache_size = -{kib}")
