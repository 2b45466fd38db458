"""Insert many rows of one model in one statement per batch, and get their ids back.

On SQLite the ids are chosen here, above both the table's largest id and the AUTOINCREMENT
counter (so an id of a deleted row is never reused, exactly as the database would do), and
the rows go in with ``executemany``; the chunk's transaction holds SQLite's write lock
(``transaction_mode=IMMEDIATE``), so nobody else can take those ids meanwhile. Other databases
use ``bulk_create``, which returns the ids the database chose.

Like every bulk write this skips ``save()`` and its signals: callers write the audit rows.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import connection, models

BATCH = 2000


def _columns(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if not f.primary_key]


def _next_id(model: type[models.Model]) -> int:
    table = model._meta.db_table
    qn = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {qn(table)}")
        top = int(cursor.fetchone()[0])
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
    return max(top, int(row[0]) if row else 0) + 1


def _needs_prep(field: models.Field) -> models.Field | None:
    """Text and integers go in as they are; dates, times and decimals are prepared."""
    plain = isinstance(field, models.CharField | models.TextField | models.IntegerField)
    return None if plain and not isinstance(field, models.ForeignKey) else field


def _prepare(field: models.Field, column: list[Any]) -> list[Any]:
    """The field's database values, prepared once per distinct value object (rows share
    "now", the same default)."""
    out: list[Any] = []
    last: Any = object()
    prepared: Any = None
    for value in column:
        if value is None or isinstance(value, bool | int | str):
            out.append(value)
            continue
        if value is not last:
            last, prepared = value, field.get_db_prep_save(value, connection)
        out.append(prepared)
    return out


def insert(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> list[int]:
    """Write ``rows`` (field attname → value; missing fields take their default) and return
    their primary keys in order."""
    if not rows:
        return []
    fields = _columns(model)
    if connection.vendor != "sqlite":
        objs = model._default_manager.bulk_create([model(**row) for row in rows], batch_size=BATCH)
        return [int(o.pk) for o in objs]
    start = _next_id(model)
    ids = list(range(start, start + len(rows)))
    columns: list[list[Any]] = []
    for field in fields:
        default = field.get_default()
        column = [row.get(field.attname, default) for row in rows]
        prep = _needs_prep(field)
        columns.append(column if prep is None else _prepare(prep, column))
    values = list(zip(ids, *columns, strict=True))
    qn = connection.ops.quote_name
    pk_column = model._meta.pk.column  # type: ignore[union-attr]
    names = ", ".join(qn(str(c)) for c in [pk_column, *(f.column for f in fields)])
    marks = ", ".join(["%s"] * (len(fields) + 1))
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({names}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for i in range(0, len(values), BATCH):
            cursor.executemany(sql, values[i : i + BATCH])
    return ids
