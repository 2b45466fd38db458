"""The cases benchmark database: the 1,000,000-customer demo database plus 1,000,000 cases.

How to get it: ``uv run --frozen python bench/cases_db.py`` (or any benchmark that calls
:func:`ensure_cases_db`) builds ``var/bench/cases-<N>-v<V>.sqlite3`` once (``N`` cases,
``BENCH_CASES`` or 1,000,000; ``V`` is :data:`CASES_VERSION`) and returns at once when it is
there. The build takes roughly 10 minutes on 2 cores and about 8 GB of disk:

1. the demo database of ``BENCH_CASES_CUSTOMERS`` customers (default 1,000,000, about 4,000,000
   orders and 3,900,000 shipments; built by :mod:`demo_db` if missing, which takes longer) is
   copied and migrated (``hudong migrate``: categories, root causes, the default checklist, the
   SLA policies P1-P4 and the access rules are seeded by the migration);
2. staff: three service teams per region, ``AGENTS`` agents spread over them, a supervisor
   per team and a manager (role admin, every region); their usernames start ``bench.``;
3. the cases, written in bulk with ``executemany`` (never through the actions, which would take
   days), with the secondary indexes dropped during the load and built afterwards:

   - about 90% resolved or closed over three years, about 10% (``OPEN_SHARE``) still open,
     opened over the last weeks before :data:`AS_OF` (new, acknowledged, in progress, waiting on
     the customer), assigned within the customer's region;
   - categories from the seeded tree, severity, a priority derived from it, an SLA policy per
     priority with due times and a warning time, recorded warnings and breaches as a sweep at
     :data:`LAST_SWEEP` would have left them;
   - order, shipment and product links for the product and delivery complaints (the order opened
     2 to 30 days before the case); the delivery complaints lean on the carrier the demo
     generator planted (about 3% of shipments, about a quarter of delivery complaints), so the
     root-cause analysis has something to find;
   - root causes, CSAT scores and recovery outcomes on the resolved cases; ``NOTES_PER_CASE``
     notes per case on average (internal notes and replies) and the six checklist items each;
4. planner statistics (``ANALYZE``) for customers, cases, orders and shipments, as an operator
   of a large SQLite installation keeps them (see the benchmarks document).

Other benchmarks (root-cause analysis) reuse the file read-only or copy it; the cases benchmark
copies it before the SLA sweep changes it. All times are UTC, as Django stores them on SQLite.
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))

from demo_db import BENCH_VAR, ROOT, _single_file, django_env, ensure_demo_db  # noqa: E402

CASES = int(os.environ.get("BENCH_CASES", "1000000"))
CUSTOMERS = int(os.environ.get("BENCH_CASES_CUSTOMERS", "1000000"))
CASES_VERSION = 1
OPEN_SHARE = 0.10
AGENTS = 300
NOTES_PER_CASE = 3
CHUNK = 100_000
SEED = 5
AS_OF = dt.datetime(2026, 1, 1, 2, 0)  # 10:00 in Shanghai, a Thursday; the benchmark's "now"
LAST_SWEEP = AS_OF - dt.timedelta(days=1)  # the worker's last sweep before the benchmark's
FIRST_CASE = dt.datetime(2023, 1, 1)
PLANTED_CARRIER = "suda"  # the demo generator's late carrier
BUSINESS_FACTOR = 3.7  # wall-clock minutes per business minute (9 hours a day, 5 days a week)
DAY = 86400.0

CATEGORIES = {  # code: (weight, linked to an order, root causes)
    "product-quality": (10, True, ["product-defect", "unclear-instructions", "other"]),
    "packaging": (8, True, ["packaging-weak", "carrier-damage", "warehouse-error"]),
    "defect": (12, True, ["product-defect", "warehouse-error"]),
    "misuse": (5, True, ["unclear-instructions", "customer-expectation"]),
    "service-attitude": (10, False, ["agent-conduct", "customer-expectation"]),
    "delivery": (30, True, ["carrier-late", "carrier-lost", "carrier-damage", "warehouse-error"]),
    "billing": (10, False, ["billing-error", "customer-expectation"]),
    "other": (15, False, ["other", "customer-expectation"]),
}
SEVERITIES = (["low", "medium", "high", "critical"], [0.30, 0.45, 0.20, 0.05])
OPEN = (["new", "acknowledged", "in_progress", "waiting_customer"], [0.15, 0.20, 0.40, 0.25])
CHANNELS = ["phone", "wechat", "email", "webchat", "sms"]
SUBJECTS = {
    "product-quality": ["产品质量问题", "用了两周就坏了", "和描述不符"],
    "packaging": ["包装破损", "外箱压坏", "包装漏液"],
    "defect": ["产品有缺陷", "开箱即坏", "零件缺失"],
    "misuse": ["不会使用", "使用后出现故障", "说明书看不懂"],
    "service-attitude": ["客服态度差", "电话没人接", "答复敷衍"],
    "delivery": ["快递迟迟未到", "物流信息不更新", "包裹丢失"],
    "billing": ["重复扣款", "发票金额有误", "退款未到账"],
    "other": ["其他问题", "咨询投诉进度", "建议与意见"],
}
NOTES = [
    ("已致电客户致歉，核实订单信息。", True),
    ("联系仓库核查出库记录。", True),
    ("您好，我们已收到您的反馈，正在核实，请稍候。", False),
    ("已与承运商沟通，要求加急处理。", True),
    ("非常抱歉给您带来不便，我们将为您补发/退款。", False),
    ("客户情绪激动，按安抚指引处理。", True),
    ("问题已解决，感谢您的耐心。", False),
]


def cases_db_path() -> Path:
    return BENCH_VAR / f"cases-{CASES}-c{CUSTOMERS}-v{CASES_VERSION}.sqlite3"


def ensure_cases_db() -> Path:
    """The path of the cases benchmark database, built first if missing (one build at a time)."""
    target = cases_db_path()
    if target.exists():
        return target
    BENCH_VAR.mkdir(parents=True, exist_ok=True)
    with (BENCH_VAR / f".{target.stem}.lock").open("w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if target.exists():
            return target
        return _build(target)


def _build(target: Path) -> Path:
    started = time.perf_counter()
    base = ensure_demo_db(CUSTOMERS)
    work = target.with_name(f"build-{target.name}")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{work}{suffix}").unlink(missing_ok=True)
    print(f"copying {base.name} ...", flush=True)
    shutil.copyfile(base, work)
    env = {**os.environ, **django_env(work)}
    cli = [sys.executable, "-m", "hudong.cli", "migrate", "--verbosity", "0"]
    print("migrating ...", flush=True)
    subprocess.run(cli, env=env, check=True, cwd=ROOT)
    fill(work, target)
    print(f"built {target} in {time.perf_counter() - started:.0f} s", flush=True)
    return target


def fill(work: Path, target: Path) -> None:
    """Add the staff and the cases to the migrated copy ``work``, then move it to ``target``."""
    con = sqlite3.connect(work, isolation_level=None)
    con.execute("PRAGMA journal_mode=OFF")
    con.execute("PRAGMA synchronous=OFF")
    con.execute("PRAGMA cache_size=-1000000")
    try:
        staff = _staff(con)
        load_cases(con, staff, np.random.default_rng(SEED))
    finally:
        con.close()
    _single_file(work)
    work.rename(target)


# --- staff ----------------------------------------------------------------------------------


def _stamp(t: dt.datetime) -> str:
    return t.strftime("%Y-%m-%d %H:%M:%S")


def _user(con: sqlite3.Connection, username: str, role: str, region: Any, team: Any) -> int:
    cur = con.execute(
        "INSERT INTO auth_user (password, is_superuser, username, first_name, last_name, email,"
        " is_staff, is_active, date_joined) VALUES ('!', 0, ?, '', '', '', 0, 1, ?)",
        (username, _stamp(FIRST_CASE)),
    )
    user_id = int(cur.lastrowid or 0)
    con.execute(
        "INSERT INTO core_profile (role, language, user_id, region_id, team_id)"
        " VALUES (?, '', ?, ?, ?)",
        (role, user_id, region, team),
    )
    return user_id


def _staff(con: sqlite3.Connection) -> dict[str, Any]:
    """Teams (three per region), agents, a supervisor per team and a manager."""
    con.execute("BEGIN")
    regions = [r for (r,) in con.execute("SELECT id FROM core_region ORDER BY id")]
    teams: dict[int, list[int]] = {}
    agents: dict[int, list[int]] = {}
    for region in regions:
        code = con.execute("SELECT code FROM core_region WHERE id = ?", (region,)).fetchone()[0]
        for k in range(3):
            name = f"bench-service-{code}-{k + 1}"
            cur = con.execute(
                "INSERT INTO core_team (name, skills, region_id) VALUES (?, ?, ?)",
                (name, '["service"]' if k else '["service", "billing"]', region),
            )
            team = int(cur.lastrowid or 0)
            teams.setdefault(region, []).append(team)
            _user(con, f"bench.supervisor.{code}.{k + 1}", "supervisor", region, team)
    per_team = max(1, AGENTS // (3 * len(regions)))
    for region in regions:
        for team in teams[region]:
            for k in range(per_team):
                uid = _user(con, f"bench.agent.{team}.{k + 1}", "agent", region, team)
                agents.setdefault(team, []).append(uid)
    manager = _user(con, "bench.manager", "admin", None, None)
    con.execute("COMMIT")
    return {"regions": regions, "teams": teams, "agents": agents, "manager": manager}


# --- the data the cases point at --------------------------------------------------------------


def _column(con: sqlite3.Connection, sql: str, n: int) -> np.ndarray:
    return np.fromiter((r[0] for r in con.execute(sql)), dtype=np.int64, count=n)


def _orders(con: sqlite3.Connection) -> dict[str, np.ndarray]:
    """Orders in date order with their customer, first shipment, carrier and first product."""
    print("reading orders ...", flush=True)
    rows = con.execute(
        "SELECT o.id, o.customer_id, CAST(strftime('%s', o.ordered_at) AS INTEGER),"
        " COALESCE(s.id, 0), COALESCE(s.carrier_id, 0),"
        " COALESCE((SELECT min(l.product_id) FROM commerce_orderline l"
        "           WHERE l.order_id = o.id), 0)"
        " FROM commerce_order o LEFT JOIN commerce_shipment s ON s.id ="
        " (SELECT min(id) FROM commerce_shipment WHERE order_id = o.id)"
        " ORDER BY o.ordered_at"
    ).fetchall()
    arr = np.array(rows, dtype=np.int64)
    return {
        "id": arr[:, 0],
        "customer": arr[:, 1],
        "at": arr[:, 2],
        "shipment": arr[:, 3],
        "carrier": arr[:, 4],
        "product": arr[:, 5],
    }


def _ids(con: sqlite3.Connection, table: str) -> dict[str, int]:
    return dict(con.execute(f"SELECT code, id FROM {table}"))  # noqa: S608 (fixed names)


# --- the cases ------------------------------------------------------------------------------


def _created(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Opening times (epoch seconds, ascending) and whether each case is still open."""
    n_open = int(n * OPEN_SHARE)
    start, end = FIRST_CASE.replace(tzinfo=dt.UTC), AS_OF.replace(tzinfo=dt.UTC)
    t0, t1 = start.timestamp(), end.timestamp()
    # Closed cases: volume grows over the three years (more customers, more orders).
    u = rng.random(n - n_open)
    closed_at = t0 + (t1 - 3 * DAY - t0) * np.sqrt(u)
    # Open cases: the recent weeks' backlog, most of it young.
    age = np.minimum(rng.exponential(8 * DAY, n_open), 60 * DAY)
    open_at = t1 - 600 - age
    created = np.concatenate([closed_at, open_at])
    is_open = np.concatenate([np.zeros(n - n_open, bool), np.ones(n_open, bool)])
    order = np.argsort(created, kind="stable")
    return created[order].astype(np.int64), is_open[order]


