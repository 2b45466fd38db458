"""Insert many rows of one model in one statement per batch, and get their ids back.

On SQLite the ids are chosen here, above both the table's largest id and the AUTOINCREMENT
counter (so an id of a deleted row is never reused, exactly as the database would do), and
the rows go in with ``executemany``; the chunk's transaction holds SQLite's write lock
(``transaction_mode=IMMEDIATE``), so nobody else can take those ids meanwhile. Other databases
use ``bulk_create``, which returns the ids the database chose.

The rows are turned into parameter tuples with C-level helpers (a dict merge over the
defaults, ``itemgetter``) rather than a ``dict.get`` per field and row: at a million customers
that per-field Python work cost as much as SQLite's own inserts.

Like every bulk write this skips ``save()`` and its signals: callers write the audit rows.
"""

from __future__ import annotations

import operator
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


def _needs_prep(field: models.Field) -> bool:
    """Text, integers, booleans and integer keys go in as they are (the driver takes them);
    dates, times, decimals and JSON are prepared."""
    if isinstance(field, models.ForeignKey):
        return not isinstance(field.target_field, models.IntegerField)
    plain = models.CharField | models.TextField | models.IntegerField | models.BooleanField
    return not isinstance(field, plain)


def _prepare(field: models.Field, column: Sequence[Any]) -> list[Any]:
    """The field's database values, prepared once per distinct value (rows share "now", the
    same default, and birth dates repeat)."""
    first = column[0]
    if all(value is first for value in column):  # a time stamp every row shares
        return [_prepare_one(field, first)] * len(column)
    cache: dict[tuple[type, Any], Any] = {}
    out: list[Any] = []
    append = out.append
    for value in column:
        if value is None or isinstance(value, bool | int | str):
            append(value)
            continue
        key = (type(value), value)  # typed: 0 == Decimal("0.00") == False
        prepared = cache.get(key, cache)
        if prepared is cache:
            prepared = cache[key] = field.get_db_prep_save(value, connection)
        append(prepared)
    return out


def _prepare_one(field: models.Field, value: Any) -> Any:
    if value is None or isinstance(value, bool | int | str):
        return value
    return field.get_db_prep_save(value, connection)


def parameters(fields: list[models.Field], rows: Sequence[dict[str, Any]]) -> list[tuple]:
    """Each row as a tuple in ``fields`` order (missing fields take their default), prepared
    for the database."""
    defaults = {f.attname: f.get_default() for f in fields}
    getter = operator.itemgetter(*(f.attname for f in fields))
    tuples = [getter({**defaults, **row}) for row in rows]
    if len(fields) == 1:
        tuples = [(value,) for value in tuples]
    prep = [i for i, f in enumerate(fields) if _needs_prep(f)]
    if not prep or not tuples:
        return tuples
    columns = list(zip(*tuples, strict=True))
    for i in prep:
        columns[i] = tuple(_prepare(fields[i], columns[i]))
    return list(zip(*columns, strict=True))


def insert(model: type[models.Model], rows: Sequence[dict[str, Any]]) -> list[int]:
    """Write ``rows`` (field attname → value; missing fields take their default) and return
    their primary keys in order."""
    if not rows:
        return []
    fields = _columns(model)
    if connection.vendor != "sqlite":
        objs = model._default_manager.bulk_create([model(**row) for row in rows], batch_size=BATCH)
        return [int(o.pk) for o in objs]
    return _execute(model, fields, parameters(fields, rows))


def insert_rows(
    model: type[models.Model], names: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> list[int]:
    """Like :func:`insert` for rows given as tuples of the fields ``names`` (attnames): the
    caller skips building a dict per row. The other fields take their default."""
    if not rows:
        return []
    if connection.vendor != "sqlite":
        return insert(model, [dict(zip(names, row, strict=True)) for row in rows])
    named = {f.attname: f for f in _columns(model)}
    fields = [named[n] for n in names]
    rest = [f for f in named.values() if f.attname not in names]
    defaults = tuple(f.get_default() for f in rest)
    prep = [i for i, f in enumerate(fields) if _needs_prep(f)]
    if prep:
        columns = list(zip(*rows, strict=True))
        for i in prep:
            columns[i] = tuple(_prepare(fields[i], columns[i]))
        rows = list(zip(*columns, strict=True))
    tail = tuple(_prepare_one(f, v) for f, v in zip(rest, defaults, strict=True))
    return _execute(model, [*fields, *rest], [(*row, *tail) for row in rows])


def _execute(model: type[models.Model], fields: list[models.Field], rows: list[tuple]) -> list[int]:
    """``executemany`` the rows (values in ``fields`` order) with ids chosen here."""
    start = _next_id(model)
    ids = range(start, start + len(rows))
    values = [(pk, *params) for pk, params in zip(ids, rows, strict=True)]
    qn = connection.ops.quote_name
    pk_column = model._meta.pk.column  # type: ignore[union-attr]
    names = ", ".join(qn(str(c)) for c in [pk_column, *(f.column for f in fields)])
    marks = ", ".join(["%s"] * (len(fields) + 1))
    sql = f"INSERT INTO {qn(model._meta.db_table)} ({names}) VALUES ({marks})"
    with connection.cursor() as cursor:
        for i in range(0, len(values), BATCH):
            cursor.executemany(sql, values[i : i + BATCH])
    return list(ids)
