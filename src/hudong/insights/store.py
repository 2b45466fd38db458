"""Where the insights engine reads and writes: Arrow in, Arrow out.

In production the engine talks to the database through ADBC (adbc-driver-postgresql or
adbc-driver-sqlite): a query arrives as one Arrow table without a Python object per value,
and results go back by bulk ingest into a staging table and one ``INSERT … SELECT``.

- PostgreSQL: ADBC in this process.
- SQLite: ADBC in a child process (:mod:`hudong.insights.sqlite_io`), because ADBC brings its
  own copy of the SQLite library and two copies must never open one database file in one
  process (that corrupts it). Tables cross over as Arrow IPC files in a temporary folder.
- Inside an open transaction (a test, a caller's atomic block) another connection would not
  see the caller's rows, and an in-memory SQLite database cannot be opened twice: there the
  store uses Django's own connection. Slower, same results.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pyarrow as pa
from django.db import connection, transaction

from hudong.insights import sqlite_io


def _mode() -> str:
    """``adbc-pg``, ``adbc-sqlite`` or ``django`` for the default database right now."""
    if connection.in_atomic_block:
        return "django"
    if connection.vendor == "sqlite":
        name = str(connection.settings_dict["NAME"])
        return "django" if "memory" in name or name == ":memory:" else "adbc-sqlite"
    return "adbc-pg" if connection.vendor == "postgresql" else "django"


def _pg_uri(s: dict[str, Any]) -> str:
    user = quote(str(s.get("USER") or ""), safe="")
    password = quote(str(s.get("PASSWORD") or ""), safe="")
    auth = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = s.get("HOST") or "localhost"
    port = f":{s['PORT']}" if s.get("PORT") else ""
    return f"postgresql://{auth}{host}{port}/{quote(str(s['NAME']), safe='')}"


class Writer:
    """Statements and bulk inserts of one transaction."""

    def execute(self, sql: str) -> None:
        raise NotImplementedError

    def insert(self, table: str, data: pa.Table, *, bulk: bool = False) -> int:
        """Append ``data`` to ``table``; ``bulk`` says most of the table is being rewritten
        (where it helps, indexes are then rebuilt once instead of row by row)."""
        raise NotImplementedError


class Store:
    """Reads SQL into Arrow and writes Arrow into tables, in one transaction per ``writing()``."""

    def __init__(self, *, mode: str | None = None, database: str | None = None) -> None:
        self.vendor = connection.vendor if database is None else "sqlite"
        self.mode = mode or _mode()
        self._pg: Any = None
        self._sqlite_file = database  # another SQLite file than Django's (tests, tools)

    @property
    def adbc(self) -> bool:
        return self.mode != "django"

    def close(self) -> None:
        if self._pg is not None:
            self._pg.close()
            self._pg = None

    # -- SQL dialect helpers ---------------------------------------------------------------
    def real(self, column: str) -> str:
        """A numeric column as a float (decimals are exact in the database, floats here)."""
        return f"CAST({column} AS REAL)" if self.vendor == "sqlite" else f"{column}::float8"

    # -- reading -------------------------------------------------------------------------------
    def read(self, sql: str) -> pa.Table:
        return self.read_many({"q": sql})["q"]

    def read_many(self, queries: dict[str, str]) -> dict[str, pa.Table]:
        if self.mode == "adbc-sqlite":
            return self._sqlite_read(queries)
        if self.mode == "adbc-pg":
            return {name: self._pg_read(sql) for name, sql in queries.items()}
        return {name: _django_read(sql) for name, sql in queries.items()}

    def _sqlite_read(self, queries: dict[str, str]) -> dict[str, pa.Table]:
        with tempfile.TemporaryDirectory(prefix="hudong-insights-") as folder:
            spec = {"action": "read", "queries": queries, "folder": folder}
            _child(self._database(), spec, Path(folder))
            # Read the files into memory before the folder goes.
            return {name: sqlite_io.load(Path(folder) / f"{name}.arrow") for name in queries}

    def _pg_connection(self) -> Any:
        if self._pg is None:
            import adbc_driver_postgresql.dbapi as pg_dbapi

            self._pg = pg_dbapi.connect(_pg_uri(connection.settings_dict))
        return self._pg

    def _pg_read(self, sql: str) -> pa.Table:
        con = self._pg_connection()
        cur = con.cursor()
        try:
            cur.execute(sql)
            return cur.fetch_arrow_table()
        finally:
            cur.close()
            con.rollback()  # end the read transaction

    def _database(self) -> str:
        return self._sqlite_file or str(connection.settings_dict["NAME"])

    # -- writing -------------------------------------------------------------------------------
    @contextmanager
    def writing(self) -> Iterator[Writer]:
        """One transaction: everything written inside appears to readers at once, or not at all."""
        if self.mode == "adbc-sqlite":
            with tempfile.TemporaryDirectory(prefix="hudong-insights-") as folder:
                writer = _ChildWriter(Path(folder))
                yield writer
                spec = {"action": "write", "steps": writer.steps}
                _child(self._database(), spec, Path(folder))
        elif self.mode == "adbc-pg":
            con = self._pg_connection()
            pg = _PgWriter(con)
            try:
                yield pg
                pg.finish()
                con.commit()
            except BaseException:
                con.rollback()
                raise
        else:
            with transaction.atomic():
                yield _DjangoWriter()


def _child(database: str, spec: dict[str, Any], folder: Path) -> dict[str, Any]:
    """Run one :mod:`sqlite_io` exchange in a child process and return its result."""
    spec_file, result_file = folder / "spec.json", folder / "result.json"
    spec_file.write_text(json.dumps({**spec, "database": database, "result": str(result_file)}))
    done = subprocess.run(
        [sys.executable, "-m", "hudong.insights.sqlite_io", str(spec_file)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise RuntimeError(f"sqlite_io {spec['action']} failed: {done.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(result_file.read_text())
    return result


def _django_read(sql: str) -> pa.Table:
    with connection.cursor() as cur:
        cur.execute(sql)
        names = [c[0] for c in cur.description]
        rows = cur.fetchall()
    columns: list[tuple[Any, ...]] = list(zip(*rows, strict=True)) if rows else [() for _ in names]
    return pa.table({n: pa.array(list(c)) for n, c in zip(names, columns, strict=True)})


class _ChildWriter(Writer):
    """Records the steps; the child process runs them all in one transaction at the end."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.steps: list[dict[str, Any]] = []

    def execute(self, sql: str) -> None:
        self.steps.append({"op": "execute", "sql": sql})

    def insert(self, table: str, data: pa.Table, *, bulk: bool = False) -> int:
        if data.num_rows == 0:
            return 0
        path = self.folder / f"{len(self.steps)}-{table}.arrow"
        sqlite_io.save(data, path)
        self.steps.append({"op": "insert", "table": table, "file": str(path), "bulk": bulk})
        return data.num_rows


class _PgWriter(Writer):
    """Bulk ingest (COPY) into a staging table, then one INSERT … SELECT into the real one."""

    def __init__(self, con: Any) -> None:
        self.con = con
        self._staged: list[str] = []

    def execute(self, sql: str) -> None:
        cur = self.con.cursor()
        try:
            cur.execute(sql)
        finally:
            cur.close()

    def insert(self, table: str, data: pa.Table, *, bulk: bool = False) -> int:
        if data.num_rows == 0:
            return 0
        stage = f"insights_stage_{table}"
        cur = self.con.cursor()
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

    def insert(self, table: str, data: pa.Table, *, bulk: bool = False) -> int:
        if data.num_rows == 0:
            return 0
        cols = data.column_names
        sql = f"INSERT INTO {table} ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})"
        with connection.cursor() as cur:
            for batch in data.to_batches(max_chunksize=5000):
                rows = list(zip(*(c.to_pylist() for c in batch.columns), strict=True))
                cur.executemany(sql, rows)
        return data.num_rows