def load_cases(con: sqlite3.Connection, staff: dict[str, Any], rng: np.random.Generator) -> None:
    """Write CASES cases, their notes and checklist items; indexes are built afterwards."""
    orders = _orders(con)
    planted = _ids(con, "commerce_carrier").get(PLANTED_CARRIER, -1)
    regions = np.zeros(CUSTOMERS + 1, dtype=np.int64)
    for cid, region in con.execute("SELECT id, region_id FROM customers_customer"):
        if cid <= CUSTOMERS:
            regions[cid] = region or 0
    indexes = _drop_indexes(con, ["service_case", "service_casenote", "service_casechecklistitem"])
    created, is_open = _created(rng, CASES)
    context = {
        "orders": orders,
        "planted": np.flatnonzero(orders["carrier"] == planted),
        "planted_carrier": planted,
        "regions": regions,
        "staff": staff,
        "categories": _ids(con, "service_casecategory"),
        "causes": _ids(con, "service_rootcause"),
        "policies": dict(con.execute("SELECT priority, id FROM service_slapolicy")),
        "steps": list(con.execute("SELECT code, label, position FROM service_checkliststep")),
        # A demo database that has cases already: go on from each year's last number.
        "year_seq": {
            int(year): int(last)
            for year, last in con.execute(
                "SELECT substr(number, 2, 4), max(CAST(substr(number, 7) AS INTEGER))"
                " FROM service_case WHERE number LIKE 'C____-%' GROUP BY 1"
            )
        },
    }
    next_id = 1 + (con.execute("SELECT COALESCE(max(id), 0) FROM service_case").fetchone()[0])
    print(f"writing {CASES:,} cases ...", flush=True)
    for lo in range(0, CASES, CHUNK):
        hi = min(CASES, lo + CHUNK)
        rows = _chunk(rng, created[lo:hi], is_open[lo:hi], next_id + lo, context)
        con.execute("BEGIN")
        _insert(con, "service_case", rows["cases"])
        _insert(con, "service_casenote", rows["notes"])
        _insert(con, "service_casechecklistitem", rows["items"])
        con.execute("COMMIT")
        print(f"  {hi:,}", flush=True)
    print("building indexes ...", flush=True)
    for sql in indexes:
        con.execute(sql)
    analyze(con)


