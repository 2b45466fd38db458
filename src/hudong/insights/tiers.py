"""Tiers and lists as Ibis expressions: A/B/C by cumulative value, gold, drag, MVC, MGC, BZC.

Shares of customers (gold 5%, MVC 10%...) are shares of *buyers*, customers with at least one
order: a prospect who never bought has no value to rank. Every cut-off comes from the
:class:`~hudong.insights.models.ValuePolicy` the run copied into its parameters.
"""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import ibis
import ibis.expr.types as ir
from ibis import _


def _top(
    t: ir.Table, metric: ir.NumericValue, eligible: ir.BooleanValue, k: int
) -> ir.BooleanValue:
    """True for the ``k`` eligible rows with the highest ``metric`` (ties broken by id)."""
    if k <= 0:
        return ibis.literal(False)
    rank = ibis.row_number().over(
        ibis.window(group_by=eligible, order_by=[metric.desc(), t.id.asc()])
    )
    return eligible & (rank < k)


def value_tiers(t: ir.Table, a_share: float, b_share: float) -> ir.Table:
    """A holds the customers who make the first ``a_share`` of positive profit, B the next
    ``b_share``, C the rest (and everyone with no profit)."""
    value = ibis.greatest(t.profit, 0.0)
    order = [t.profit.desc(), t.id.asc()]
    t = t.mutate(
        _value=value,
        _cum=value.sum().over(ibis.window(order_by=order, rows=(None, 0))),
        _total=value.sum().over(ibis.window()),
    )
    before = (_._cum - _._value) / ibis.greatest(_._total, 1e-9)
    tier = ibis.cases(
        ((_._value > 0) & (before < a_share), "A"),
        ((_._value > 0) & (before < a_share + b_share), "B"),
        else_="C",
    )
    share = (_._total > 0).ifelse(_._cum / ibis.greatest(_._total, 1e-9), 1.0)
    return t.mutate(tier=tier, value_rank_share=share).drop("_value", "_cum", "_total")


def lists(t: ir.Table, params: dict[str, Any], as_of: dt.datetime, buyers: int) -> ir.Table:
    """Flag each customer's lists from the measures and the CLV columns."""

    def k(share: float) -> int:
        return math.ceil(float(share) * buyers)

    buyer = t.orders_total > 0
    inactive_since = ibis.timestamp(as_of - dt.timedelta(days=int(params["drag_inactive_days"])))
    t = t.mutate(
        is_gold=_top(t, t.clv.fill_null(0.0), buyer & t.clv.notnull(), k(params["gold_share"])),
        is_mvc=_top(t, t.profit, buyer & (t.profit > 0), k(params["mvc_share"])),
        is_bzc=t.profit < 0,
        is_drag=buyer & ((t.last_order_at < inactive_since) | (t.profit < 0)),
        was_top_last_year=_top(
            t,
            t.revenue_last_year,
            buyer & (t.revenue_last_year > 0),
            k(params["top_last_year_share"]),
        ),
    )
    growth = t.clv.fill_null(0.0) - t.profit
    eligible = (t.orders_total > 0) & t.clv.notnull() & ~t.is_mvc & (growth > 0)
    return t.mutate(is_mgc=_top(t, growth, eligible, k(params["mgc_share"])))


def flags_of(t: ir.Table) -> ir.StringValue:
    """The lists a customer is on, as one short string (for the change history)."""
    parts = [
        t.is_gold.ifelse("gold ", ""),
        t.is_mvc.ifelse("mvc ", ""),
        t.is_mgc.ifelse("mgc ", ""),
        t.is_drag.ifelse("drag ", ""),
        t.is_bzc.ifelse("bzc ", ""),
    ]
    out = parts[0]
    for p in parts[1:]:
        out = out + p
    return out.strip()
