"""The dashboards' facts: counted once per insights run, as Ibis expressions.

:func:`compute` takes Ibis tables and never touches a backend, so the run (DuckDB over every
table) and the live count of one user's customers (before any run has finished, see
:mod:`hudong.insights.kpis.live`) count the same way.
Months are calendar months in UTC. Each row is (metric, period, region_id, owner_id, key,
series, value, count): counted per region and owner at once, every metric is additive over
months, regions and owners (a customer has one region and at most one owner), so the run
sums the owners away for the region facts and keeps the owned rows for the owner facts:

``orders``        kept orders of the month (count) and their revenue (value)
``buyers``        customers with a kept order in the month (count), their revenue (value)
``prev_buyers``   buyers of the previous month (the base of retention and churn)
``retained``      buyers of the previous month who bought again this month
``churned``       buyers of the previous month with no order this month
``repeat_buyers`` buyers of the month who have bought more than once by its end
``new_customers`` customers created in the month; ``converted``: those of them who have
                  placed an order since (by the run's date)
``interactions``  contacts per channel (key): count, and their cost (value)
``identified``    contacts per channel on a customer already known when the contact began
                  (the record existed at least a minute before: the contact was recognised,
                  not the one that created the customer)
``contacted``     customers contacted in the month; ``multichannel``: on two or more channels
``gaps``          days between a customer's consecutive orders, by band (key), counted in the
                  month of the later order
and the state after the run (period = the run's date): ``tier`` (customers and revenue per
tier), ``tier_profit``, ``clv`` (customers with a CLV and its sum, per tier), ``frequency``
(buyers per band of orders in the value window, key, and tier, series).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from hudong.insights import engine
from hudong.insights.kpis.bands import FREQUENCY_BANDS, GAP_BANDS

Keep = Callable[[str, ir.Table], ir.Table]
COLUMNS = ("metric", "period", "region_id", "key", "series", "value", "count")
WHERE = ["region_id", "owner_id"]  # every fact is counted per region and owner
KNOWN_AFTER = dt.timedelta(minutes=1)


def _month(col: ir.TimestampValue) -> ir.DateValue:
    return col.truncate("M").cast("date")


def _shape(
    t: ir.Table,
    metric: str,
    *,
    count: ir.Value,
    value: ir.Value | None = None,
    key: ir.Value | None = None,
    series: ir.Value | None = None,
) -> ir.Table:
    return t.select(
        metric=ibis.literal(metric, "string"),
        period=t.period.cast("date"),
        region_id=t.region_id.cast("int64"),
        owner_id=t.owner_id.cast("int64"),
        key=(key if key is not None else ibis.literal("", "string")).cast("string"),
        series=(series if series is not None else ibis.literal("", "string")).cast("string"),
        value=(value if value is not None else ibis.literal(0.0)).cast("float64"),
        count=count.cast("int64"),
    )


def _band(days: ir.NumericValue, bands: tuple[tuple[str, float, float], ...]) -> ir.StringValue:
    case = ibis.cases(*[((days >= lo) & (days < hi), key) for key, lo, hi in bands])
    return case


def _identity(_name: str, t: ir.Table) -> ir.Table:
    return t


def orders_of(customers: ir.Table, kept: ir.Table, as_of: dt.datetime) -> ir.Table:
    """The kept orders of current customers by ``as_of``, with region, owner and month."""
    c = customers.select(
        cid=customers.id, region_id=customers.region_id, owner_id=customers.owner_id
    )
    o = kept.filter(kept.ordered_at <= ibis.timestamp(as_of))
    return o.join(c, o.customer_id == c.cid).select(
        "customer_id", *WHERE, "total", "ordered_at", period=_month(o.ordered_at)
    )


def order_facts(o: ir.Table, as_of: dt.datetime, keep: Keep = _identity) -> list[ir.Table]:
    """Orders, buyers, retention, churn, repeat buyers and purchase gaps per month."""
    out = [
        _shape(
            o.group_by(["period", *WHERE]).aggregate(n=o.count(), v=o.total.sum()),
            "orders",
            count=ibis._.n,
            value=ibis._.v,
        )
    ]
    bm = keep(
        "kpi_buyer_months",
        o.group_by(["customer_id", *WHERE, "period"]).aggregate(n=o.count(), rev=o.total.sum()),
    )
    g = bm.group_by(["period", *WHERE]).aggregate(n=bm.count(), v=bm.rev.sum())
    out.append(_shape(g, "buyers", count=g.n, value=g.v))
    last = _month(ibis.timestamp(as_of))
    nxt = bm.select("customer_id", *WHERE, period=(bm.period + ibis.interval(months=1)))
    nxt = nxt.filter(nxt.period <= last)
    g = nxt.group_by(["period", *WHERE]).aggregate(n=nxt.count())
    out.append(_shape(g, "prev_buyers", count=g.n))
    now = bm.select(cust=bm.customer_id, per=bm.period)
    kept_on = nxt.semi_join(now, (nxt.customer_id == now.cust) & (nxt.period == now.per))
    g = kept_on.group_by(["period", *WHERE]).aggregate(n=kept_on.count())
    out.append(_shape(g, "retained", count=g.n))
    lost = nxt.anti_join(now, (nxt.customer_id == now.cust) & (nxt.period == now.per))
    g = lost.group_by(["period", *WHERE]).aggregate(n=lost.count())
    out.append(_shape(g, "churned", count=g.n))
    first = bm.group_by("customer_id").aggregate(first=bm.period.min())
    r = bm.join(first, "customer_id")
    r = r.filter((r.period > r.first) | (r.n >= 2))
    g = r.group_by(["period", *WHERE]).aggregate(n=r.count())
    out.append(_shape(g, "repeat_buyers", count=g.n))
    out.append(gap_facts(o))
    return out


def gap_facts(o: ir.Table) -> ir.Table:
    """The purchase cycle: days between consecutive orders of a customer, in bands."""
    w = ibis.window(group_by=o.customer_id, order_by=[o.ordered_at])
    prev = o.ordered_at.lag().over(w)
    days = (o.ordered_at.epoch_seconds() - prev.epoch_seconds()) / 86400.0
    d = o.select("period", *WHERE, days=days).filter(ibis._.days.notnull())
    d = d.mutate(band=_band(d.days, GAP_BANDS))
    g = d.group_by(["period", *WHERE, "band"]).aggregate(n=d.count())
    return _shape(g, "gaps", count=g.n, key=g.band)


def customer_facts(customers: ir.Table, o: ir.Table, as_of: dt.datetime) -> list[ir.Table]:
    """New customers per month and how many of them have ordered since."""
    c = customers.filter(customers.created_at <= ibis.timestamp(as_of))
    c = c.select("id", *WHERE, period=_month(c.created_at))
    g = c.group_by(["period", *WHERE]).aggregate(n=c.count())
    out = [_shape(g, "new_customers", count=g.n)]
    ordered = o.select(ordered_by=o.customer_id)
    conv = c.semi_join(ordered, c.id == ordered.ordered_by)
    g = conv.group_by(["period", *WHERE]).aggregate(n=conv.count())
    out.append(_shape(g, "converted", count=g.n))
    return out


def interaction_facts(
    customers: ir.Table, interactions: ir.Table, as_of: dt.datetime
) -> list[ir.Table]:
    """Contacts and their cost per channel, recognised contacts, multi-channel customers."""
    c = customers.select(
        cid=customers.id,
        region_id=customers.region_id,
        owner_id=customers.owner_id,
        known=customers.created_at,
    )
    i = interactions.filter(interactions.started_at <= ibis.timestamp(as_of))
    i = i.left_join(c, i.customer_id == c.cid)
    i = i.select(
        "customer_id",
        "channel",
        *WHERE,
        cost=i.cost.fill_null(0.0),
        period=_month(i.started_at),
        recognised=(i.known.notnull() & (i.known + KNOWN_AFTER <= i.started_at)).fill_null(False),
    )
    g = i.group_by(["period", *WHERE, "channel"]).aggregate(
        n=i.count(), v=i.cost.sum(), k=i.recognised.cast("int64").sum()
    )
    out = [
        _shape(g, "interactions", count=g.n, value=g.v, key=g.channel),
        _shape(g, "identified", count=g.k, key=g.channel),
    ]
    per = i.group_by(["customer_id", "period", *WHERE]).aggregate(channels=i.channel.nunique())
    g = per.group_by(["period", *WHERE]).aggregate(
        n=per.count(), m=(per.channels >= 2).cast("int64").sum()
    )
    out.append(_shape(g, "contacted", count=g.n))
    out.append(_shape(g, "multichannel", count=g.m))
    return out


def value_facts(final: ir.Table, as_of: dt.datetime) -> list[ir.Table]:
    """The state after the run: customers, revenue, profit and CLV per tier; frequency."""
    f = final.mutate(period=ibis.literal(as_of.date(), "date"))
    g = f.group_by(["period", *WHERE, "tier"]).aggregate(
        n=f.count(),
        rev=f.revenue.fill_null(0.0).sum(),
        profit=f.profit.fill_null(0.0).sum(),
        with_clv=f.clv.notnull().cast("int64").sum(),
        clv=f.clv.fill_null(0.0).sum(),
    )
    out = [
        _shape(g, "tier", count=g.n, value=g.rev, key=g.tier),
        _shape(g, "tier_profit", count=g.n, value=g.profit, key=g.tier),
        _shape(g, "clv", count=g.with_clv, value=g.clv, key=g.tier),
    ]
    b = f.filter(f.orders_window > 0)
    b = b.mutate(band=_band(b.orders_window.cast("float64"), FREQUENCY_BANDS))
    g = b.group_by(["period", *WHERE, "band", "tier"]).aggregate(n=b.count())
    out.append(_shape(g, "frequency", count=g.n, key=g.band, series=g.tier))
    return out


def compute(tables: dict[str, ir.Table], as_of: dt.datetime, con: Any = None) -> ir.Table:
    """Every fact of the dashboards from the run's tables (``customers``, ``kept_orders``,
    ``interactions``, ``final``; customers and final with ``region_id`` and ``owner_id``),
    per region and owner; ``as_of`` is naive UTC. With ``con`` (the DuckDB
    connection), the orders and buyer-months that several facts read are computed once."""

    def keep(name: str, t: ir.Table) -> ir.Table:
        if con is None:
            return t
        return con.create_table(name, t, temp=True, overwrite=True)

    customers = tables["customers"]
    o = keep("kpi_orders", orders_of(customers, tables["kept_orders"], as_of))
    parts = [
        *order_facts(o, as_of, keep),
        *customer_facts(customers, o, as_of),
        *interaction_facts(customers, tables["interactions"], as_of),
        *value_facts(tables["final"], as_of),
    ]
    return ibis.union(*parts)


def split(data: pa.Table) -> tuple[pa.Table, pa.Table]:
    """The region facts (the owners summed away) and the owner facts (owned customers only)
    of :func:`compute`'s rows."""
    keys = ["metric", "period", "region_id", "key", "series"]
    summed = data.group_by(keys, use_threads=False).aggregate([("value", "sum"), ("count", "sum")])
    regions = pa.table(
        {**{k: summed[k] for k in keys}, "value": summed["value_sum"], "count": summed["count_sum"]}
    )
    owners = data.filter(pc.is_valid(data["owner_id"]))
    return regions, owners