# Tables whose planner statistics the case pages, the sweep and the root-cause analysis need.
ANALYZED = [
    "customers_customer",
    "service_case",
    "service_casenote",
    "service_casechecklistitem",
    "commerce_order",
    "commerce_shipment",
]


def analyze(con: sqlite3.Connection) -> None:
    """Planner statistics (full, not sampled: a sample of 1,000 rows tells SQLite a region has
    1,000 customers). The demo database has none; without them SQLite takes ``region_id = ?``
    for a handful of customers and starts every scoped case query from the region's 250,000
    customers."""
    con.execute("PRAGMA analysis_limit=0")
    for table in ANALYZED:
        con.execute(f"ANALYZE {table}")


def _drop_indexes(con: sqlite3.Connection, tables: list[str]) -> list[str]:
    """Drop the secondary (non-unique) indexes of ``tables``; their CREATE statements."""
    marks = ",".join("?" * len(tables))
    found = con.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL"  # noqa: S608
        f" AND tbl_name IN ({marks}) AND sql NOT LIKE 'CREATE UNIQUE%'",
        tables,
    ).fetchall()
    for name, _sql in found:
        con.execute(f'DROP INDEX "{name}"')
    return [sql for _name, sql in found]


def _insert(con: sqlite3.Connection, table: str, rows: dict[str, list[Any]]) -> None:
    columns = list(rows)
    marks = ",".join("?" * len(columns))
    names = ",".join(columns)
    con.executemany(
        f"INSERT INTO {table} ({names}) VALUES ({marks})",  # noqa: S608 (fixed names)
        zip(*(rows[c] for c in columns), strict=True),
    )


