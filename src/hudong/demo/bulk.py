"""Bulk loading for the demo generator, below the ORM.

Columns arrive as numpy arrays (or lists) keyed by the model's field ``attname``; the loader
takes table and column names from ``Model._meta`` (quoted by the backend), converts each chunk
of ~50k rows to Python values once, and writes it with ``executemany`` (SQLite) or ``COPY``
(PostgreSQL). Primary keys are chosen by the generator (:meth:`BulkLoader.next_id`), so children
reference parents without reading anything back; PostgreSQL sequences are moved past them at
the end (:meth:`BulkLoader.reset_sequences`).

Rows written this way skip ``save()`` and its signals (audit trail, domain events). That is
intended for a demo load and nowhere else.
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.core.management.color import no_style
from django.db import IntegrityError, connections, models

CHUNK = 50_000


@dataclass
class Timestamps:
    """UTC instants as ``datetime64[s]``; NaT is NULL."""

    values: np.ndarray


@dataclass
class Dates:
    """Calendar dates as ``datetime64[D]``; NaT is NULL."""

    values: np.ndarray


@dataclass
class Money:
    """Amounts in integer cents (exact sums), written as yuan."""

    cents: np.ndarray


@dataclass
class Ref:
    """A nullable foreign key: ids, with values below 1 meaning NULL."""

    ids: np.ndarray


Column = np.ndarray | Sequence[Any] | Timestamps | Dates | Money | Ref


class BulkLoader:
    """Writes whole tables of generated rows through one database connection."""

    def __init__(self, alias: str = "default") -> None:
        self.connection = connections[alias]
        self.vendor = self.connection.vendor
        self.rows: dict[str, int] = defaultdict(int)
        self.seconds: dict[str, float] = defaultdict(float)
        self.written: set[type[models.Model]] = set()

    # --- keys -------------------------------------------------------------------------------

    def next_id(self, model: type[models.Model]) -> int:
        """The first free primary key of ``model``'s table (after the current maximum)."""
        qn = self.connection.ops.quote_name
        pk = model._meta.pk
        assert pk is not None
        with self.connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX({qn(str(pk.column))}) FROM {qn(model._meta.db_table)}")
            row = cursor.fetchone()
        return int(row[0] or 0) + 1 if row else 1

    def reset_sequences(self) -> None:
        """Move PostgreSQL's id sequences past the ids written here (SQLite needs nothing)."""
        if not self.written:
            return
        sql = self.connection.ops.sequence_reset_sql(no_style(), list(self.written))
        with self.connection.cursor() as cursor:
            for statement in sql:
                cursor.execute(statement)

    # --- session ----------------------------------------------------------------------------

    @contextmanager
    def fast_session(self) -> Iterator[None]:
        """SQLite: no fsync and a bigger page cache while loading; restored afterwards.

        A crash during the load can then corrupt the file, which is fine for demo data and the
        reason this is not done anywhere else.
        """
        if self.vendor != "sqlite":
            yield
            return
        self.connection.ensure_connection()
        with self.connection.cursor() as cursor:
            cursor.execute("PRAGMA synchronous")
            synchronous = int(cursor.fetchone()[0])
            cursor.execute("PRAGMA cache_size")
            cache_size = int(cursor.fetchone()[0])
            cursor.execute("PRAGMA foreign_keys")
            foreign_keys = int(cursor.fetchone()[0])
            cursor.execute("PRAGMA synchronous=OFF")
            cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB
            cursor.execute("PRAGMA foreign_keys=OFF")  # checked per table: check_foreign_keys()
        try:
            yield
        finally:
            with self.connection.cursor() as cursor:
                cursor.execute(f"PRAGMA synchronous={synchronous}")
                cursor.execute(f"PRAGMA cache_size={cache_size}")
                cursor.execute(f"PRAGMA foreign_keys={foreign_keys}")

    def drop_indexes(self, *tables: type[models.Model]) -> list[str]:
        """Drop the secondary indexes of the empty ones among ``tables`` (and, on PostgreSQL,
        their foreign-key constraints); returns the statements that build them again
        (:meth:`restore_indexes`). One sorted index build and one validating join at the end
        beat millions of b-tree inserts and per-row trigger checks.

        Call it inside the load's transaction: if the load fails, everything comes back with
        the rollback. Tables that already hold rows keep their indexes and constraints.
        """
        qn = self.connection.ops.quote_name
        drop: list[str] = []
        create: list[str] = []
        with self.connection.cursor() as cursor:
            for model in tables:
                table = model._meta.db_table
                cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {qn(table)})")
                if cursor.fetchone()[0]:
                    continue
                if self.vendor == "sqlite":
                    cursor.execute(
                        "SELECT name, sql FROM sqlite_master"
                        " WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL",
                        [table],
                    )
                    for name, sql in cursor.fetchall():
                        drop.append(f"DROP INDEX {qn(name)}")
                        create.append(sql)
                elif self.vendor == "postgresql":
                    cursor.execute(
                        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
                        " WHERE conrelid = %s::regclass AND contype = 'f'",
                        [table],
                    )
                    for name, definition in cursor.fetchall():
                        drop.append(f"ALTER TABLE {qn(table)} DROP CONSTRAINT {qn(name)}")
                        create.append(
                            f"ALTER TABLE {qn(table)} ADD CONSTRAINT {qn(name)} {definition}"
                        )
                    cursor.execute(
                        "SELECT c.relname, pg_get_indexdef(x.indexrelid) FROM pg_index x"
                        " JOIN pg_class c ON c.oid = x.indexrelid WHERE x.indrelid = %s::regclass"
                        " AND NOT EXISTS (SELECT 1 FROM pg_constraint k"
                        "                 WHERE k.conindid = x.indexrelid)",
                        [table],
                    )
                    for name, definition in cursor.fetchall():
                        drop.append(f"DROP INDEX {qn(name)}")
                        create.insert(0, definition)  # indexes first: the checks use them
            if drop and self.vendor == "postgresql":
                # deferred checks still pending in this transaction (rows written before)
                # would forbid altering the tables they concern: run them now
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
            for statement in drop:
                cursor.execute(statement)
        return create

    def restore_indexes(self, statements: list[str], *tables: type[models.Model]) -> None:
        """Build what :meth:`drop_indexes` dropped, then check the loaded tables' references
        (SQLite loads with enforcement off). A unique index that finds a duplicate, or a broken
        reference, raises and so rolls the load back."""
        started = time.perf_counter()
        with self.connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
        self.seconds["(index and constraint builds)"] += time.perf_counter() - started
        started = time.perf_counter()
        self.check_foreign_keys(*tables)
        self.seconds["(foreign key checks)"] += time.perf_counter() - started

    def check_foreign_keys(self, *tables: type[models.Model]) -> None:
        """SQLite, with enforcement off during the load: fail unless every reference holds."""
        if self.vendor != "sqlite":
            return
        with self.connection.cursor() as cursor:
            for model in tables:
                table = model._meta.db_table
                cursor.execute(f"PRAGMA foreign_key_check({self.connection.ops.quote_name(table)})")
                broken = cursor.fetchmany(5)
                if broken:
                    raise IntegrityError(f"{table}: broken foreign keys, e.g. {broken}")

    # --- writing ----------------------------------------------------------------------------

    def write(self, model: type[models.Model], data: dict[str, Column]) -> int:
        """Insert the rows given column-wise; every concrete field must be present."""
        fields = list(model._meta.concrete_fields)
        missing = [f.attname for f in fields if f.attname not in data]
        extra = set(data) - {f.attname for f in fields}
        if missing or extra:
            raise ValueError(f"{model.__name__}: missing {missing}, unknown {sorted(extra)}")
        cols = [data[f.attname] for f in fields]
        n = _length(cols[0])
        if any(_length(c) != n for c in cols):
            raise ValueError(f"{model.__name__}: columns of different lengths")
        if n == 0:
            return 0
        started = time.perf_counter()
        qn = self.connection.ops.quote_name
        table = qn(model._meta.db_table)
        names = ", ".join(qn(str(f.column)) for f in fields)
        self.connection.ensure_connection()
        raw = self.connection.connection
        for start in range(0, n, CHUNK):
            stop = min(n, start + CHUNK)
            lists = [self._convert(c, start, stop) for c in cols]
            rows = zip(*lists, strict=True)
            if self.vendor == "postgresql":
                with (
                    raw.cursor() as cursor,
                    cursor.copy(f"COPY {table} ({names}) FROM STDIN") as cp,
                ):
                    for row in rows:
                        cp.write_row(row)
            else:
                marks = ", ".join(["%s"] * len(fields))
                sql = f"INSERT INTO {table} ({names}) VALUES ({marks})"
                if self.vendor == "sqlite":
                    raw.executemany(sql.replace("%s", "?"), rows)
                else:
                    with self.connection.cursor() as cursor:
                        cursor.executemany(sql, list(rows))
        self.rows[model._meta.db_table] += n
        self.seconds[model._meta.db_table] += time.perf_counter() - started
        self.written.add(model)
        return n

    def _convert(self, col: Column, start: int, stop: int) -> list[Any]:
        if isinstance(col, Timestamps):
            part = col.values[start:stop]
            if self.vendor == "postgresql":
                text = np.datetime_as_string(part, unit="s", timezone="UTC")
            else:  # Django's SQLite format: naive UTC, a space between date and time
                text = np.datetime_as_string(part, unit="s")
                if len(text):
                    text.view(np.uint32).reshape(len(text), -1)[:, 10] = ord(" ")
            return _with_nulls(text.tolist(), np.isnat(part))
        if isinstance(col, Dates):
            part = col.values[start:stop]
            return _with_nulls(np.datetime_as_string(part, unit="D").tolist(), np.isnat(part))
        if isinstance(col, Money):
            return (col.cents[start:stop] / 100).tolist()
        if isinstance(col, Ref):
            part = col.ids[start:stop]
            return _with_nulls(part.tolist(), part < 1)
        if isinstance(col, np.ndarray):
            return col[start:stop].tolist()
        return list(col[start:stop])


def _length(col: Column) -> int:
    if isinstance(col, Timestamps | Dates):
        return len(col.values)
    if isinstance(col, Money):
        return len(col.cents)
    if isinstance(col, Ref):
        return len(col.ids)
    return len(col)


def _with_nulls(values: list[Any], null: np.ndarray) -> list[Any]:
    if null.any():
        for i in np.flatnonzero(null).tolist():
            values[i] = None
    return values


def const(value: Any, n: int) -> list[Any]:
    return [value] * n
