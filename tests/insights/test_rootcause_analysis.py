"""The root-cause analysis on a small hand-made database: Pareto, over-representation per
carrier, daily series, the user's scope, the page, the CSV export and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hudong.commerce.models import Shipment
from hudong.core.models import Role
from hudong.insights.rootcause.analysis import Filters, analyse
from hudong.service.models import Case, RootCause
from tests.factories import CarrierFactory, CustomerFactory, OrderFactory, make_user
from tests.service.conftest import category, open_case

pytestmark = pytest.mark.django_db


def _shipments(customer: Any, carrier: Any, n: int) -> list[Shipment]:
    now = timezone.now()
    out = []
    for _ in range(n):
        order = OrderFactory(customer=customer)
        out.append(
            Shipment.objects.create(
                order=order, carrier=carrier, shipped_at=now - dt.timedelta(days=2)
            )
        )
    return out


def _complain(shipment: Any, cause: str, code: str = "delivery") -> Case:
    case = open_case(shipment.order.customer, code=code)
    Case.objects.filter(pk=case.pk).update(
        shipment=shipment, order=shipment.order, root_cause=RootCause.objects.get(code=cause)
    )
    return case


@pytest.fixture
def data(region_a: Any, region_b: Any) -> dict[str, Any]:
    """Given carriers "slow" (20 of 220 shipments) and "fast" (200): 10 delivery complaints on
    slow's shipments, 5 on fast's, in region A; and 3 billing complaints in region B."""
    a = CustomerFactory(region=region_a)
    b = CustomerFactory(region=region_b)
    slow, fast = CarrierFactory(code="slow"), CarrierFactory(code="fast")
    slow_ships, fast_ships = _shipments(a, slow, 20), _shipments(a, fast, 200)
    for s in slow_ships[:10]:
        _complain(s, "carrier-late")
    for s in fast_ships[:5]:
        _complain(s, "carrier-damage")
    for _ in range(3):
        open_case(b, code="billing")
    return {"a": a, "b": b}


def _range() -> Filters:
    today = timezone.localdate()
    return Filters(start=today - dt.timedelta(days=6), end=today)


def test_the_analyst_sees_every_complaint_and_the_slow_carrier_stands_out(
    data: Any, admin_user: Any
) -> None:
    analyst = make_user(Role.ANALYST, None, username="ann")
    a = analyse(analyst, _range())
    # Pareto by root cause: late first, then damage, then the billing ones without a cause
    assert [(r.key, r.count) for r in a.by_cause] == [
        ("carrier-late", 10),
        ("carrier-damage", 5),
        ("-", 3),
    ]
    assert a.by_cause[-1].cumulative == pytest.approx(1.0)
    assert [(r.key, r.count) for r in a.by_category] == [("delivery", 15), ("billing", 3)]
    # Over-representation: slow has 2/3 of the complaints on 1/11 of the shipments
    carriers = a.dimension("carrier").rows
    top = carriers[0]
    assert top.key == "slow" and top.significant
    assert (top.complaints, top.volume) == (10, 20)
    assert top.lift == pytest.approx((10 / 15) / (20 / 220))
    assert not next(r for r in carriers if r.key == "fast").significant
    # Daily complaints by category: today's point holds them all
    delivery = a.daily[category("delivery").name]
    assert a.days[-1] == timezone.localdate().isoformat() and delivery[-1] == 15


def test_an_agent_only_counts_the_cases_of_their_scope(data: Any, agent_a: Any) -> None:
    a = analyse(agent_a, _range())
    assert a.complaints == 15
    assert "billing" not in [r.key for r in a.by_category]


def test_the_category_filter_keeps_that_category(data: Any, admin_user: Any) -> None:
    f = _range()
    a = analyse(admin_user, Filters(start=f.start, end=f.end, category="billing"))
    assert a.complaints == 3 and a.dimension("carrier").complaints == 0


def test_the_page_the_export_and_the_api(data: Any, admin_user: Any) -> None:
    client = Client()
    client.force_login(admin_user)
    page = client.get("/insights/root-cause/")
    assert page.status_code == 200
    html = page.content.decode()
    assert (
        'data-testid="lift-carrier"' in html and 'data-key="slow" data-significant="true"' in html
    )
    csv = client.get("/insights/root-cause/export.csv").content.decode("utf-8-sig")
    assert "carrier,slow" in csv and "root_cause,carrier-late" in csv
    body = client.get("/api/v1/insights/root-cause").json()
    carrier = next(d for d in body["over_representation"] if d["key"] == "carrier")
    assert carrier["rows"][0]["key"] == "slow" and carrier["rows"][0]["significant"]
    assert body["by_root_cause"][0]["key"] == "carrier-late"


@pytest.mark.parametrize(
    ("query", "status", "code"),
    [
        ("from=2026-13-01", 400, "rootcause.bad_date"),
        ("from=2026-02-01&to=2026-01-01", 400, "rootcause.bad_range"),
        ("from=2020-01-01&to=2026-01-01", 400, "rootcause.bad_range"),
        ("region=nowhere", 404, "rootcause.region_not_found"),
        ("category=nothing", 404, "rootcause.category_not_found"),
    ],
)
def test_bad_filters_are_refused_with_a_code(
    admin_user: Any, query: str, status: int, code: str
) -> None:
    client = Client()
    client.force_login(admin_user)
    resp = client.get(f"/api/v1/insights/root-cause?{query}")
    assert resp.status_code in (status, 422), resp.content
    page = client.get(f"/insights/root-cause/?{query}")
    assert page.status_code == status


def test_an_agent_cannot_pick_another_region(data: Any, agent_a: Any, region_b: Any) -> None:
    client = Client()
    client.force_login(agent_a)
    assert client.get(f"/insights/root-cause/?region={region_b.code}").status_code == 404
    body = client.get("/api/v1/insights/root-cause").json()
    assert body["region"] == "region-a" and body["complaints"] == 15


def test_the_page_needs_a_login() -> None:
    assert Client().get("/insights/root-cause/").status_code == 302


def _run_volumes() -> Any:
    """What every insights run does after its measures: count the volumes into KPI facts."""
    from hudong.insights import duck, engine
    from hudong.insights.models import InsightsRun, RunStatus
    from hudong.insights.rootcause import volumes
    from hudong.insights.store import Store

    store = Store()
    frames = engine.read_all(store)
    con = duck.connect()
    for name in ("orders", "lines", "customers"):
        engine._load(con, name, frames[name])
    now = timezone.now()
    run = InsightsRun.objects.create(
        as_of=now, status=RunStatus.DONE, finished_at=now, summary={"rootcause": {}}
    )
    volumes.replace(store, volumes.compute(con, store.read(volumes.SHIPMENTS_SQL)), run.pk)
    return run


def test_after_an_insights_run_the_volumes_come_from_its_facts(
    data: Any, admin_user: Any, agent_a: Any, region_b: Any
) -> None:
    from hudong.insights.rootcause import volumes

    # Given the volumes counted live
    f = _range()
    before = analyse(admin_user, f).dimension("carrier").rows
    # When an insights run has counted them into facts
    run = _run_volumes()
    found = volumes.from_facts(admin_user, f.start, f.end, "")
    # Then the analysis reads the same shipments from the facts
    assert found is not None and found.source == f"run {run.pk}"
    after = analyse(admin_user, f).dimension("carrier").rows
    assert [(r.key, r.complaints, r.volume) for r in after] == [
        (r.key, r.complaints, r.volume) for r in before
    ]
    assert after[0].key == "slow" and after[0].significant
    # And an agent's volumes are those of their region; region B shipped nothing
    mine = volumes.from_facts(agent_a, f.start, f.end, "")
    assert mine is not None and sum(mine.carriers.values()) == 220
    other = volumes.from_facts(admin_user, f.start, f.end, region_b.code)
    assert other is not None and other.carriers == {}


@pytest.mark.parametrize(
    ("start", "end", "months", "days"),
    [
        ("2025-06-01", "2025-06-30", ["2025-06-01", "2025-06-01"], []),
        ("2025-06-16", "2025-08-31", ["2025-07-01", "2025-08-01"], ["2025-06-16", "2025-06-30"]),
        ("2025-06-16", "2025-06-20", [], ["2025-06-16", "2025-06-20"]),
        ("2025-06-16", "2025-07-15", [], ["2025-06-16", "2025-07-15"]),
        ("2025-01-01", "2025-12-31", ["2025-01-01", "2025-12-01"], []),
    ],
)
def test_a_long_range_reads_whole_months_and_the_days_at_its_edges(
    start: str, end: str, months: list[str], days: list[str], region_a: Any
) -> None:
    from hudong.insights.models import InsightsRun, KpiFact
    from hudong.insights.rootcause import volumes

    # Given a daily and a monthly fact for every day and month of 2025
    run = InsightsRun.objects.create(as_of=timezone.now())
    d, facts = dt.date(2025, 1, 1), []
    while d.year == 2025:
        facts.append(KpiFact(run=run, metric=volumes.SHIPMENTS, period=d, key="1", count=1))
        if d.day == 1:
            facts.append(KpiFact(run=run, metric="rc_shipments_m", period=d, key="1", count=1))
        d += dt.timedelta(days=1)
    KpiFact.objects.bulk_create(facts)
    # When the range's facts are picked
    picked = KpiFact.objects.filter(
        volumes._periods(dt.date.fromisoformat(start), dt.date.fromisoformat(end))
    )
    monthly = sorted(
        str(p) for p in picked.filter(metric="rc_shipments_m").values_list("period", flat=True)
    )
    daily = sorted(
        str(p) for p in picked.filter(metric="rc_shipments").values_list("period", flat=True)
    )
    # Then whole months come from the monthly facts and the rest from the days
    assert (monthly[:1] + monthly[-1:] if monthly else []) == months
    assert (daily[:1] + daily[-1:] if daily else []) == days


def test_the_dashboards_link_to_the_analysis(admin_user: Any) -> None:
    client = Client()
    client.force_login(admin_user)
    page = client.get("/insights/dashboards/", follow=True).content.decode()
    assert 'data-testid="rootcause-link"' in page and 'href="/insights/root-cause/"' in page


def test_a_month_cut_by_the_range_counts_its_share_of_order_lines() -> None:
    from hudong.insights.rootcause.volumes import _month_share

    june = dt.date(2025, 6, 1)
    assert _month_share(june, dt.date(2025, 6, 1), dt.date(2025, 6, 30)) == 1.0
    assert _month_share(june, dt.date(2025, 6, 16), dt.date(2025, 7, 31)) == 0.5
    assert _month_share(june, dt.date(2025, 7, 1), dt.date(2025, 7, 31)) == 0.0