def _when(seconds: Any) -> str | None:
    if seconds is None or seconds < 0:
        return None
    return _stamp(dt.datetime(1970, 1, 1) + dt.timedelta(seconds=int(seconds)))


def _pick_orders(
    rng: np.random.Generator, created: np.ndarray, ctx: dict[str, Any], delivery: np.ndarray
) -> np.ndarray:
    """An order placed 2 to 30 days before each case (index into the orders); for delivery
    complaints, often one carried by the planted carrier."""
    at = ctx["orders"]["at"]
    lo = np.searchsorted(at, created - 30 * DAY)
    hi = np.maximum(np.searchsorted(at, created - 2 * DAY), lo + 1)
    picked = np.minimum(lo + (rng.random(len(created)) * (hi - lo)).astype(np.int64), len(at) - 1)
    planted = ctx["planted"]
    if len(planted):
        lean = delivery & (rng.random(len(created)) < 0.22)
        p_at = at[planted]
        plo = np.searchsorted(p_at, created[lean] - 30 * DAY)
        phi = np.maximum(np.searchsorted(p_at, created[lean] - 2 * DAY), plo + 1)
        k = plo + (rng.random(int(lean.sum())) * (phi - plo)).astype(np.int64)
        picked[lean] = planted[np.minimum(k, len(planted) - 1)]
    return np.asarray(picked)


