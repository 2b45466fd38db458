"""The dashboards' facts counted live over the customers one user may see.

Only until the first insights run with owner facts has finished (afterwards the users who see
only their own or their team's customers read :class:`~hudong.insights.models.KpiOwnerFact`):
their customers, read as Arrow and counted by the same Ibis expressions as the nightly run
(:func:`hudong.insights.kpis.facts.compute`) on an in-memory DuckDB.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import ibis
import pyarrow as pa
from django.core.cache import cache
from django.db.models import Count, Max

from hudong.commerce.models import Order
from hudong.customers.queries import visible_customers
from hudong.insights.kpis.facts import compute
from hudong.insights.models import CustomerValue, InsightsRun
from hudong.interactions.models import Interaction

TS = pa.timestamp("us")
CACHE_SECONDS = 300


def _naive(moment: dt.datetime | None) -> dt.datetime | None:
    if moment is None:
        return None
    return moment.astimezone(dt.UTC).replace(tzinfo=None) if moment.tzinfo else moment


def _table(rows: list[tuple[Any, ...]], schema: pa.Schema) -> pa.Table:
    columns: list[Any] = list(zip(*rows, strict=True)) if rows else [[] for _ in schema]
    return pa.table(
        [pa.array(list(c), type=f.type) for c, f in zip(columns, schema, strict=True)],
        schema=schema,
    )


def scoped_tables(user: Any, as_of: dt.datetime) -> dict[str, pa.Table]:
    """The run's input tables, restricted to the customers ``user`` may see."""
    customers = visible_customers(user).order_by()
    ids = customers.values("pk")
    c_rows = [
        (pk, region, owner, kind, _naive(created))
        for pk, region, owner, kind, created in customers.values_list(
            "pk", "region_id", "owner_id", "kind", "created_at"
        )
    ]
    o_rows = [
        (pk, cid, float(total), _naive(at))
        for pk, cid, total, at in Order.objects.filter(customer__in=ids, ordered_at__lte=as_of)
        .exclude(status="cancelled")
        .order_by()
        .values_list("pk", "customer_id", "total", "ordered_at")
    ]
    i_rows = [
        (pk, cid, channel, float(cost), _naive(at))
        for pk, cid, channel, cost, at in Interaction.objects.filter(customer__in=ids)
        .order_by()
        .values_list("pk", "customer_id", "channel", "cost", "started_at")
    ]
    f_rows = [
        (cid, region, owner, tier, float(rev), float(profit),
         None if clv is None else float(clv), n)
        for cid, region, owner, tier, rev, profit, clv, n in CustomerValue.objects.filter(
            customer__in=ids
        )
        .order_by()
        .values_list(
            "customer_id", "customer__region_id", "customer__owner_id", "tier", "revenue",
            "profit", "clv", "orders_window",
        )
    ]  # fmt: skip
    return {
        "customers": _table(
            c_rows,
            pa.schema(
                [
                    ("id", pa.int64()),
                    ("region_id", pa.int64()),
                    ("owner_id", pa.int64()),
                    ("kind", pa.string()),
                    ("created_at", TS),
                ]
            ),
        ),
        "kept_orders": _table(
            o_rows,
            pa.schema(
                [
                    ("id", pa.int64()),
                    ("customer_id", pa.int64()),
                    ("total", pa.float64()),
                    ("ordered_at", TS),
                ]
            ),
        ),
        "interactions": _table(
            i_rows,
            pa.schema(
                [
                    ("id", pa.int64()),
                    ("customer_id", pa.int64()),
                    ("channel", pa.string()),
                    ("cost", pa.float64()),
                    ("started_at", TS),
                ]
            ),
        ),
        "final": _table(
            f_rows,
            pa.schema(
                [
                    ("id", pa.int64()),
                    ("region_id", pa.int64()),
                    ("owner_id", pa.int64()),
                    ("tier", pa.string()),
                    ("revenue", pa.float64()),
                    ("profit", pa.float64()),
                    ("clv", pa.float64()),
                    ("orders_window", pa.int64()),
                ]
            ),
        ),
    }


def live_facts(user: Any, as_of: dt.datetime) -> list[dict[str, Any]]:
    """Every fact of the dashboards over ``user``'s customers, as of ``as_of``."""
    con = ibis.duckdb.connect()
    try:
        con.raw_sql("SET TimeZone = 'UTC'")
        tables = {
            name: con.create_table(name, data, temp=True)
            for name, data in scoped_tables(user, as_of).items()
        }
        result = con.to_pyarrow(compute(tables, _naive(as_of) or as_of, con))
    finally:
        con.disconnect()
    return result.to_pylist()


def cached_live_facts(
    user: Any, run: InsightsRun | None, as_of: dt.datetime
) -> list[dict[str, Any]]:
    """:func:`live_facts`, kept a few minutes for this user, this run and this set of
    customers (the four dashboards and their exports share one count)."""
    if run is None or run.finished_at is None:
        return live_facts(user, as_of)
    seen = visible_customers(user).order_by().aggregate(n=Count("pk"), last=Max("pk"))
    key = (
        f"insights:kpis:live:{user.pk}:{run.pk}:{run.finished_at.timestamp()}:"
        f"{seen['n']}:{seen['last']}"
    )
    rows = cache.get(key)
    if rows is None:
        rows = live_facts(user, as_of)
        cache.set(key, rows, CACHE_SECONDS)
    return list(rows)
