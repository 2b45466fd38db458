"""Case queue and case page p95 ≤ 100 ms with 1,000,000 cases; SLA sweep of 100,000 open ≤ 10 s.

The database is the one of :mod:`cases_db` (the 1,000,000-customer demo database plus
``BENCH_CASES`` cases, built once under ``var/bench/``). The benchmark works on a copy of it
(the page views write audit entries and sessions, the sweep changes cases), deleted at the end,
so the built database stays as built and other benchmarks can reuse it.

Measured in this process with Django's test client (the whole request: middleware, session,
scoping, the queries, the template; no network), after a warm-up, for three users: an agent
(role agent, one region), a supervisor (one region) and a manager (role admin, every region):

- the case queue ``/service/cases/``, ``BENCH_CASES_REQUESTS`` requests (default 240) cycling
  over six filters: the default (every open case), ``status=in_progress``,
  ``category=delivery``, ``sla=breached``, ``sla=at_risk`` and ``assignee=me``;
- case pages ``/service/cases/<id>/``, as many requests, on random cases the user may see
  (half of them open);
- p50, p95, p99 and max per page kind and user, and per filter; the same of the serving
  thread's CPU time (``*_cpu``: the request without its waits for a core, since the machine
  may be shared); the number of SQL queries of one request of each;
- the **floor**: the rows of the same page read with a bare ``sqlite3`` SELECT (the queue's
  first 50 open cases in scope, per status along the index and merged, with their customer,
  category and assignee; one case with
  its notes), with nothing rendered; ratio = page p50 / floor p50.

Then the SLA sweep (:func:`hudong.service.sla.sweep`) over the open cases, with a fake clock:
the database is as a sweep one day earlier left it, so the first run catches up a day of
warnings and breaches (a worker that was down for a day); the second run, one minute later, is
the steady state the worker meets every minute. Written to ``bench/results/sla_sweep.json``
(and, through ``bench/run.py``, everything to ``bench/results/cases.json``).

Run: ``uv run --frozen python bench/run.py cases`` (``make bench`` runs it with the others).
The machine is shared: read the medians, and re-run to compare.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import shutil
import sqlite3
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases_db import AS_OF, CASES, ensure_cases_db  # noqa: E402
from demo_db import BENCH_VAR, django_env  # noqa: E402

REQUESTS = int(os.environ.get("BENCH_CASES_REQUESTS", "240"))
FLOOR_REPEATS = 200
TARGET_PAGE_P95_MS = 100.0
TARGET_SWEEP_SECONDS = 10.0
RESULTS = Path(__file__).resolve().parent / "results"
FILTERS = {
    "default": "",
    "in_progress": "?status=in_progress",
    "delivery": "?category=delivery",
    "breached": "?sla=breached",
    "at_risk": "?sla=at_risk",
    "mine": "?assignee=me",
}
OPEN_STATUSES = ("new", "acknowledged", "in_progress", "waiting_customer")
# The best a hand-written SELECT does for the queue's page: per open status, the first 50 in
# order (along the (status, priority, created_at) index), merged; with the customer,
# category and assignee the page shows.
QUEUE_FLOOR_PART = """
SELECT * FROM (
  SELECT c.id, c.number, c.subject, c.priority, c.status, c.created_at, c.resolution_due,
         c.sla_warned_at, c.first_response_breached_at, c.resolution_breached_at,
         u.id AS customer, u.name AS customer_name, k.name AS category, a.username
  FROM service_case c
  JOIN customers_customer u ON u.id = c.customer_id
  JOIN service_casecategory k ON k.id = c.category_id
  LEFT JOIN auth_user a ON a.id = c.assignee_id
  WHERE c.status = '{status}' {region}
  ORDER BY c.priority, c.created_at, c.id LIMIT 50)