def _chunk(
    rng: np.random.Generator,
    created: np.ndarray,
    is_open: np.ndarray,
    first_id: int,
    ctx: dict[str, Any],
) -> dict[str, dict[str, list[Any]]]:
    n = len(created)
    codes = list(CATEGORIES)
    weights = np.array([CATEGORIES[c][0] for c in codes], float)
    cat = rng.choice(len(codes), n, p=weights / weights.sum())
    linked = np.array([CATEGORIES[c][1] for c in codes])[cat]
    delivery = cat == codes.index("delivery")
    picked = _pick_orders(rng, created, ctx, delivery)
    orders = ctx["orders"]
    customer = np.where(linked, orders["customer"][picked], rng.integers(1, CUSTOMERS + 1, n))
    customer = np.where(customer > CUSTOMERS, rng.integers(1, CUSTOMERS + 1, n), customer)
    severity = rng.choice(4, n, p=SEVERITIES[1])
    priority = np.clip(4 - severity - (rng.random(n) < 0.15), 1, 4)
    open_status = rng.choice(4, n, p=OPEN[1])
    closed = rng.random(n) < 0.94
    cases: dict[str, list[Any]] = {k: [] for k in _CASE_COLUMNS}
    notes: dict[str, list[Any]] = {
        k: [] for k in ("case_id", "author_id", "body", "internal", "created_at")
    }
    items: dict[str, list[Any]] = {
        k: [] for k in ("case_id", "code", "label", "position", "done_at", "done_by_id")
    }
    r = rng.random((n, 8))
    for i in range(n):
        cid = first_id + i
        code = codes[cat[i]]
        region = int(ctx["regions"][customer[i]]) or ctx["staff"]["regions"][0]
        teams = ctx["staff"]["teams"][region]
        team = teams[int(r[i, 0] * len(teams))]
        pool = ctx["staff"]["agents"][team]
        agent = pool[int(r[i, 1] * len(pool))]
        status = OPEN[0][open_status[i]] if is_open[i] else ("closed" if closed[i] else "resolved")
        row = _case_row(cid, code, status, int(created[i]), int(priority[i]), r[i], ctx)
        row.update(
            customer_id=int(customer[i]),
            category_id=ctx["categories"][code],
            severity=SEVERITIES[0][severity[i]],
            team_id=team,
            assignee_id=None if (status == "new" and r[i, 2] < 0.4) else agent,
            created_by_id=agent if r[i, 3] < 0.3 else None,
            subject=SUBJECTS[code][int(r[i, 4] * 3)],
            channel=CHANNELS[int(r[i, 5] * len(CHANNELS))],
        )
        if linked[i]:
            row["order_id"] = int(orders["id"][picked[i]])
            row["shipment_id"] = int(orders["shipment"][picked[i]]) or None
            if code != "delivery":
                row["product_id"] = int(orders["product"][picked[i]]) or None
        if row["root_cause_id"] == -1:
            causes = CATEGORIES[code][2]
            cause = causes[int(r[i, 6] * len(causes))]
            if code == "delivery" and orders["carrier"][picked[i]] == ctx["planted_carrier"]:
                cause = "carrier-late"
            row["root_cause_id"] = ctx["causes"].get(cause)
        for k in _CASE_COLUMNS:
            cases[k].append(row.get(k))
        _notes_of(notes, cid, int(created[i]), row["assignee_id"], r[i, 7], status)
        _items_of(items, cid, row, ctx["steps"])
    return {"cases": cases, "notes": notes, "items": items}


_CASE_COLUMNS = [
    "id", "number", "subject", "description", "severity", "priority", "status", "source",
    "channel", "created_at", "updated_at", "assigned_at", "acknowledged_at", "first_response_at",
    "resolved_at", "closed_at", "reopened_count", "assignee_id", "created_by_id", "customer_id",
    "team_id", "category_id", "first_response_breached_at", "first_response_due", "paused_at",
    "paused_seconds", "resolution_breached_at", "resolution_due", "sla_warn_at", "sla_warned_at",
    "sla_policy_id", "csat_score", "customer_informed_at", "escalated_at", "order_id",
    "product_id", "recovery_outcome", "shipment_id", "temperament", "transfer_count",
    "root_cause_id",
]  # fmt: skip
SLA_MINUTES = {1: (60, 480), 2: (240, 1440), 3: (480, 1440), 4: (480, 2400)}


def _number(ctx: dict[str, Any], created: int) -> str:
    year = (dt.datetime(1970, 1, 1) + dt.timedelta(seconds=created)).year
    seq = ctx["year_seq"][year] = ctx["year_seq"].get(year, 0) + 1
    return f"C{year}-{seq:06d}"


