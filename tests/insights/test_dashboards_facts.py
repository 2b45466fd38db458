"""The dashboards' facts after an insights run, counted again by hand from the raw orders."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from typing import Any

import pytest

from hudong.commerce.models import Order
from hudong.insights import engine
from hudong.insights.kpis import facts  # noqa: F401  (registers the after-run hook)
from hudong.insights.models import CustomerValue, KpiFact
from tests.insights.factories_dashboards import AS_OF, shop

pytestmark = pytest.mark.django_db


def month(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m")


def stored(metric: str, *, region: Any = None, key: str | None = None) -> dict[str, int]:
    """month -> count of a metric (every region unless given)."""
    out: Counter[str] = Counter()
    qs = KpiFact.objects.filter(metric=metric)
    if region is not None:
        qs = qs.filter(region=region)
    if key is not None:
        qs = qs.filter(key=key)
    for f in qs:
        out[f.period.strftime("%Y-%m")] += f.count
    return {m: n for m, n in out.items() if n}


def by_hand() -> dict[str, dict[str, int]]:
    """Buyers, retained, churned and repeat buyers per month from the kept orders."""
    kept = Order.objects.exclude(status="cancelled").filter(ordered_at__lte=AS_OF)
    bought: dict[str, set[int]] = defaultdict(set)
    counts: Counter[tuple[int, str]] = Counter()
    first: dict[int, str] = {}
    for o in kept.order_by("ordered_at"):
        m = month(o.ordered_at)
        bought[m].add(o.customer_id)
        counts[(o.customer_id, m)] += 1
        first.setdefault(o.customer_id, m)
    months = ["2026-03", "2026-04", "2026-05", "2026-06"]
    out: dict[str, dict[str, int]] = defaultdict(dict)
    for prev, m in zip(months, months[1:], strict=False):
        out["prev_buyers"][m] = len(bought[prev])
        out["retained"][m] = len(bought[prev] & bought[m])
        out["churned"][m] = len(bought[prev] - bought[m])
    for m in months:
        out["buyers"][m] = len(bought[m])
        out["repeat_buyers"][m] = sum(1 for c in bought[m] if first[c] < m or counts[(c, m)] >= 2)
    return {k: {m: n for m, n in v.items() if n} for k, v in out.items()}


def test_monthly_facts_match_the_orders_counted_by_hand() -> None:
    # Given the shop, when the run computes as of 15 June 2026
    s = shop()
    run = engine.run(as_of=AS_OF)
    # Then the hook wrote the facts of this run
    assert run.summary["kpis"]["facts"] == KpiFact.objects.count() > 0
    assert set(KpiFact.objects.values_list("run_id", flat=True)) == {run.pk}
    # And buyers, retention, churn and repeat buyers are those a person counts
    for metric, expected in by_hand().items():
        assert stored(metric) == expected, metric
    # Worked out: April keeps e1 of March's three buyers and loses e2 and w1
    assert stored("retained") == {"2026-04": 1}
    assert stored("churned") == {"2026-04": 2, "2026-05": 2, "2026-06": 1}
    assert stored("churned", region=s["east"]) == {"2026-04": 1, "2026-05": 1}
    # Orders and revenue leave out the cancelled order and the one after the run's date
    revenue = {
        f.period.strftime("%Y-%m"): f.value
        for f in KpiFact.objects.filter(metric="orders")
        if f.region_id == s["west"].pk
    }
    assert revenue == {"2026-03": 300.0, "2026-04": 100.0, "2026-05": 120.0}


def test_conversion_cycle_and_channels() -> None:
    s = shop()
    engine.run(as_of=AS_OF)
    assert stored("new_customers") == {"2026-01": 1, "2026-02": 1, "2026-03": 1, "2026-04": 2}
    assert stored("converted") == {"2026-01": 1, "2026-02": 1, "2026-03": 1, "2026-04": 1}
    # Days between orders: e1 28 and 18 days, w2 one day (April), w1 61 days (May)
    assert stored("gaps", key="14-29") == {"2026-04": 2}
    assert stored("gaps", key="0-6") == {"2026-04": 1}
    assert stored("gaps", key="60-89") == {"2026-05": 1}
    # Contacts and their cost per channel; e3's first contact is the one that created it
    phone = KpiFact.objects.get(metric="interactions", key="phone")
    assert (phone.count, phone.value, phone.region_id) == (2, 10.0, s["east"].pk)
    assert stored("identified", key="phone") == {"2026-04": 1}
    assert stored("identified", key="email") == {"2026-04": 1}
    assert stored("identified", key="sms") == {"2026-05": 1}
    assert stored("contacted") == {"2026-04": 2, "2026-05": 1}
    assert stored("multichannel") == {"2026-04": 1}


def test_state_facts_match_the_customer_values() -> None:
    s = shop()
    engine.run(as_of=AS_OF)
    for region in (s["east"], s["west"]):
        values = CustomerValue.objects.filter(customer__region=region)
        tiers = Counter(values.values_list("tier", flat=True))
        facts_tiers = {f.key: f.count for f in KpiFact.objects.filter(metric="tier", region=region)}
        assert facts_tiers == dict(tiers)
        revenue = sum(float(v.revenue) for v in values)
        got = sum(f.value for f in KpiFact.objects.filter(metric="tier", region=region))
        assert got == pytest.approx(revenue)
        buyers = values.filter(orders_window__gt=0).count()
        freq = sum(f.count for f in KpiFact.objects.filter(metric="frequency", region=region))
        assert freq == buyers


def test_a_new_run_replaces_the_facts() -> None:
    shop()
    engine.run(as_of=AS_OF)
    second = engine.run(as_of=AS_OF)
    assert set(KpiFact.objects.values_list("run_id", flat=True)) == {second.pk}
