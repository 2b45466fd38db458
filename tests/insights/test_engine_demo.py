"""On a fresh demo database the gold, drag and BZC lists are non-empty, and every member meets
its definition when a person recomputes it from the raw orders."""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from django.db.models import F

from hudong.commerce.models import Order, OrderLine, Return
from hudong.demo.generator import generate
from hudong.insights import clv, engine
from hudong.insights.models import CustomerValue, RunStatus
from hudong.interactions.models import Interaction

pytestmark = pytest.mark.django_db(transaction=True)  # the demo loader runs its own transactions

AS_OF = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
YEAR = dt.timedelta(days=365)


@pytest.fixture
def run(tmp_path: Path) -> Any:
    """Given 1,500 demo customers, when the insights run computes values as of the demo date
    (with CLV credible intervals, which an analyst asks for)."""
    generate(1500, 11, as_of=AS_OF, truth_file=tmp_path / "truth.csv", progress=False)
    return engine.run(as_of=AS_OF, intervals=True)


def profits_from_raw_rows() -> dict[int, Decimal]:
    """Margin of kept orders in the last year, less refunds (plus goods back), less the cost of
    the year's interactions: the definition of profit, recomputed row by row."""
    start = AS_OF - YEAR
    profit: dict[int, Decimal] = defaultdict(Decimal)
    margin: dict[int, Decimal] = defaultdict(Decimal)
    for line in OrderLine.objects.filter(
        order__ordered_at__gte=start, order__ordered_at__lte=AS_OF
    ).exclude(order__status="cancelled"):
        margin[line.order_id] += line.quantity * (line.unit_price - line.unit_cost)
    for o in Order.objects.filter(ordered_at__gte=start, ordered_at__lte=AS_OF).exclude(
        status="cancelled"
    ):
        profit[o.customer_id] += margin[o.id]
    for r in Return.objects.filter(requested_at__gte=start, requested_at__lte=AS_OF):
        back = r.quantity * r.product.unit_cost if r.product_id else Decimal(0)
        profit[r.customer_id] += back - r.amount
    for i in Interaction.objects.filter(started_at__gte=start, started_at__lte=AS_OF):
        profit[i.customer_id] -= i.cost
    return profit


def last_orders() -> dict[int, dt.datetime]:
    last: dict[int, dt.datetime] = {}
    for o in Order.objects.filter(ordered_at__lte=AS_OF).exclude(status="cancelled"):
        if o.customer_id not in last or o.ordered_at > last[o.customer_id]:
            last[o.customer_id] = o.ordered_at
    return last


def test_gold_drag_and_bzc_lists_hold_their_definition(run: Any) -> None:
    assert run.status == RunStatus.DONE
    values = {v.customer_id: v for v in CustomerValue.objects.all()}
    profit, last = profits_from_raw_rows(), last_orders()
    buyers = set(last)
    gold = {c for c, v in values.items() if v.is_gold}
    drag = {c for c, v in values.items() if v.is_drag}
    bzc = {c for c, v in values.items() if v.is_bzc}

    # Then each list is non-empty
    assert gold and drag and bzc
    # BZC: profit below zero, recomputed from the rows (to the cent)
    assert bzc == {c for c in buyers | set(profit) if profit.get(c, 0) < 0}
    for c in values:
        assert values[c].profit == pytest.approx(profit.get(c, Decimal(0)), abs=Decimal("0.01"))
    # Drag: buyers with no order in over a year, or a loss
    assert drag == {c for c in buyers if last[c] < AS_OF - YEAR or profit.get(c, 0) < 0}
    # Gold: the top 5% of buyers by predicted 12-month value
    assert len(gold) == math.ceil(0.05 * len(buyers))
    lowest_gold = min(values[c].clv for c in gold)
    assert all(values[c].clv <= lowest_gold for c in buyers - gold if values[c].clv is not None)


def test_intervals_bracket_each_buyers_clv(run: Any) -> None:
    scored = CustomerValue.objects.exclude(clv=None)
    assert scored.count() > 1000
    inside = scored.filter(clv_low__lte=F("clv"), clv_high__gte=F("clv")).count()
    # The point value is the MAP one, the interval the posterior's 90%: the point sits inside
    assert inside == scored.count()
    assert scored.filter(clv_high__gt=F("clv_low")).exists()


def test_gold_clv_is_the_fitted_model_applied_to_the_raw_history(run: Any) -> None:
    """Recompute a gold customer's purchase history from their orders and score it with the
    parameters the run fitted: the same 12-month CLV comes out."""
    fitted = run.summary["clv"]
    purchases = clv.PurchaseParams(**fitted["purchases"])
    spend = clv.SpendParams(**fitted["spend"])
    model = clv.Fitted(
        purchases=purchases,
        spend=spend,
        method="map",
        time_unit="D",
        seconds=0.0,
        customers=0,
        repeat_buyers=0,
    )
    golds = list(CustomerValue.objects.filter(is_gold=True).order_by("-clv")[:5])
    for value in golds:
        days: dict[dt.date, Decimal] = defaultdict(Decimal)
        for o in Order.objects.filter(customer_id=value.customer_id, ordered_at__lte=AS_OF).exclude(
            status="cancelled"
        ):
            days[o.ordered_at.astimezone(dt.UTC).date()] += o.total
        ordered = sorted(days)
        first = dt.datetime.combine(ordered[0], dt.time(), dt.UTC)
        x = len(ordered) - 1
        t_x = (ordered[-1] - ordered[0]).days
        T = (AS_OF - first).total_seconds() / 86400
        m = float(sum(days[d] for d in ordered[1:]) / x) if x else 0.0
        scored = clv.score(
            model, np.array([x]), np.array([t_x]), np.array([T]), np.array([m]),
            horizon_days=12 * 365.25 / 12, discount_rate=0.10,
        )  # fmt: skip
        assert float(value.clv) == pytest.approx(float(scored.clv[0]), rel=1e-4, abs=0.01)