def _case_row(
    cid: int, code: str, status: str, created: int, priority: int, r: np.ndarray, ctx: Any
) -> dict[str, Any]:
    """The workflow and SLA fields of one case, as a worker sweeping at LAST_SWEEP left them."""
    last = LAST_SWEEP.replace(tzinfo=dt.UTC).timestamp()
    fr_min, res_min = SLA_MINUTES[priority]
    fr_due = created + fr_min * 60 * BUSINESS_FACTOR
    res_due = created + res_min * 60 * BUSINESS_FACTOR
    done = status in ("resolved", "closed")
    responded = status != "new"
    # Response and resolution times: most on time, some late.
    first_response = created + fr_min * 60 * BUSINESS_FACTOR * (0.2 + 1.1 * r[1] ** 2)
    resolved = created + res_min * 60 * BUSINESS_FACTOR * (0.2 + 1.2 * r[2] ** 2)
    resolved = min(resolved, last - 60)
    if not done:
        first_response = min(first_response, last - 60) if responded else -1
    warn_at = (
        created + 0.8 * fr_min * 60 * BUSINESS_FACTOR
        if first_response < 0
        else created + 0.8 * res_min * 60 * BUSINESS_FACTOR
    )
    horizon = resolved if done else last
    row: dict[str, Any] = {
        "id": cid,
        "number": _number(ctx, created),
        "description": "",
        "priority": priority,
        "status": status,
        "source": ("interaction", "web_form", "agent")[int(r[3] * 3)],
        "created_at": _when(created),
        "updated_at": _when(resolved if done else min(last, created + 3600)),
        "assigned_at": _when(created + 120),
        "acknowledged_at": _when(created + 300) if responded else None,
        "first_response_at": _when(first_response) if first_response > 0 else None,
        "resolved_at": _when(resolved) if done else None,
        "closed_at": _when(min(resolved + 3 * DAY, last)) if status == "closed" else None,
        "reopened_count": int(r[4] < 0.03),
        "sla_policy_id": ctx["policies"].get(priority),
        "first_response_due": _when(fr_due),
        "resolution_due": _when(res_due),
        "sla_warn_at": _when(warn_at),
        "sla_warned_at": _when(warn_at) if warn_at <= horizon else None,
        "first_response_breached_at": (
            _when(fr_due) if fr_due <= (first_response if first_response > 0 else horizon) else None
        ),
        "resolution_breached_at": _when(res_due) if res_due <= horizon else None,
        "paused_at": _when(last - 3600 * (1 + 20 * r[5])) if status == "waiting_customer" else None,
        "paused_seconds": int(r[6] * 7200) if r[6] < 0.2 else 0,
        "temperament": "calm" if r[7] < 0.7 else ("emotional" if r[7] < 0.9 else "stubborn"),
        "transfer_count": int(r[0] < 0.1),
        "recovery_outcome": "",
        "root_cause_id": None,
        "csat_score": None,
    }
    if row["resolution_breached_at"] or row["first_response_breached_at"]:
        row["escalated_at"] = row["resolution_breached_at"] or row["first_response_breached_at"]
    if done:
        row["root_cause_id"] = -1  # chosen by the caller, who knows the order
        if r[5] < 0.6:
            row["csat_score"] = int(np.clip(round(5 - 4 * r[6] ** 1.5), 1, 5))
        if code in ("delivery", "defect", "packaging", "product-quality") and r[7] < 0.5:
            row["customer_informed_at"] = _when(resolved - 3600)
            row["recovery_outcome"] = ("recovered", "partial", "not_recovered")[int(r[3] * 3)]
    return row


def _notes_of(
    notes: dict[str, list[Any]], cid: int, created: int, author: Any, r: float, status: str
) -> None:
    count = 1 + int(r * (2 * NOTES_PER_CASE - 1)) if status != "new" else int(r * 2)
    for k in range(count):
        body, internal = NOTES[(cid + k) % len(NOTES)]
        notes["case_id"].append(cid)
        notes["author_id"].append(author)
        notes["body"].append(body)
        notes["internal"].append(int(internal))
        notes["created_at"].append(_when(created + 600 * (k + 1)))


def _items_of(
    items: dict[str, list[Any]], cid: int, row: dict[str, Any], steps: list[tuple[Any, ...]]
) -> None:
    done = row["status"] in ("resolved", "closed")
    for code, label, position in steps:
        ticked = done or (code == "acknowledge" and row["acknowledged_at"])
        items["case_id"].append(cid)
        items["code"].append(code)
        items["label"].append(label)
        items["position"].append(position)
        items["done_at"].append((row["resolved_at"] or row["acknowledged_at"]) if ticked else None)
        items["done_by_id"].append(row["assignee_id"] if ticked else None)


def _main() -> Iterator[Path]:
    yield ensure_cases_db()


if __name__ == "__main__":
    for path in _main():
        print(path)
