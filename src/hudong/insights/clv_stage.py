"""The CLV stage of a run: purchase histories from the orders, then BG/NBD + Gamma-Gamma.

The model is fitted on a random sample of buyers (the policy's ``clv_sample_size``) and every
buyer is scored with the fitted parameters: the fit is what costs, scoring is closed-form.
Time is in days. Repeat purchases are counted per day, as the models expect (two orders on one
day are one purchase occasion), and the monetary value is the mean of the repeat occasions.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict, dataclass, field
from typing import Any

import ibis
import ibis.expr.types as ir
import numpy as np
import pyarrow as pa

from hudong.core.errors import DomainError
from hudong.insights import duck


@dataclass
class Scored:
    table: ir.Table  # customer_id, expected_purchases, p_alive, clv, clv_low, clv_high
    summary: dict[str, Any] = field(default_factory=dict)


EMPTY = pa.schema(
    [
        ("customer_id", pa.int64()),
        ("expected_purchases", pa.float64()),
        ("p_alive", pa.float64()),
        ("clv", pa.float64()),
        ("clv_low", pa.float64()),
        ("clv_high", pa.float64()),
    ]
)


def histories(kept: ir.Table, as_of: dt.datetime) -> ir.Table:
    """Per buyer: frequency (repeat purchase days), recency and age in days, mean repeat value."""
    day = kept.ordered_at.truncate("D")
    daily = kept.group_by(customer_id=kept.customer_id, day=day).aggregate(value=kept.total.sum())
    per = daily.group_by("customer_id").aggregate(
        n=daily.count(),
        first=daily.day.min(),
        last=daily.day.max(),
        total=daily.value.sum(),
        first_value=daily.value.argmin(daily.day),
    )
    seconds = 86400.0
    origin = ibis.literal(int(as_of.replace(tzinfo=dt.UTC).timestamp()))
    return per.select(
        "customer_id",
        frequency=(per.n - 1).cast("float64"),
        recency=(per.last.epoch_seconds() - per.first.epoch_seconds()) / seconds,
        T=(origin - per.first.epoch_seconds()) / seconds,
        monetary=(per.n > 1).ifelse((per.total - per.first_value) / (per.n - 1), 0.0),
    )


def score(con: Any, kept: ir.Table, as_of: dt.datetime, params: dict[str, Any]) -> Scored:
    """Fit on a sample, score every buyer; a data set the models cannot fit leaves CLV empty
    (the run goes on, and says why in its summary)."""
    from hudong.insights import clv

    h = histories(kept, as_of).to_pyarrow()
    if h.num_rows == 0:
        return _empty(con, {"status": "skipped", "reason": "insights.clv_no_buyers"})
    cols = {c: h[c].to_numpy() for c in ("frequency", "recency", "T", "monetary")}
    try:
        result = clv.fit_and_score(
            frequency=cols["frequency"],
            recency=cols["recency"],
            T=cols["T"],
            monetary=cols["monetary"],
            sample_size=int(params["clv_sample_size"]),
            horizon_days=int(params["clv_horizon_months"]) * 365.25 / 12,
            discount_rate=float(params["discount_rate"]),
            seed=42,
            intervals=bool(params.get("clv_intervals")),
        )
    except DomainError as exc:
        return _empty(con, {"status": "skipped", "reason": exc.code})
    low, high = (result.intervals or {}).get("clv", (None, None))
    table = pa.table(
        {
            "customer_id": h["customer_id"],
            "expected_purchases": _or_null(result.expected_purchases, h.num_rows),
            "p_alive": _or_null(result.p_alive, h.num_rows),
            "clv": _or_null(result.clv, h.num_rows),
            "clv_low": _or_null(low, h.num_rows),
            "clv_high": _or_null(high, h.num_rows),
        }
    )
    t = duck.load(con, "clv", table)
    fitted = result.fitted
    summary = {
        "status": "done",
        "purchases": asdict(fitted.purchases),
        "spend": asdict(fitted.spend),
        "method": fitted.method,
        "fit_seconds": round(fitted.seconds, 3),
        "fit_customers": fitted.customers,
        "repeat_buyers": fitted.repeat_buyers,
        "scored": h.num_rows,
    }
    return Scored(t, summary)


def _or_null(values: np.ndarray | None, n: int) -> pa.Array:
    """The values as Arrow, a value the closed forms could not give (NaN, infinite) as null:
    "unknown" is honest, and NaN would poison every average downstream."""
    if values is None:
        return pa.nulls(n, pa.float64())
    values = np.asarray(values, dtype=np.float64)
    return pa.array(values, pa.float64(), mask=~np.isfinite(values))


def _empty(con: Any, summary: dict[str, Any]) -> Scored:
    return Scored(duck.load(con, "clv", EMPTY.empty_table()), summary)
