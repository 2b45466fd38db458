"""How fast ``hudong demo`` loads 100,000 customers into a fresh SQLite database, next to the
raw write speed of SQLite itself on this machine (the "floor", measured in the same run).

Environment: ``BENCH_DEMO_CUSTOMERS`` (default 100000), ``BENCH_DEMO_SEED`` (default 42).
"""

from __future__ import annotations

import datetime as dt
import os
import resource
import shutil
import sqlite3
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_db import setup_django_fresh  # noqa: E402

TARGET_SECONDS = 180.0  # for 100,000 customers on SQLite
AS_OF = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)  # fixed, so that every run writes the same rows


def sqlite_floor(rows: int, directory: str, columns: int = 8) -> dict[str, Any]:
    """Plain ``sqlite3``: ``executemany`` of ``rows`` rows into one fresh table, one
    transaction, the same journal (WAL) and sync (OFF) settings as the demo load, no indexes
    besides the rowid, no Django, rows prepared in advance (50k, reused)."""
    path = Path(directory) / "floor.sqlite3"
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("PRAGMA journal_mode=WAL")
    db.execute("PRAGMA synchronous=OFF")
    db.execute(
        "CREATE TABLE floor (id INTEGER PRIMARY KEY AUTOINCREMENT, a INTEGER, b TEXT, c REAL,"
        " d TEXT, e TEXT, f INTEGER, g INTEGER)"
    )
    chunk = [
        (None, i, f"客户{i:06d} Customer", i * 1.25, "2025-06-30 12:34:56", "delivered", i % 7, 1)
        for i in range(50_000)
    ]
    started = time.perf_counter()
    db.execute("BEGIN")
    done = 0
    while done < rows:
        part = chunk[: min(len(chunk), rows - done)]
        db.executemany("INSERT INTO floor VALUES (?, ?, ?, ?, ?, ?, ?, ?)", part)
        done += len(part)
    db.execute("COMMIT")
    seconds = time.perf_counter() - started
    db.close()
    return {
        "rows": done,
        "columns": columns,
        "seconds": round(seconds, 3),
        "rows_per_s": round(done / seconds),
        "file_mb": round(path.stat().st_size / 2**20, 1),
    }


def run() -> dict[str, Any]:
    customers = int(os.environ.get("BENCH_DEMO_CUSTOMERS", "100000"))
    seed = int(os.environ.get("BENCH_DEMO_SEED", "42"))
    tmp = tempfile.mkdtemp(prefix="hudong-bench-")
    try:
        setup_django_fresh(tmp)
        from django.core.management import call_command
        from django.db import connection

        from hudong.demo.generator import generate

        started = time.perf_counter()
        call_command("migrate", verbosity=0)
        migrate_s = time.perf_counter() - started

        started = time.perf_counter()
        report = generate(
            customers, seed, as_of=AS_OF, truth_file=Path(tmp) / "truth.csv", progress=False
        )
        seconds = time.perf_counter() - started
        connection.close()
        db_file = Path(tmp) / "hudong.sqlite3"
        db_mb = sum(p.stat().st_size for p in Path(tmp).glob("hudong.sqlite3*")) / 2**20
        peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

        rows = report.total_rows
        floor = sqlite_floor(rows, tmp)
        rows_per_s = rows / seconds
        demo_seconds_per_stage = dict(report.stages)
        return {
            "summary": {
                "customers": customers,
                "seconds": round(seconds, 1),
                "target_seconds": TARGET_SECONDS,
                "target_met": seconds < TARGET_SECONDS * customers / 100_000,
                "rows": rows,
                "rows_per_s": round(rows_per_s),
                "floor_rows_per_s": floor["rows_per_s"],
                "ratio_to_floor": round(rows_per_s / floor["rows_per_s"], 3),
            },
            "customers": customers,
            "seed": seed,
            "as_of": AS_OF.date().isoformat(),
            "migrate_seconds": round(migrate_s, 2),
            "seconds": round(seconds, 2),
            "seconds_per_stage": demo_seconds_per_stage,
            "write_seconds_per_table": report.write_seconds,
            "rows_per_table": report.rows,
            "rows_per_s_per_table": {
                t: round(n / report.write_seconds[t]) if report.write_seconds.get(t) else None
                for t, n in report.rows.items()
            },
            "planted_duplicates": report.duplicates,
            "households": report.households,
            "database_mb": round(db_mb, 1),
            "database_file": db_file.name,
            "peak_rss_mb": round(peak_rss_mb),
            "floor": floor,
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
