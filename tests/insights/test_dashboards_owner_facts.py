"""Users who see only their own (or their team's) customers read the run's owner facts: the
same KPIs as counted by hand over exactly those customers, never another owner's."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from hudong.core.models import AccessRule, Role, Team
from hudong.core.models.access import Scope
from hudong.core.scoping import forget_rules
from hudong.insights import engine
from hudong.insights.kpis import facts, live  # noqa: F401  (facts: the after-run hook)
from hudong.insights.models import KpiFact, KpiOwnerFact
from tests.factories import make_user
from tests.insights.factories_dashboards import AS_OF, RANGE, at, order, shop
from tests.insights.test_dashboards_pages import client_for, series

pytestmark = pytest.mark.django_db

Sums = dict[tuple[Any, ...], list[float]]


@pytest.fixture
def data() -> dict[str, Any]:
    """The shop, with e1 (east) and w1 (west) owned by a second sales user of the east."""
    s = shop()
    team = Team.objects.create(name="Key accounts")
    s["sales2"] = make_user(Role.SALES, s["east"], username="sales-east", team=team)
    s["sales"].profile.team = team
    s["sales"].profile.save()
    for c in (s["e1"], s["w1"]):
        c.owner = s["sales2"]
        c.save()
    s["team"] = team
    return s


def summed(rows: Any) -> Sums:
    """(metric, period, region, key, series) -> [count, value], zeros left out."""
    out: Sums = defaultdict(lambda: [0, 0.0])
    for r in rows:
        slot = out[(r["metric"], r["period"], r["region_id"], r["key"], r["series"])]
        slot[0] += r["count"]
        slot[1] += r["value"]
    return {k: v for k, v in out.items() if v[0] or v[1]}


def stored_for(owner: Any) -> Sums:
    fields = ("metric", "period", "region_id", "key", "series", "count", "value")
    return summed(KpiOwnerFact.objects.filter(owner=owner).values(*fields))


def no_live(*args: Any, **kwargs: Any) -> Any:
    raise AssertionError("counted live although the run wrote owner facts")


def test_owner_facts_are_each_owners_customers_counted_alone(data: dict[str, Any]) -> None:
    run = engine.run(as_of=AS_OF)
    assert run.summary["kpis"]["owner_facts"] == KpiOwnerFact.objects.count() > 0
    # only owned customers have owner rows; the region facts are unchanged by them
    owners = set(KpiOwnerFact.objects.values_list("owner_id", flat=True))
    assert owners == {data["sales"].pk, data["sales2"].pk}
    assert run.summary["kpis"]["facts"] == KpiFact.objects.count()
    # each owner's rows are every fact counted over their customers and nobody else's
    for user in (data["sales"], data["sales2"]):
        expected = summed(live.live_facts(user, AS_OF))
        got = stored_for(user)
        assert got.keys() == expected.keys(), user.username
        for k, (count, value) in expected.items():
            assert got[k][0] == count and got[k][1] == pytest.approx(value), (user.username, k)
    # by hand: sales owns w2 (60 + 40 in April, west), sales2 owns e1 and w1
    west, east = data["west"].pk, data["east"].pk
    april = KpiOwnerFact.objects.get(owner=data["sales"], metric="orders", period="2026-04-01")
    assert (april.count, april.value, april.region_id) == (2, 100.0, west)
    e1 = KpiOwnerFact.objects.filter(owner=data["sales2"], metric="orders", region_id=east)
    assert {f.period.strftime("%Y-%m"): f.value for f in e1} == {"2026-03": 100.0, "2026-04": 250.0}


def test_sales_reads_their_owner_facts_and_never_anothers(
    data: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    engine.run(as_of=AS_OF)
    monkeypatch.setattr(live, "live_facts", no_live)
    sales, sales2 = client_for(data["sales"]), client_for(data["sales2"])
    # w2 bought twice in April for 100 and was lost in May; nothing of e1 or w1
    revenue = series(sales, "consumption", "revenue-by-month", "Revenue")
    assert revenue["2026-03"] == 0.0 and revenue["2026-04"] == 100.0
    assert revenue["2026-05"] == 0.0  # w1's May order is sales2's
    assert series(sales, "retention", "churn", "Churned buyers")["2026-05"] == 1
    assert sum(series(sales, "value", "value-tiers", "Revenue").values()) == pytest.approx(100.0)
    assert series(sales, "consumption", "revenue-by-month", "Revenue", region="east") == {
        m: 0.0 for m in revenue
    }
    # sales2: e1 (100 in March, 250 in April) and w1 (300 in March, 120 in May)
    revenue2 = series(sales2, "consumption", "revenue-by-month", "Revenue")
    assert (revenue2["2026-03"], revenue2["2026-04"], revenue2["2026-05"]) == (400.0, 250.0, 120.0)
    west = series(sales2, "consumption", "revenue-by-month", "Revenue", region="west")
    assert (west["2026-03"], west["2026-04"], west["2026-05"]) == (300.0, 0.0, 120.0)
    # the page says whose figures they are: the run's, not a live count
    page = sales.get("/insights/dashboards/consumption/", RANGE, HTTP_ACCEPT_LANGUAGE="en")
    assert "Figures of the insights run of" in page.content.decode()


def test_team_scope_sums_the_owner_facts_of_the_team(
    data: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    for resource in ("customers", "insights"):
        AccessRule.objects.update_or_create(
            role=Role.SUPERVISOR, resource=resource, defaults={"scope": Scope.TEAM}
        )
    forget_rules()
    lead = make_user(Role.SUPERVISOR, data["east"], username="lead", team=data["team"])
    loner = make_user(Role.SUPERVISOR, data["east"], username="loner")  # no team: nothing
    other = make_user(
        Role.SUPERVISOR, data["east"], username="other", team=Team.objects.create(name="Other")
    )
    engine.run(as_of=AS_OF)
    monkeypatch.setattr(live, "live_facts", no_live)
    # the team's customers are w2 (sales) and e1, w1 (sales2): 400, 350, 120
    revenue = series(client_for(lead), "consumption", "revenue-by-month", "Revenue")
    assert (revenue["2026-03"], revenue["2026-04"], revenue["2026-05"]) == (400.0, 350.0, 120.0)
    for user in (loner, other):
        seen = series(client_for(user), "consumption", "revenue-by-month", "Revenue")
        assert set(seen.values()) == {0.0}, user.username
    # a member who leaves the team takes their customers' figures with them
    data["sales2"].profile.team = None
    data["sales2"].profile.save()
    revenue = series(client_for(lead), "consumption", "revenue-by-month", "Revenue")
    assert (revenue["2026-03"], revenue["2026-04"], revenue["2026-05"]) == (0.0, 100.0, 0.0)


def test_before_any_run_the_figures_are_counted_live(data: dict[str, Any]) -> None:
    sales = client_for(data["sales"])
    revenue = series(sales, "consumption", "revenue-by-month", "Revenue")
    assert revenue["2026-04"] == 100.0 and revenue["2026-05"] == 0.0
    page = sales.get("/insights/dashboards/consumption/", RANGE, HTTP_ACCEPT_LANGUAGE="en")
    assert "Counted now over your own customers." in page.content.decode()


def test_a_run_without_owner_facts_falls_back_to_the_live_count(data: dict[str, Any]) -> None:
    run = engine.run(as_of=AS_OF)
    run.summary["kpis"].pop("owner_facts")  # as a run before owner facts existed wrote it
    run.save()
    KpiOwnerFact.objects.all().delete()
    revenue = series(client_for(data["sales"]), "consumption", "revenue-by-month", "Revenue")
    assert revenue["2026-04"] == 100.0 and revenue["2026-03"] == 0.0


def test_owner_facts_are_as_of_the_last_run(data: dict[str, Any]) -> None:
    engine.run(as_of=AS_OF)
    order(data["w2"], at(2026, 5, 2), "30.00")  # after the run: shown after the next one
    sales = client_for(data["sales"])
    assert series(sales, "consumption", "revenue-by-month", "Revenue")["2026-05"] == 0.0
    engine.run(as_of=AS_OF)
    assert series(sales, "consumption", "revenue-by-month", "Revenue")["2026-05"] == 30.0


def test_split_sums_the_owners_away_for_the_region_facts(data: dict[str, Any]) -> None:
    engine.run(as_of=AS_OF)
    region = KpiFact.objects.get(metric="orders", period="2026-03-01", region=data["east"])
    assert (region.count, region.value) == (2, 180.0)  # e1 (owned) and e2 (no owner)
