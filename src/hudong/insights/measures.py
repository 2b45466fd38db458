"""Value measures as Ibis expressions: revenue, margin, cost to serve, profit, RFM.

Everything here takes and returns Ibis tables and never touches a backend, so the same
expressions run on DuckDB on one machine and on PySpark beyond it. The inputs are the raw
operational tables as the engine read them (see ``engine.READS``); timestamps are naive UTC.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import ibis
import ibis.expr.types as ir
from ibis import _


@dataclass(frozen=True)
class Windows:
    """The periods a run measures, all derived from its ``as_of`` instant."""

    as_of: dt.datetime
    value_start: dt.datetime  # start of the value window (12 months by default)
    rfm_start: dt.datetime
    year_start: dt.datetime  # 1 January of as_of's year
    last_year_start: dt.datetime
    prev_ytd_end: dt.datetime  # the same instant one year earlier

    @classmethod
    def of(cls, as_of: dt.datetime, value_days: int, rfm_days: int) -> Windows:
        year_start = as_of.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
        last_year_start = year_start.replace(year=year_start.year - 1)
        try:
            prev = as_of.replace(year=as_of.year - 1)
        except ValueError:  # 29 February
            prev = as_of.replace(year=as_of.year - 1, day=28)
        return cls(
            as_of=as_of,
            value_start=as_of - dt.timedelta(days=value_days),
            rfm_start=as_of - dt.timedelta(days=rfm_days),
            year_start=year_start,
            last_year_start=last_year_start,
            prev_ytd_end=prev,
        )


def _between(col: ir.TimestampValue, start: dt.datetime, end: dt.datetime) -> ir.BooleanValue:
    return (col >= ibis.timestamp(start)) & (col < ibis.timestamp(end))


def _sum_if(cond: ir.BooleanValue, value: ir.NumericValue) -> ir.NumericScalar:
    return cond.ifelse(value, 0.0).sum()


def kept_orders(orders: ir.Table, lines: ir.Table, w: Windows) -> ir.Table:
    """Orders that count (not cancelled, placed by ``as_of``) with their gross margin."""
    margin = lines.group_by("order_id").aggregate(margin=_.margin.sum())
    kept = orders.filter((_.status != "cancelled") & (_.ordered_at <= ibis.timestamp(w.as_of)))
    joined = kept.left_join(margin, kept.id == margin.order_id)
    return joined.select(
        "id", "customer_id", "total", "ordered_at", margin=joined.margin.fill_null(0.0)
    )


def order_measures(orders: ir.Table, w: Windows) -> ir.Table:
    """Per customer: revenue and margin in each window, order counts, first and last order."""
    t = orders.ordered_at
    in_value = _between(t, w.value_start, w.as_of + dt.timedelta(microseconds=1))
    in_rfm = t >= ibis.timestamp(w.rfm_start)
    return orders.group_by("customer_id").aggregate(
        revenue_window=_sum_if(in_value, orders.total),
        margin_window=_sum_if(in_value, orders.margin),
        orders_window=in_value.cast("int64").sum(),
        revenue_rfm=_sum_if(in_rfm, orders.total),
        orders_rfm=in_rfm.cast("int64").sum(),
        revenue_lifetime=orders.total.sum(),
        orders_total=orders.count(),
        revenue_last_year=_sum_if(_between(t, w.last_year_start, w.year_start), orders.total),
        revenue_ytd=_sum_if(t >= ibis.timestamp(w.year_start), orders.total),
        revenue_prev_ytd=_sum_if(_between(t, w.last_year_start, w.prev_ytd_end), orders.total),
        first_order_at=t.min(),
        last_order_at=t.max(),
    )


def refund_measures(returns: ir.Table, w: Windows) -> ir.Table:
    """Refunds per customer: they reduce revenue, and the goods that come back restore cost."""
    t = returns.requested_at
    in_value = _between(t, w.value_start, w.as_of + dt.timedelta(microseconds=1))
    counted = returns.filter(t <= ibis.timestamp(w.as_of))
    return counted.group_by("customer_id").aggregate(
        refund_window=_sum_if(in_value, counted.amount),
        cost_back_window=_sum_if(in_value, counted.cost_back),
        refund_lifetime=counted.amount.sum(),
    )


def service_costs(interactions: ir.Table, w: Windows) -> ir.Table:
    """Cost to serve per customer in the value window: what their interactions cost."""
    t = interactions.started_at
    inside = interactions.filter(_between(t, w.value_start, w.as_of + dt.timedelta(microseconds=1)))
    return inside.group_by("customer_id").aggregate(cost_to_serve=inside.cost.sum())


def product_lines(orders: ir.Table, lines: ir.Table, products: ir.Table) -> ir.Table:
    """How many product lines (top-level categories) each customer has bought."""
    j = lines.join(orders, lines.order_id == orders.id).join(
        products, lines.product_id == products.id
    )
    return j.group_by("customer_id").aggregate(product_lines=j.line_id.nunique())


def customer_measures(
    customers: ir.Table,
    kept: ir.Table,
    lines: ir.Table,
    products: ir.Table,
    returns: ir.Table,
    interactions: ir.Table,
    w: Windows,
) -> ir.Table:
    """One row per live customer with every money measure and order fact of the run;
    ``kept`` is :func:`kept_orders` (computed once by the caller, several stages read it)."""
    om = order_measures(kept, w)
    rm = refund_measures(returns, w)
    sc = service_costs(interactions, w)
    pl = product_lines(kept, lines, products)
    t = customers.left_join(om, customers.id == om.customer_id)
    t = t.drop("customer_id")
    t = t.left_join(rm, t.id == rm.customer_id).drop("customer_id")
    t = t.left_join(sc, t.id == sc.customer_id).drop("customer_id")
    t = t.left_join(pl, t.id == pl.customer_id).drop("customer_id")
    zero = 0.0
    t = t.mutate(
        revenue=_.revenue_window.fill_null(zero) - _.refund_window.fill_null(zero),
        gross_margin=_.margin_window.fill_null(zero)
        - _.refund_window.fill_null(zero)
        + _.cost_back_window.fill_null(zero),
        cost_to_serve=_.cost_to_serve.fill_null(zero),
        revenue_lifetime=_.revenue_lifetime.fill_null(zero) - _.refund_lifetime.fill_null(zero),
        revenue_last_year=_.revenue_last_year.fill_null(zero),
        revenue_ytd=_.revenue_ytd.fill_null(zero),
        revenue_prev_ytd=_.revenue_prev_ytd.fill_null(zero),
        revenue_rfm=_.revenue_rfm.fill_null(zero),
        orders_window=_.orders_window.fill_null(0),
        orders_rfm=_.orders_rfm.fill_null(0),
        orders_total=_.orders_total.fill_null(0),
        product_lines=_.product_lines.fill_null(0),
    )
    t = t.mutate(profit=_.gross_margin - _.cost_to_serve)
    as_of = int(w.as_of.replace(tzinfo=dt.UTC).timestamp())
    recency = (ibis.literal(as_of) - t.last_order_at.epoch_seconds()) // 86400
    return t.mutate(recency_days=recency.cast("int64"))


def rfm_scores(t: ir.Table) -> ir.Table:
    """Recency, frequency and monetary scores 1–5 by quintile among buyers (0 for the rest).

    Quintiles come from the cumulative distribution, so customers with equal values always get
    the same score (a row-number split would put some of them in different quintiles).
    """
    buyers = t.orders_total > 0

    def score(col: ir.Column, *, descending: bool = False) -> ir.IntegerValue:
        key = col.desc() if descending else col.asc()
        cd = ibis.cume_dist().over(ibis.window(group_by=buyers, order_by=key))
        return buyers.ifelse((cd * 5).ceil().clip(1, 5), 0).cast("int16")

    t = t.mutate(
        r_score=score(t.recency_days, descending=True),
        f_score=score(t.orders_rfm),
        m_score=score(t.revenue_rfm),
    )
    return t.mutate(
        rfm=_.r_score.cast("string") + _.f_score.cast("string") + _.m_score.cast("string")
    )
