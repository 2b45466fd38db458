"""Where the insights engine reads and writes: Arrow in, Arrow out.

In production the engine talks to the database through ADBC (adbc-driver-sqlite or
adbc-driver-postgresql): a query arrives as one Arrow table without a Python object per value,
and results go back by bulk ingest into a staging table and one ``INSERT … SELECT``. Inside an
open transaction (a test, or a caller's atomic block) a second connection would not see the
caller's rows, and an in-memory SQLite database cannot be opened twice, so there the store falls
back to Django's own connection: slower, same results.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import quote

import pyarrow as pa
from django.db import connection, transaction


def _adbc_possible() -> bool:
    if connection.in_atomic_block:
        return False
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        return "memory" not in name and name != ":memory:"
    return connection.vendor == "postgresql"


def _pg_uri(s: dict[str, Any]) -> str:
    user = quote(str(s.get("USER") or ""), safe="")
    password = quote(str(s.get("PASSWORD") or ""), safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = s.get("HOST") or "localhost"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgresql://{auth}{host}{port}/{quote(str(s['NAME']), safe='')}"


class Store:
    """Reads SQL into Arrow and writes Arrow into tables, in one transaction per ``writing()``."""

    def __init__(self, *, use_adbc: bool | None = None) -> None:
        self.vendor = connection.vendor
        self.adbc = _adbc_possible() if use_adbc is None else use_adbc
        self._con: Any = None
        if self.adbc:
            self._con = self._connect()

    def _connect(self) -> Any:
        if self.vendor == "sqlite":
            import adbc_driver_sqlite.dbapi as sqlite_dbapi

            con = sqlite_dbapi.connect(str(connection.settings_dict["NAME"]))
            cur = con.cursor()
            cur.execute("PRAGMA busy_timeout=20000")
            cur.close()
            return con
        import adbc_driver_postgresql.dbapi as pg_dbapi

        return pg_dbapi.connect(_pg_uri(connection.settings_dict))

    def sibling(self) -> Store:
        """Another store on its own connection, for reading in parallel (ADBC releases the
        GIL while the database works); without ADBC there is only Django's connection."""
        return Store(use_adbc=True) if self.adbc else self

    def close(self) -> None:
        if self._con is not None:
            self._con.close()
            self._con = None

    # -- SQL dialect helpers ---------------------------------------------------------------
    def real(self, column: str) -> str:
        """A numeric column as a float (decimals are exact in the database, floats here)."""
        return f"CAST({column} AS REAL)" if self.vendor == "sqlite" else f"{column}::float8"

    def timestamp(self, column: str) -> str:
        """A date-time column in a form DuckDB parses: text on SQLite, timestamptz on PG."""
        return column

    # -- reading -------------------------------------------------------------------------------
    def read(self, sql: str) -> pa.Table:
        if self.adbc:
            cur = self._con.cursor()
            try:
                cur.execute(sql)
                return cur.fetch_arrow_table()
            finally:
                cur.close()
                # End the read transaction: an old snapshot could not be upgraded to a write
                # once someone else (the run's own progress rows) has committed.
                self._con.rollback()
        with connection.cursor() as cur:
            cur.execute(sql)
            names = [c[0] for c in cur.description]
            rows = cur.fetchall()
        columns: list[tuple[Any, ...]] = (
            list(zip(*rows, strict=True)) if rows else [() for _ in names]
        )
        return pa.table({n: pa.array(list(c)) for n, c in zip(names, columns, strict=True)})

    # -- writing -------------------------------------------------------------------------------
    @contextmanager
    def writing(self) -> Iterator[Writer]:
        """One transaction: everything written inside appears to readers at once, or not at all."""
        if self.adbc:
            writer = _AdbcWriter(self)
            try:
                yield writer
                writer.finish()
                self._con.commit()
            except BaseException:
                self._con.rollback()
                raise
        else:
            with transaction.atomic():
                yield _DjangoWriter(self)


class Writer:
    def __init__(self, store: Store) -> None:
        self.store = store

    def execute(self, sql: str) -> None:
        raise NotImplementedError

    def insert(self, table: str, data: pa.Table) -> int:
        raise NotImplementedError


class _AdbcWriter(Writer):
    """Bulk ingest into a staging table, then one INSERT … SELECT into the real one (the
    database casts floats to its decimals and keeps its own constraints)."""

    def __init__(self, store: Store) -> None:
        super().__init__(store)
        self._staged: list[str] = []

    def execute(self, sql: str) -> None:
        cur = self.store._con.cursor()
        try:
            cur.execute(sql)
        finally:
            cur.close()

    def insert(self, table: str, data: pa.Table) -> int:
        if data.num_rows == 0:
            return 0
        stage = f"insights_stage_{table}"
        cur = self.store._con.cursor()
        try:
            cur.adbc_ingest(stage, data, mode="replace")
            cols = ", ".join(data.column_names)
            cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {stage}")
        finally:
            cur.close()
        self._staged.append(stage)
        return data.num_rows

    def finish(self) -> None:
        for stage in self._staged:
            self.execute(f"DROP TABLE IF EXISTS {stage}")


class _DjangoWriter(Writer):
    def execute(self, sql: str) -> None:
        with connection.cursor() as cur:
            cur.execute(sql)

    def insert(self, table: str, data: pa.Table) -> int:
        if data.num_rows == 0:
            return 0
        cols = data.column_names
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})"
        with connection.cursor() as cur:
            for batch in data.to_batches(max_chunksize=5000):
                rows = list(zip(*(c.to_pylist() for c in batch.columns), strict=True))
                cur.executemany(sql, rows)
        return data.num_rows
