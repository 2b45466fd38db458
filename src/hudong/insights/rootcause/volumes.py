"""The volumes complaints are compared with: shipments per carrier and warehouse, order lines
per product, per month and region.

Counting millions of shipments and order lines while a person waits would take longer than
the whole analysis may, so every insights run counts them once (DuckDB already holds the
orders, lines and customers) and stores them as KPI facts per region: ``rc_shipments`` per day
(UTC) shipped (key: the carrier's id, series: the warehouse's id) and the same per month
(``rc_shipments_m``), and ``rc_lines_m`` per month ordered (key: the product's id). The
analysis reads the whole months of its range and the shipments of the days at its edges; a
month the range cuts counts the share of its order lines that its days in the range make.
Before the first run, or for users who see only their own or their team's customers, the
volumes are counted live from the tables instead (:func:`live`).
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce

from hudong.commerce.models import Order, OrderLine, Shipment
from hudong.core import scoping
from hudong.core.models.access import Scope
from hudong.insights import engine
from hudong.insights.kpis import facts as kpi_facts  # registers first: it empties the facts
from hudong.insights.models import InsightsRun, KpiFact, RunStatus

SHIPMENTS, LINES = "rc_shipments", "rc_lines"
MONTHLY = "_m"  # the same facts per month: a long range reads months, and days at its edges
METRICS = (SHIPMENTS, LINES, SHIPMENTS + MONTHLY, LINES + MONTHLY)
HOOK = "rootcause"


@dataclass
class Volumes:
    carriers: dict[int, int] = field(default_factory=dict)
    warehouses: dict[int, int] = field(default_factory=dict)
    products: dict[int, int] = field(default_factory=dict)
    source: str = "live"  # or "run <id>"


# --- written by every insights run --------------------------------------------------------------

SHIPMENTS_SQL = (
    "SELECT order_id, carrier_id, warehouse_id, shipped_at FROM commerce_shipment "
    "WHERE shipped_at IS NOT NULL"
)
DAILY_SQL = f"""
SELECT '{SHIPMENTS}' AS metric, CAST(s.shipped_at AS DATE) AS period,
       c.region_id AS region_id, CAST(s.carrier_id AS VARCHAR) AS key,
       COALESCE(CAST(COALESCE(s.warehouse_id, o.warehouse_id) AS VARCHAR), '') AS series,
       CAST(0 AS DOUBLE) AS value, COUNT(*) AS count
FROM rc_shipment s
LEFT JOIN orders o ON o.id = s.order_id
LEFT JOIN customers c ON c.id = o.customer_id
GROUP BY ALL
"""
LINES_SQL = f"""
SELECT '{LINES}{MONTHLY}' AS metric, CAST(date_trunc('month', o.ordered_at) AS DATE) AS period,
       c.region_id AS region_id, CAST(l.product_id AS VARCHAR) AS key, '' AS series,
       CAST(0 AS DOUBLE) AS value, COUNT(*) AS count
FROM lines l
JOIN orders o ON o.id = l.order_id
LEFT JOIN customers c ON c.id = o.customer_id
GROUP BY ALL
"""


def compute(con: Any, shipments: Any) -> Any:
    """The volume facts as Arrow, from the run's DuckDB tables ``orders``, ``lines`` and
    ``customers`` and the shipments read as Arrow (timestamps as text or timestamps)."""
    raw = con.con
    raw.register("rc_shipment_raw", shipments)
    try:
        raw.execute(
            "CREATE OR REPLACE TEMP TABLE rc_shipment AS SELECT CAST(order_id AS BIGINT) AS "
            "order_id, CAST(carrier_id AS BIGINT) AS carrier_id, CAST(warehouse_id AS BIGINT) "
            "AS warehouse_id, TRY_CAST(shipped_at AS TIMESTAMP) AS shipped_at "
            "FROM rc_shipment_raw"
        )
    finally:
        raw.unregister("rc_shipment_raw")
    raw.execute(f"CREATE OR REPLACE TEMP TABLE rc_daily AS {DAILY_SQL}")
    return raw.sql(
        "SELECT metric, period, region_id, key, series, value, count FROM rc_daily UNION ALL "
        f"SELECT metric || '{MONTHLY}', CAST(date_trunc('month', period) AS DATE), region_id, "
        "key, series, CAST(0 AS DOUBLE), CAST(SUM(count) AS BIGINT) FROM rc_daily GROUP BY ALL "
        f"UNION ALL {LINES_SQL}"
    ).to_arrow_table()


def replace(store: Any, data: Any, run_id: int) -> int:
    """This run's volume facts instead of the previous ones, in one transaction."""
    with store.writing() as w:
        names = ", ".join(f"'{m}'" for m in METRICS)
        w.execute(f"DELETE FROM insights_kpifact WHERE metric IN ({names})")
        return int(w.insert("insights_kpifact", kpi_facts._as_db(data, run_id, store.vendor)))


