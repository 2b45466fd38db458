"""The store's SQLite path: ADBC runs in a child process, so Django's own SQLite connection in
this process keeps its locks and its write-ahead log (two SQLite libraries in one process
corrupt a database)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pyarrow as pa

from hudong.insights.store import Store


def make_db(path: Path) -> sqlite3.Connection:
    con = sqlite3.connect(path, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, name TEXT, amount DECIMAL)")
    con.executemany("INSERT INTO t VALUES (?, ?, ?)", [(i, f"n{i}", i * 1.5) for i in range(1000)])
    return con


def test_reads_arrive_as_arrow_with_their_types(tmp_path: Path) -> None:
    db = tmp_path / "a.sqlite3"
    make_db(db).close()
    store = Store(mode="adbc-sqlite", database=str(db))

    frames = store.read_many(
        {"all": "SELECT id, name FROM t", "sum": "SELECT sum(amount) s FROM t"}
    )

    assert frames["all"].num_rows == 1000
    assert frames["all"].schema.field("id").type == pa.int64()
    assert frames["sum"]["s"][0].as_py() == sum(i * 1.5 for i in range(1000))


def test_a_write_is_one_transaction_beside_an_open_connection(tmp_path: Path) -> None:
    # Given a database this process holds open in WAL mode (as Django does)
    db = tmp_path / "b.sqlite3"
    mine = make_db(db)
    mine.execute("SELECT count(*) FROM t").fetchone()
    store = Store(mode="adbc-sqlite", database=str(db))

    # When the store replaces the rows through ADBC
    with store.writing() as w:
        w.execute("DELETE FROM t")
        w.insert("t", pa.table({"id": [1, 2], "name": ["甲", "乙"], "amount": [1.25, 2.5]}))

    # Then this process's connection sees the new rows and can go on writing, and the file
    # is sound
    assert mine.execute("SELECT name FROM t ORDER BY id").fetchall() == [("甲",), ("乙",)]
    mine.execute("INSERT INTO t VALUES (3, '丙', 3)")
    mine.close()
    check = sqlite3.connect(db)
    assert check.execute("PRAGMA integrity_check").fetchone() == ("ok",)
    assert check.execute("SELECT count(*) FROM t").fetchone() == (3,)


def test_a_failed_write_changes_nothing(tmp_path: Path) -> None:
    db = tmp_path / "c.sqlite3"
    make_db(db).close()
    store = Store(mode="adbc-sqlite", database=str(db))

    try:
        with store.writing() as w:
            w.execute("DELETE FROM t")
            w.execute("INSERT INTO no_such_table VALUES (1)")
    except RuntimeError as exc:
        assert "no_such_table" in str(exc)
    else:
        raise AssertionError("the write should have failed")

    assert sqlite3.connect(db).execute("SELECT count(*) FROM t").fetchone() == (1000,)


def test_a_bulk_rewrite_keeps_the_tables_indexes(tmp_path: Path) -> None:
    # Given a table with a secondary index
    db = tmp_path / "d.sqlite3"
    con = make_db(db)
    con.execute("CREATE INDEX t_name ON t (name)")
    con.close()
    store = Store(mode="adbc-sqlite", database=str(db))

    # When most of it is rewritten in bulk (indexes dropped and rebuilt once)
    with store.writing() as w:
        w.execute("DELETE FROM t")
        w.insert("t", pa.table({"id": [7], "name": ["丁"], "amount": [7.0]}), bulk=True)

    # Then the index is back, as it was defined, and answers
    check = sqlite3.connect(db)
    sql = check.execute("SELECT sql FROM sqlite_master WHERE name = 't_name'").fetchone()
    assert sql == ("CREATE INDEX t_name ON t (name)",)
    plan = check.execute("EXPLAIN QUERY PLAN SELECT id FROM t WHERE name = '丁'").fetchall()
    assert "t_name" in str(plan)


def test_a_float_column_with_leading_nulls_travels_with_a_stand_in(tmp_path: Path) -> None:
    # Given a nullable float column whose first thousands of rows are NULL (the previous CLV
    # of customers who never bought, listed before the buyers)
    db = tmp_path / "e.sqlite3"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE v (id INTEGER PRIMARY KEY, clv DECIMAL)")
    con.executemany("INSERT INTO v VALUES (?, ?)", [(i, None) for i in range(3000)])
    con.execute("INSERT INTO v VALUES (3000, 12.5)")
    con.commit()
    con.close()
    store = Store(mode="adbc-sqlite", database=str(db))

    # When it is read as the engine reads the previous CLV (-1 standing for none)
    t = store.read("SELECT id, CAST(COALESCE(clv, -1) AS REAL) AS clv FROM v")

    # Then every row arrives, as a float
    assert t.schema.field("clv").type == pa.float64()
    assert t["clv"].to_pylist()[-2:] == [-1.0, 12.5]