"""


def queue_floor_sql(region: int | None) -> str:
    where = f"AND u.region_id = {int(region)}" if region is not None else ""
    parts = [QUEUE_FLOOR_PART.format(status=s, region=where) for s in OPEN_STATUSES]
    return " UNION ALL ".join(parts) + " ORDER BY 4, 6, 1 LIMIT 50"


DETAIL_FLOOR_SQL = (
    "SELECT c.*, u.name FROM service_case c JOIN customers_customer u"
    " ON u.id = c.customer_id WHERE c.id = ?",
    "SELECT n.*, a.username FROM service_casenote n LEFT JOIN auth_user a ON a.id = n.author_id"
    " WHERE n.case_id = ? ORDER BY n.created_at, n.id",
)


def _ms(seconds: list[float]) -> dict[str, float]:
    ordered = sorted(seconds)

    def at(share: float) -> float:
        return round(1000 * ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))], 2)

    return {
        "n": len(ordered),
        "p50_ms": round(1000 * statistics.median(ordered), 2),
        "p95_ms": at(0.95),
        "p99_ms": at(0.99),
        "max_ms": round(1000 * ordered[-1], 2),
    }


def working_copy(db: Path) -> Path:
    """A copy of the built database that this run may change (deleted by :func:`run`)."""
    work = BENCH_VAR / f"work-{db.name}"
    _remove(work)
    shutil.copyfile(db, work)
    return work


def _remove(db: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db}{suffix}").unlink(missing_ok=True)


# --- who and what is asked --------------------------------------------------------------------


def _users() -> dict[str, Any]:
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.select_related("profile")
    return {
        "agent": users.filter(username__startswith="bench.agent.").order_by("pk").first(),
        "supervisor": users.filter(username__startswith="bench.supervisor.").order_by("pk")[0],
        "manager": users.get(username="bench.manager"),
    }


def _cases_in_scope(con: sqlite3.Connection, region: int | None, n: int) -> list[int]:
    """``n`` random case ids in the region (any region when None), half of them open."""
    rng = random.Random(11)
    top = con.execute("SELECT max(id) FROM service_case").fetchone()[0]
    open_ids = [
        r[0]
        for r in con.execute(
            "SELECT c.id FROM service_case c JOIN customers_customer u ON u.id = c.customer_id"
            " WHERE c.status IN ('new', 'acknowledged', 'in_progress', 'waiting_customer')"
            " AND (? IS NULL OR u.region_id = ?)",
            (region, region),
        )
    ]
    picked = rng.sample(open_ids, min(len(open_ids), n // 2))
    while len(picked) < n:
        ids = [rng.randint(1, top) for _ in range(4 * n)]
        marks = ",".join("?" * len(ids))
        picked += [
            r[0]
            for r in con.execute(
                "SELECT c.id FROM service_case c JOIN customers_customer u"  # noqa: S608
                f" ON u.id = c.customer_id WHERE c.id IN ({marks})"
                " AND (? IS NULL OR u.region_id = ?)",
                (*ids, region, region),
            )
        ][: n - len(picked)]
    rng.shuffle(picked)
    return picked


# --- timing -----------------------------------------------------------------------------------


def _get(client: Any, url: str, host: str, cpu: list[float]) -> tuple[float, int]:
    """Wall-clock seconds of one request (and its CPU seconds appended to ``cpu``)."""
    started, started_cpu = time.perf_counter(), time.thread_time()
    response = client.get(url, HTTP_HOST=host)
    cpu.append(time.thread_time() - started_cpu)
    return time.perf_counter() - started, response.status_code


def _queries(client: Any, url: str, host: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as ctx:
        client.get(url, HTTP_HOST=host)
    return len(ctx.captured_queries)


def _pages(user: Any, case_ids: list[int], host: str) -> dict[str, Any]:
    from django.test import Client

    client = Client()
    client.force_login(user)
    for query in FILTERS.values():  # warm-up: templates, rules, the page cache of SQLite
        client.get(f"/service/cases/{query}", HTTP_HOST=host)
    client.get(f"/service/cases/{case_ids[0]}/", HTTP_HOST=host)
    per_filter: dict[str, list[float]] = {k: [] for k in FILTERS}
    statuses: dict[str, int] = {}
    names = list(FILTERS)
    queue_cpu: list[float] = []
    detail_cpu: list[float] = []
    for k in range(REQUESTS):
        name = names[k % len(names)]
        took, status = _get(client, f"/service/cases/{FILTERS[name]}", host, queue_cpu)
        per_filter[name].append(took)
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    detail: list[float] = []
    for k in range(REQUESTS):
        url = f"/service/cases/{case_ids[k % len(case_ids)]}/"
        took, status = _get(client, url, host, detail_cpu)
        detail.append(took)
        statuses[str(status)] = statuses.get(str(status), 0) + 1
    return {
        "queue": _ms([s for v in per_filter.values() for s in v]),
        "queue_by_filter": {k: _ms(v) for k, v in per_filter.items()},
        "detail": _ms(detail),
        # CPU time of the serving thread: what a request costs when it does not wait for a
        # core (the machine is shared; wall-clock percentiles include the waits).
        "queue_cpu": _ms(queue_cpu),
        "detail_cpu": _ms(detail_cpu),
        "statuses": statuses,
        "queries": {
            "queue": _queries(client, "/service/cases/", host),
            "detail": _queries(client, f"/service/cases/{case_ids[1]}/", host),
        },
    }


def _floor(db: Path, region: int | None, case_ids: list[int]) -> dict[str, Any]:
    """The same rows as the pages, read with bare sqlite3 (nothing rendered)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        sql = queue_floor_sql(region)
        con.execute(sql).fetchall()
        queue = []
        for _ in range(FLOOR_REPEATS):
            started = time.perf_counter()
            con.execute(sql).fetchall()
            queue.append(time.perf_counter() - started)
        detail = []
        for k in range(FLOOR_REPEATS):
            started = time.perf_counter()
            for q in DETAIL_FLOOR_SQL:
                con.execute(q, (case_ids[k % len(case_ids)],)).fetchall()
            detail.append(time.perf_counter() - started)
        plan = [r[-1] for r in con.execute("EXPLAIN QUERY PLAN " + sql)]
    finally:
        con.close()
    return {"queue": _ms(queue), "detail": _ms(detail), "queue_plan": plan}


