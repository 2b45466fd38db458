"""The retention report (D4) on a hand-made data set: who falls in which group, the share
still buying, the recovery cost, the two-proportion test, scope, page, export and API."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from scipy.stats import chi2_contingency

from hudong.core.models import Role
from hudong.insights.servicekpis import retention
from hudong.insights.servicekpis.period import Period
from hudong.service.models import Case, RecoveryAction
from tests.factories import CustomerFactory, OrderFactory, make_user
from tests.service.conftest import open_case

pytestmark = pytest.mark.django_db

YEAR = Period(dt.date(2025, 1, 1), dt.date(2025, 12, 31))


def at(year: int, month: int, day: int = 1) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, 12, 0))


def closed(customer: Any, when: dt.datetime, outcome: str, *costs: str) -> Case:
    case = open_case(customer)
    Case.objects.filter(pk=case.pk).update(
        status="closed", resolved_at=when, closed_at=when, recovery_outcome=outcome
    )
    for cost in costs:
        RecoveryAction.objects.create(case=case, kind="coupon", cost=Decimal(cost))
    return case


def order(customer: Any, when: dt.datetime, status: str = "delivered") -> None:
    OrderFactory(customer=customer, ordered_at=when, status=status)


@pytest.fixture
def shop(region_a: Any, region_b: Any) -> dict[str, Any]:
    """In region A, 2025: recovered r1 (bought again), r2 (did not), r3 (only a cancelled
    order, and one after the window), r4 (not recovered first, recovered last; bought again);
    not recovered n1 (bought again), n2 (partly), n3 (blank), n4; never complained c1 (bought
    before and again), c2 (bought before only), c3 (never bought: left out), c4 (an open case:
    left out); x (a case closed in 2024: in no group). In region B: recovered b1, bought again.
    """
    c = {name: CustomerFactory(region=region_a) for name in
         ("r1", "r2", "r3", "r4", "n1", "n2", "n3", "n4", "c1", "c2", "c3", "c4", "x")}  # fmt: skip
    closed(c["r1"], at(2025, 3), "recovered", "100")
    order(c["r1"], at(2025, 5))
    closed(c["r2"], at(2025, 4), "recovered", "50")
    closed(c["r3"], at(2025, 5), "recovered")
    order(c["r3"], at(2025, 6), status="cancelled")
    order(c["r3"], at(2026, 1, 10))
    closed(c["r4"], at(2025, 2), "not_recovered")
    closed(c["r4"], at(2025, 6), "recovered", "30", "20")
    order(c["r4"], at(2025, 7))
    closed(c["n1"], at(2025, 3), "not_recovered", "10")
    order(c["n1"], at(2025, 4))
    closed(c["n2"], at(2025, 3), "partial")
    closed(c["n3"], at(2025, 8), "")
    closed(c["n4"], at(2025, 8), "not_recovered")
    for name in ("c1", "c2", "c4"):
        order(c[name], at(2024, 6))
    order(c["c1"], at(2025, 3))
    open_case(c["c4"])
    closed(c["x"], at(2024, 12), "recovered")
    b1 = CustomerFactory(region=region_b)
    closed(b1, at(2025, 3), "recovered")
    order(b1, at(2025, 4))
    return c


def test_groups_rates_and_costs(shop: dict[str, Any], agent_a: Any) -> None:
    # Given the hand-made year; when an agent of region A reads it with a 180-day window
    found = retention.report(agent_a, YEAR, 180)
    rec, nrec, never = (found.group(k) for k in ("recovered", "not_recovered", "never"))
    # Then each customer counts once, by their latest case closed in the year
    assert (rec.customers, rec.still_buying, rec.rate) == (4, 2, 50.0)
    assert (nrec.customers, nrec.still_buying, nrec.rate) == (4, 1, 25.0)
    assert (never.customers, never.still_buying, never.rate) == (2, 1, 50.0)
    # and the recovery cost is per closed case of the group
    assert (rec.cases, rec.average_cost) == (4, 50.0)
    assert (nrec.cases, nrec.average_cost) == (5, 2.0)
    assert never.average_cost is None
    assert found.windows_complete


def test_the_two_proportion_test_matches_a_chi_square(shop: dict[str, Any], agent_a: Any) -> None:
    found = retention.report(agent_a, YEAR, 180)
    test = found.comparisons[0]
    assert (test.first, test.second, test.difference) == ("recovered", "not_recovered", 25.0)
    _chi2, p, _dof, _expected = chi2_contingency([[2, 2], [1, 3]], correction=False)
    assert test.p_value == pytest.approx(p, rel=1e-2)
    assert test.z == pytest.approx(0.730, abs=1e-3)
    assert not test.significant


def test_a_shorter_window_and_scope_change_the_counts(
    shop: dict[str, Any], agent_a: Any, region_b: Any
) -> None:
    # with a 30-day window: r1 (61 days after closing) and n1 (31 days) no longer count,
    # r4 (exactly 30 days) still does
    short = retention.report(agent_a, YEAR, 30)
    assert short.group("recovered").still_buying == 1
    assert short.group("not_recovered").still_buying == 0
    # an agent of region B sees only b1
    agent_b = make_user(Role.AGENT, region_b, username="agent-b")
    theirs = retention.report(agent_b, YEAR, 180)
    assert [(g.key, g.customers) for g in theirs.groups] == [
        ("recovered", 1),
        ("not_recovered", 0),
        ("never", 0),
    ]
    assert theirs.comparisons[0].p_value is None  # nothing to compare with
    analyst = make_user(Role.ANALYST, None, username="analyst")
    assert retention.report(analyst, YEAR, 180).group("recovered").customers == 5


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_page_export_and_api(shop: dict[str, Any], agent_a: Any) -> None:
    client = client_of(agent_a)
    query = {"from": "2025-01-01", "to": "2025-12-31", "days": "180"}
    html = client.get("/insights/service/retention/", query).content.decode()
    assert 'data-testid="retention-table"' in html and "data-dash-chart" in html
    assert 'data-group="recovered"' in html and 'data-testid="windows-incomplete"' not in html
    body = client.get("/insights/service/retention.csv", query).content.decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(body)))
    assert rows[1][1:] == ["4", "2", "50.0", "4", "50.0"]
    data = client.get("/api/v1/insights/service/retention", query).json()
    assert data["days"] == 180 and data["from"] == "2025-01-01"
    assert [(g["key"], g["customers"], g["rate"]) for g in data["groups"]] == [
        ("recovered", 4, 50.0),
        ("not_recovered", 4, 25.0),
        ("never", 2, 50.0),
    ]
    assert data["comparisons"][0]["significant"] is False


def test_bad_input_is_refused_with_a_code(agent_a: Any) -> None:
    client = client_of(agent_a)
    page = client.get("/insights/service/retention/", {"days": "forever"})
    assert page.status_code == 400
    api = client.get("/api/v1/insights/service/retention", {"from": "yesterday"})
    assert api.status_code in (400, 422)
    bad_day = client.get("/api/v1/insights/service/retention", {"from": "2025-02-30"})
    assert bad_day.status_code == 400 and bad_day.json()["code"] == "service_kpis.bad_date"


def test_an_empty_database_shows_an_empty_state(admin_user: Any) -> None:
    html = client_of(admin_user).get("/insights/service/retention/").content.decode()
    assert 'data-testid="retention-empty"' in html
    assert "data-dash-chart" not in html


def test_the_default_period_ends_a_window_ago() -> None:
    period, days = retention.parse({})
    assert days == 180
    assert period.last == timezone.localdate() - dt.timedelta(days=180)
    assert (period.last - period.first).days == 364


def test_a_recent_period_warns_that_windows_are_not_complete(agent_a: Any) -> None:
    today = timezone.localdate().isoformat()
    html = client_of(agent_a).get("/insights/service/retention/", {"to": today}).content.decode()
    assert 'data-testid="windows-incomplete"' in html
