"""Bulk reads and writes of a SQLite database through ADBC, in a process of their own.

ADBC's SQLite driver carries its own copy of the SQLite library. Two copies of SQLite in one
process must never open the same database: POSIX locks belong to the process, so each copy
takes the other's locks for its own, and the copy that closes last "knows" it is alone,
checkpoints and removes the write-ahead log under the other's feet (sqlite.org, "How To
Corrupt An SQLite Database File", §2.2). Django's connection uses Python's SQLite, so the
insights store runs this module as a child process for every ADBC exchange with a SQLite
file; Arrow tables cross the process boundary as Arrow IPC files.

Usage (by :mod:`hudong.insights.store` only): ``python -m hudong.insights.sqlite_io SPEC``
where SPEC is a JSON file naming the database, the work and the files. Nothing here imports
Django.
"""

from __future__ import annotations

import json
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import adbc_driver_sqlite.dbapi as sqlite_dbapi
import pyarrow as pa
import pyarrow.ipc as ipc

BUSY_TIMEOUT_MS = 20000


def _connect(database: str) -> Any:
    con = sqlite_dbapi.connect(database)
    cur = con.cursor()
    cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    cur.close()
    return con


def save(table: pa.Table, path: Path) -> None:
    with ipc.new_file(str(path), table.schema) as out:
        out.write_table(table)


def load(path: Path) -> pa.Table:
    with pa.memory_map(str(path)) as source:
        return ipc.open_file(source).read_all()


def _read_one(database: str, sql: str, out: Path) -> int:
    con = _connect(database)
    try:
        cur = con.cursor()
        cur.execute(sql)
        table = cur.fetch_arrow_table()
        cur.close()
    finally:
        con.close()
    save(table, out)
    return table.num_rows


def read(spec: dict[str, Any]) -> dict[str, int]:
    """Each query into its Arrow file, two at a time (one connection each)."""
    database, folder = spec["database"], Path(spec["folder"])
    with ThreadPoolExecutor(max_workers=int(spec.get("threads", 2))) as pool:
        futures = {
            name: pool.submit(_read_one, database, sql, folder / f"{name}.arrow")
            for name, sql in spec["queries"].items()
        }
        return {name: f.result() for name, f in futures.items()}


def write(spec: dict[str, Any]) -> dict[str, int]:
    """Every step in one transaction: ``execute`` runs SQL; ``insert`` ingests an Arrow file
    into a staging table and copies it into the real one with ``INSERT … SELECT`` (the
    database applies its own types and constraints)."""
    con = _connect(spec["database"])
    counts: dict[str, int] = {}
    staged: list[str] = []
    try:
        cur = con.cursor()
        for step in spec["steps"]:
            if step["op"] == "execute":
                cur.execute(step["sql"])
                continue
            table, data = step["table"], load(Path(step["file"]))
            stage = f"insights_stage_{table}"
            cur.adbc_ingest(stage, data, mode="replace")
            cols = ", ".join(data.column_names)
            indexes = _drop_indexes(cur, table) if step.get("bulk") else []
            cur.execute(f"INSERT INTO {table} ({cols}) SELECT {cols} FROM {stage}")
            for sql in indexes:  # building an index once beats updating it row by row
                cur.execute(sql)
            counts[table] = counts.get(table, 0) + data.num_rows
            staged.append(stage)
        for stage in staged:
            cur.execute(f"DROP TABLE IF EXISTS {stage}")
        cur.close()
        con.commit()
    except BaseException:
        con.rollback()
        raise
    finally:
        con.close()
    return counts


def _drop_indexes(cur: Any, table: str) -> list[str]:
    """Drop ``table``'s secondary indexes (inside the transaction) and return the statements
    that recreate them exactly as the schema defined them."""
    cur.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = ? "
        "AND sql IS NOT NULL",
        parameters=(table,),
    )
    found = cur.fetchall()
    for name, _sql in found:
        cur.execute(f'DROP INDEX "{name}"')
    return [sql for _name, sql in found]


def main(argv: list[str]) -> int:
    spec = json.loads(Path(argv[1]).read_text())
    result = read(spec) if spec["action"] == "read" else write(spec)
    Path(spec["result"]).write_text(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
