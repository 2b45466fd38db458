"""A full insights run on 1,000,000 customers and 10,000,000 orders: target ≤ 60 s on 2 cores.

The database is the 1,000,000-customer demo database (built once by :mod:`bench.demo_db`,
about 4,000,000 orders over three years) with its orders and their lines replayed until there
are ``BENCH_INSIGHTS_ORDERS`` orders (default 10,000,000): each copy keeps the customer, the
products and the amounts and moves the order 17·k days earlier, so every customer buys about
2.5 times as often. The copy is built once as ``var/bench/insights-<orders>-v<V>.sqlite3`` and
migrated to the current schema. Measured, in a fresh process on that file (ADBC reads, DuckDB
compute, write-back of 1,000,000 ``CustomerValue`` rows):

- the whole run as ``hudong insights run`` does it, seconds per stage (``read``, ``measures``,
  ``clv``, ``tiers``, ``write``, ``after``); the run is repeated once so the second run also
  writes the change history against the first;
- the **floor**: the same eight reads into Arrow exactly as the run does them (ADBC, two
  connections in parallel, in the child process SQLite needs), with nothing computed or
  written; the ratio run / floor says what computing and writing cost on top of
  merely reading the data once.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_db import (  # noqa: E402
    BENCH_VAR,
    DEMO_VERSION,
    ROOT,
    _single_file,
    django_env,
    ensure_demo_db,
)

CUSTOMERS = int(os.environ.get("BENCH_INSIGHTS_CUSTOMERS", "1000000"))
ORDERS = int(os.environ.get("BENCH_INSIGHTS_ORDERS", "10000000"))
AS_OF = "2026-01-01T00:00:00+00:00"
TARGET_SECONDS = 60.0


def insights_db_path() -> Path:
    return BENCH_VAR / f"insights-{CUSTOMERS}-{ORDERS}-v{DEMO_VERSION}.sqlite3"


def _replay_orders(db: Path, target_orders: int) -> None:
    """Copies of existing orders (and their lines), shifted 17·k days earlier, up to the target."""
    con = sqlite3.connect(db)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    n, max_id = con.execute("SELECT count(*), max(id) FROM commerce_order").fetchone()
    max_line = con.execute("SELECT max(id) FROM commerce_orderline").fetchone()[0]
    k = 0
    while n < target_orders:
        k += 1
        take = min(n if k == 1 else n, target_orders - n)
        base = con.execute("SELECT count(*) FROM commerce_order").fetchone()[0]
        off, line_off = k * (max_id + 1), k * (max_line + 1)
        print(f"  replay {k}: {take:,} orders", flush=True)
        con.execute(
            "INSERT INTO commerce_order (id, customer_id, number, channel, status, ordered_at,"
            " total, currency, warehouse_id) SELECT id + ?, customer_id, number || '-r' || ?,"
            " channel, status, datetime(ordered_at, ?), total, currency, warehouse_id"
            " FROM commerce_order WHERE id <= ? ORDER BY id LIMIT ?",
            (off, k, f"-{17 * k} days", max_id, take),
        )
        con.execute(
            "INSERT INTO commerce_orderline (id, order_id, product_id, quantity, unit_price,"
            " unit_cost) SELECT l.id + ?, l.order_id + ?, l.product_id, l.quantity,"
            " l.unit_price, l.unit_cost FROM commerce_orderline l"
            " WHERE l.order_id + ? IN (SELECT id FROM commerce_order WHERE id > ?)"
            " AND l.order_id <= ?",
            (line_off, off, off, off, max_id),
        )
        con.commit()
        n = con.execute("SELECT count(*) FROM commerce_order").fetchone()[0]
        assert n > base
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()


def ensure_insights_db() -> Path:
    target = insights_db_path()
    if target.exists():
        return target
    source = ensure_demo_db(CUSTOMERS)
    building = target.with_suffix(".building")
    print(f"building {target.name} from {source.name} ...", flush=True)
    started = time.perf_counter()
    shutil.copyfile(source, building)
    _replay_orders(building, ORDERS)
    subprocess.run(
        [sys.executable, "-m", "hudong.cli", "migrate", "--verbosity", "0"],
        env={**os.environ, **django_env(building)},
        check=True,
        cwd=ROOT,
    )
    _single_file(building)  # fold the migration's write-ahead log in before the rename
    shutil.move(building, target)
    print(f"built in {time.perf_counter() - started:.0f} s", flush=True)
    return target


def _measure(db: Path) -> dict[str, Any]:
    os.environ.update(django_env(db))
    import datetime as dt

    import django

    django.setup()
    from hudong.insights import engine
    from hudong.insights.store import Store

    as_of = dt.datetime.fromisoformat(AS_OF)
    runs = []
    for _ in range(2):
        run = engine.run(trigger="bench", as_of=as_of)
        runs.append(
            {
                "seconds": run.seconds,
                "stages": run.stages,
                "rows": run.rows,
                "clv": run.summary.get("clv"),
            }
        )
    store = Store()
    started = time.perf_counter()
    rows = {name: t.num_rows for name, t in engine.read_all(store).items()}
    floor = time.perf_counter() - started
    store.close()
    best = min(r["seconds"] for r in runs)
    return {
        "customers": CUSTOMERS,
        "orders": rows["orders"],
        "order_lines": rows["lines"],
        "interactions": rows["interactions"],
        "runs": runs,
        "summary": {
            "seconds": round(best, 2),
            "target_seconds": TARGET_SECONDS,
            "target_met": best <= TARGET_SECONDS,
            "floor_read_seconds": round(floor, 2),
            "ratio_to_floor": round(best / floor, 2),
        },
    }


def run() -> dict[str, Any]:
    db = ensure_insights_db()
    return _measure(db)


if __name__ == "__main__":
    import json

    print(json.dumps(run(), indent=2))