@engine.after_run(HOOK)
def write_volumes(ctx: engine.RunContext) -> dict[str, Any]:
    data = compute(ctx.con, ctx.store.read(SHIPMENTS_SQL))
    return {"facts": replace(ctx.store, data, ctx.run.pk)}


# --- read by the analysis -------------------------------------------------------------------


def _latest() -> InsightsRun | None:
    run = InsightsRun.objects.filter(status=RunStatus.DONE).order_by("-finished_at", "-id").first()
    return run if run is not None and HOOK in (run.summary or {}) else None


def _month_share(month: dt.date, start: dt.date, end: dt.date) -> float:
    """The share of ``month``'s days that fall in [start, end] (order lines are kept per
    month: a range that cuts a month takes that share of its lines)."""
    days = calendar.monthrange(month.year, month.month)[1]
    last = month.replace(day=days)
    overlap = (min(end, last) - max(start, month)).days + 1
    return max(overlap, 0) / days


def _periods(start: dt.date, end: dt.date) -> Q:
    """The facts that add up to [start, end]: the whole months inside it from the monthly
    facts, the days before and after them from the daily ones."""
    first = (
        start if start.day == 1 else (start.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    )
    after_end = end + dt.timedelta(days=1)
    stop = after_end.replace(day=1)  # the first day after the last whole month
    daily = [SHIPMENTS]
    if first >= stop:
        return Q(metric__in=daily, period__gte=start, period__lte=end)
    months = Q(metric__in=[m + MONTHLY for m in daily], period__gte=first, period__lt=stop)
    head = Q(metric__in=daily, period__gte=start, period__lt=first)
    tail = Q(metric__in=daily, period__gte=stop, period__lte=end)
    return months | head | tail


def from_facts(user: Any, start: dt.date, end: dt.date, region: str) -> Volumes | None:
    """The volumes of the last run, in the user's scope; None when there is none to use."""
    scope = scoping.scope_for(user, "orders")
    if scope not in (Scope.ALL, Scope.REGION):
        return None
    run = _latest()
    if run is None:
        return None
    qs = KpiFact.objects.filter(run=run)
    if scope == Scope.REGION:
        profile = scoping.profile_of(user)
        if profile is None or profile.region_id is None:
            return Volumes(source=f"run {run.pk}")
        qs = qs.filter(region_id=profile.region_id)
    if region:
        qs = qs.filter(region__code=region)
    carriers: dict[int, int] = defaultdict(int)
    warehouses: dict[int, int] = defaultdict(int)
    shipped = qs.filter(_periods(start, end)).values_list("key", "series")
    for key, series, n in shipped.annotate(n=Sum("count")).order_by():
        carriers[int(key)] += n
        if series:
            warehouses[int(series)] += n
    products: dict[int, float] = defaultdict(float)
    lines = qs.filter(metric=LINES + MONTHLY, period__gte=start.replace(day=1), period__lte=end)
    for period, key, n in lines.values_list("period", "key").annotate(n=Sum("count")).order_by():
        products[int(key)] += n * _month_share(period, start, end)
    whole = {k: round(v) for k, v in products.items() if round(v) > 0}
    return Volumes(dict(carriers), dict(warehouses), whole, f"run {run.pk}")


def _counts(qs: QuerySet, column: Any) -> dict[int, int]:
    rows = qs.annotate(_k=column).values("_k").annotate(_n=Count("*")).values_list("_k", "_n")
    return {k: n for k, n in rows.order_by() if k is not None}


def live(user: Any, bounds: tuple[dt.datetime, dt.datetime], region: str) -> Volumes:
    """The volumes counted now over the orders the user may see (small databases, tests,
    users who see only their own customers)."""
    start, end = bounds
    q = Q()
    if scoping.scope_for(user, "orders") != Scope.ALL:
        q &= Q(order__in=scoping.visible(user, "orders", Order.objects.all()))
    if region:
        q &= Q(order__customer__region__code=region)
    shipments = Shipment.objects.filter(q, shipped_at__gte=start, shipped_at__lt=end)
    lines = OrderLine.objects.filter(q, order__ordered_at__gte=start, order__ordered_at__lt=end)
    return Volumes(
        _counts(shipments, F("carrier_id")),
        _counts(shipments, Coalesce("warehouse_id", "order__warehouse_id")),
        _counts(lines, F("product_id")),
    )