def _explain_queue(user: Any) -> list[str]:
    """SQLite's plan for one status of the default queue, as the app sends it."""
    from django.db import connection

    from hudong.service import queries

    qs = queries.visible_cases(user).filter(status="in_progress")
    qs = qs.order_by(*queries.QUEUE_ORDER).values_list(*queries.QUEUE_ORDER)
    sql, params = qs[: queries.QUEUE_PAGE].query.sql_with_params()
    with connection.cursor() as cur:
        cur.execute("EXPLAIN QUERY PLAN " + sql, params)
        return [str(r[-1]) for r in cur.fetchall()]


# --- the SLA sweep ------------------------------------------------------------------------------


def _sweep() -> dict[str, Any]:
    from hudong.service import sla
    from hudong.service.models import OPEN_STATUSES, Case

    now = AS_OF.replace(tzinfo=dt.UTC)
    open_cases = Case.objects.filter(status__in=OPEN_STATUSES).count()
    running = Case.objects.filter(status__in=sla.RUNNING, sla_policy__isnull=False).count()
    runs = []
    for name, at in (
        ("catch_up_one_day", now),
        ("steady_one_minute", now + dt.timedelta(minutes=1)),
    ):
        started = time.perf_counter()
        counts = sla.sweep(now=at)
        runs.append(
            {
                "run": name,
                "now": at.isoformat(),
                "seconds": round(time.perf_counter() - started, 3),
                **counts,
            }
        )
    worst = max(r["seconds"] for r in runs)
    return {
        "cases": Case.objects.count(),
        "open_cases": open_cases,
        "running_with_sla": running,
        "runs": runs,
        "summary": {
            "open_cases": open_cases,
            "first_run_seconds": runs[0]["seconds"],
            "first_run_warned": runs[0]["warned"],
            "first_run_breached": runs[0]["breached"],
            "steady_run_seconds": runs[1]["seconds"],
            "target_seconds": TARGET_SWEEP_SECONDS,
            "target_met": worst <= TARGET_SWEEP_SECONDS,
        },
    }


# --- the run ------------------------------------------------------------------------------------


def _measure(work: Path) -> dict[str, Any]:
    os.environ.update(django_env(work))
    import django

    django.setup()
    from django.conf import settings

    from hudong.core.scoping import seed_default_rules

    seed_default_rules()
    hosts = [h for h in settings.ALLOWED_HOSTS if h and h != "*" and not h.startswith(".")]
    host = hosts[0] if hosts else "localhost"
    con = sqlite3.connect(f"file:{work}?mode=ro", uri=True)
    users, pages, floors = _users(), {}, {}
    for who, user in users.items():
        region = user.profile.region_id if who != "manager" else None
        ids = _cases_in_scope(con, region, REQUESTS)
        pages[who] = _pages(user, ids, host)
        floors[who] = _floor(work, region, ids)
        for kind in ("queue", "detail"):
            pages[who][f"{kind}_floor_ratio"] = round(
                pages[who][kind]["p50_ms"] / max(floors[who][kind]["p50_ms"], 0.001), 1
            )
    con.close()
    plan = _explain_queue(users["agent"])
    sweep = _sweep()
    worst = max(max(p["queue"]["p95_ms"], p["detail"]["p95_ms"]) for p in pages.values())
    summary = {
        "cases": sweep["cases"],
        "open_cases": sweep["open_cases"],
        "requests_per_page_kind": REQUESTS,
        **{
            f"{who}_{kind}_{stat}": p[kind][stat]
            for who, p in pages.items()
            for kind in ("queue", "detail", "queue_cpu", "detail_cpu")
            for stat in ("p50_ms", "p95_ms")
        },
        "worst_page_p95_ms": worst,
        "target_page_p95_ms": TARGET_PAGE_P95_MS,
        "pages_target_met": worst <= TARGET_PAGE_P95_MS,
        "sweep_first_run_seconds": sweep["summary"]["first_run_seconds"],
        "sweep_steady_run_seconds": sweep["summary"]["steady_run_seconds"],
        "sweep_target_met": sweep["summary"]["target_met"],
    }
    return {
        "summary": summary,
        "pages": pages,
        "floors": floors,
        "queue_plan": plan,
        "sla_sweep": sweep,
    }


def run() -> dict[str, Any]:
    db = ensure_cases_db()
    work = working_copy(db)
    try:
        result = _measure(work)
    finally:
        _remove(work)
    result["database"] = db.name
    sweep = {"name": "sla_sweep", "database": db.name, "cases_target": CASES, **result["sla_sweep"]}
    try:
        from run import machine

        sweep["machine"] = machine()
    except ImportError:
        pass
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "sla_sweep.json").write_text(json.dumps(sweep, ensure_ascii=False, indent=2) + "\n")
    return result


if __name__ == "__main__":
    out = run()
    (RESULTS / "cases.json").write_text(
        json.dumps(out, ensure_ascii=False, indent=2, default=str) + "\n"
    )
    print(json.dumps(out["summary"], ensure_ascii=False, indent=2))
