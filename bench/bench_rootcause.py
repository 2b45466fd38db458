"""Root-cause analysis over 1,000,000 cases: target ≤ 5 s on 2 cores.

The database is the one of :mod:`cases_db` (the 1,000,000-customer demo database, about
4,000,000 orders and 3,900,000 shipments, plus ``BENCH_CASES`` cases over three years, built
once under ``var/bench/``; its delivery complaints lean on the carrier the demo planted),
copied once to ``var/bench/rootcause-<cases db>-v<V>.sqlite3`` where the volumes are counted
as every insights run counts them (:mod:`hudong.insights.rootcause.volumes`: shipments per
day and month, order lines per month, per region, into KPI facts; the seconds this takes are
reported as ``volumes_seconds``, what the nightly run spends on top). The analysis then only
reads: it runs with the connection set to ``query_only``.

Measured: :func:`hudong.insights.rootcause.analysis.analyse` over the whole three years, as an
analyst would ask for it (every region, every category: two Paretos, the four
over-representation tables with their volumes, daily complaints by category), for

- **cold**: each run in a fresh process (new connection, SQLite's page cache empty; the
  operating system's file cache is whatever the machine has), median of ``RUNS``;
- **warm**: ``RUNS`` more runs in one process after the first, median;
- an **agent** (one region) in the same warm process, for scale;
- the **floor**: one plain ``SELECT category_id, COUNT(*) FROM service_case GROUP BY
  category_id`` with ``sqlite3`` in the same process (median of ``RUNS``); the ratio
  analysis / floor says what the joins and the eight aggregations cost on top of one scan.

Also checked: the planted carrier is the top over-represented one for delivery complaints.
Run: ``uv run --frozen python bench/run.py rootcause``; writes
``bench/results/rootcause.json``.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases_db import AS_OF, CASES, FIRST_CASE, PLANTED_CARRIER, ensure_cases_db  # noqa: E402
from demo_db import BENCH_VAR, ROOT, _single_file, django_env  # noqa: E402

VERSION = 2  # 2: order lines per month

RUNS = int(os.environ.get("BENCH_ROOTCAUSE_RUNS", "5"))
TARGET_SECONDS = 5.0
RESULTS = Path(__file__).resolve().parent / "results"


def _setup(db: Path) -> None:
    """Django on ``db``, read only: the connection refuses writes and keeps the journal mode."""
    os.environ.update(django_env(db))
    import django
    from django.conf import settings

    django.setup()
    options = settings.DATABASES["default"]["OPTIONS"]
    options["init_command"] = "PRAGMA query_only=ON;PRAGMA busy_timeout=20000;"
    options.pop("transaction_mode", None)


def prepare(db: Path) -> dict[str, Any]:
    """Count the volumes into ``db`` as an insights run does (in this fresh process)."""
    os.environ.update(django_env(db))
    import django

    django.setup()
    from django.utils import timezone

    from hudong.insights import duck, engine
    from hudong.insights.models import InsightsRun, RunStatus
    from hudong.insights.rootcause import volumes
    from hudong.insights.store import Store

    started = time.perf_counter()
    store = Store()
    reads = engine.reads(store)
    frames = store.read_many({k: reads[k] for k in ("orders", "lines", "customers")})
    shipments = store.read(volumes.SHIPMENTS_SQL)
    read = time.perf_counter() - started
    con = duck.connect()
    for name, data in frames.items():
        engine._load(con, name, data)
    data = volumes.compute(con, shipments)
    now = timezone.now()
    run = InsightsRun.objects.create(
        trigger="bench",
        as_of=AS_OF.replace(tzinfo=dt.UTC),
        status=RunStatus.DONE,
        finished_at=now,
        summary={volumes.HOOK: {}},
    )
    written = volumes.replace(store, data, run.pk)
    total = time.perf_counter() - started
    return {
        "volumes_seconds": round(total, 2),
        "volumes_read_seconds": round(read, 2),
        "facts": written,
        "shipments": shipments.num_rows,
        "order_lines": frames["lines"].num_rows,
    }


def ensure_prepared() -> tuple[Path, dict[str, Any]]:
    """The copy of the cases database with the volumes counted, made once."""
    base = ensure_cases_db()
    target = BENCH_VAR / f"rootcause-{base.stem}-v{VERSION}.sqlite3"
    info = target.with_suffix(".json")
    if target.exists() and info.exists():
        return target, json.loads(info.read_text())
    work = target.with_name(f"build-{target.name}")
    print(f"copying {base.name} ...", flush=True)
    shutil.copyfile(base, work)
    print("counting the volumes ...", flush=True)
    proc = subprocess.run(
        [sys.executable, __file__, "--prepare", str(work)],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    prepared = json.loads(proc.stdout.strip().splitlines()[-1])
    _single_file(work)
    work.rename(target)
    info.write_text(json.dumps(prepared))
    return target, prepared


def _filters(category: str = "") -> Any:
    from hudong.insights.rootcause.analysis import Filters

    return Filters(start=FIRST_CASE.date(), end=AS_OF.date(), category=category)


def _user(username: str) -> Any:
    from django.contrib.auth import get_user_model

    return get_user_model().objects.select_related("profile").get(username=username)


def _agent() -> Any:
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.select_related("profile")
        .filter(username__startswith="bench.agent.")
        .order_by("id")
        .first()
    )


def _timed(user: Any, category: str = "") -> tuple[float, Any]:
    from hudong.insights.rootcause.analysis import analyse

    started = time.perf_counter()
    result = analyse(user, _filters(category))
    return time.perf_counter() - started, result


def _floor(db: Path) -> list[float]:
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    times = []
    try:
        for _ in range(RUNS):
            started = time.perf_counter()
            con.execute(
                "SELECT category_id, COUNT(*) FROM service_case GROUP BY category_id"
            ).fetchall()
            times.append(time.perf_counter() - started)
    finally:
        con.close()
    return times


def cold_once(db: Path) -> dict[str, Any]:
    """One analysis in this (fresh) process; what a cold run measures."""
    _setup(db)
    seconds, result = _timed(_user("bench.manager"))
    return {"seconds": seconds, "complaints": result.complaints}


def _cold_runs(db: Path) -> list[float]:
    times = []
    for _ in range(RUNS):
        proc = subprocess.run(
            [sys.executable, __file__, "--cold", str(db)],
            check=True,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        times.append(float(json.loads(proc.stdout.strip().splitlines()[-1])["seconds"]))
    return times


def _stats(times: list[float]) -> dict[str, float]:
    return {
        "median_s": round(statistics.median(times), 3),
        "min_s": round(min(times), 3),
        "max_s": round(max(times), 3),
    }


def _warm(db: Path) -> dict[str, Any]:
    _setup(db)
    manager, agent = _user("bench.manager"), _agent()
    _timed(manager)  # the first run warms the caches
    warm = [_timed(manager)[0] for _ in range(RUNS)]
    agent_times = [_timed(agent)[0] for _ in range(RUNS)] if agent else []
    _seconds, full = _timed(manager)
    _seconds, delivery = _timed(manager, "delivery")
    carriers = delivery.dimension("carrier").rows
    top = carriers[0] if carriers else None
    return {
        "warm": warm,
        "agent": agent_times,
        "complaints": full.complaints,
        "days": len(full.days),
        "planted_found": bool(top and top.key == PLANTED_CARRIER and top.significant),
        "top_delivery_carrier": None
        if top is None
        else {
            "key": top.key,
            "complaint_share": round(top.complaint_share, 4),
            "volume_share": round(top.volume_share, 4),
            "lift": None if top.lift is None else round(top.lift, 2),
            "p_value": top.p_value,
        },
    }


def run() -> dict[str, Any]:
    db, prepared = ensure_prepared()
    cold = _cold_runs(db)
    measured = _warm(db)
    floor = _floor(db)
    worst = max(statistics.median(cold), statistics.median(measured["warm"]))
    summary = {
        "cases": measured["complaints"],
        "cases_target": CASES,
        "range_days": measured["days"],
        "cold_median_s": round(statistics.median(cold), 3),
        "warm_median_s": round(statistics.median(measured["warm"]), 3),
        "agent_warm_median_s": round(statistics.median(measured["agent"]), 3)
        if measured["agent"]
        else None,
        "floor_median_s": round(statistics.median(floor), 3),
        "warm_floor_ratio": round(
            statistics.median(measured["warm"]) / max(statistics.median(floor), 1e-6), 1
        ),
        "target_seconds": TARGET_SECONDS,
        "target_met": worst <= TARGET_SECONDS,
        "planted_carrier_found": measured["planted_found"],
        "volumes_seconds_in_the_insights_run": prepared["volumes_seconds"],
    }
    return {
        "summary": summary,
        "database": db.name,
        "measured_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "runs": RUNS,
        "cold": _stats(cold),
        "warm": _stats(measured["warm"]),
        "agent_warm": _stats(measured["agent"]) if measured["agent"] else None,
        "floor": _stats(floor),
        "top_delivery_carrier": measured["top_delivery_carrier"],
        "volumes": prepared,
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["--prepare"]:
        print(json.dumps(prepare(Path(sys.argv[2]))))
        sys.exit(0)
    if sys.argv[1:2] == ["--cold"]:
        print(json.dumps(cold_once(Path(sys.argv[2]))))
        sys.exit(0)
    out = run()
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "rootcause.json").write_text(
        json.dumps(out, ensure_ascii=False, indent=2, default=str) + "\n"
    )
    print(json.dumps(out["summary"], ensure_ascii=False, indent=2))