def _as_db(data: pa.Table, run_id: int, vendor: str, *extra: str) -> pa.Table:
    """The facts as the table stores them (SQLite keeps dates as ISO text)."""
    period = data["period"]
    if vendor == "sqlite":
        period = pa.array([d.isoformat() for d in period.to_pylist()], pa.string())
    cols = {name: data[name] for name in (*COLUMNS, *extra)}
    cols["period"] = period
    cols["run_id"] = pa.array([run_id] * data.num_rows, pa.int64())
    return pa.table(cols)


@engine.after_run("kpis")
def write_facts(ctx: engine.RunContext) -> dict[str, Any]:
    """After every run: replace the dashboards' facts with this run's, in one transaction:
    per region for every reader, and per owner for those who see only their own or their
    team's customers."""
    data = compute(ctx.tables, ctx.windows.as_of, ctx.con).to_pyarrow()
    regions, owners = split(data)
    vendor = ctx.store.vendor
    with ctx.store.writing() as w:
        w.execute("DELETE FROM insights_kpifact")
        w.execute("DELETE FROM insights_kpiownerfact")
        written = w.insert("insights_kpifact", _as_db(regions, ctx.run.pk, vendor))
        owned = w.insert("insights_kpiownerfact", _as_db(owners, ctx.run.pk, vendor, "owner_id"))
    return {"facts": written, "owner_facts": owned}
