"""Agent measures (I1): exact first-contact resolution, escalation, SLA attainment and CSAT
per agent and team on hand-made cases; who sees whose row; the page, its sorting and export,
the API, and the Service dashboard."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hudong.core.models import Role
from hudong.insights.servicekpis import measures
from hudong.insights.servicekpis.period import Period
from hudong.interactions.models import Interaction
from hudong.service.models import Case
from tests.factories import CustomerFactory, TeamFactory, make_user
from tests.service.conftest import open_case

pytestmark = pytest.mark.django_db

MARCH = Period(dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def at(day: int, month: int = 3) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, month, day, 10, 0))


def resolved(customer: Any, agent: Any, when: dt.datetime, **fields: Any) -> Case:
    """A case of ``customer`` resolved by ``agent`` at ``when``, with ``fields`` set."""
    case = open_case(customer, agent)
    Case.objects.filter(pk=case.pk).update(
        status="resolved", assignee=agent, resolved_at=when, **fields
    )
    return case


@pytest.fixture
def desk(region_a: Any, region_b: Any) -> dict[str, Any]:
    """Team "East desk" in region A (a1, a2), a supervisor of A, an analyst, b1 in region B.

    a1 resolved four cases in March: c1 clean (CSAT 5), c2 transferred and escalated (CSAT 3),
    c3 reopened and past its resolution target (CSAT 4), c4 clean without an answer; plus one
    in February and one still open, which do not count. a2 resolved one in March, past its
    first-response target (CSAT 2). b1 resolved one clean case in region B (CSAT 1).
    """
    team = TeamFactory(name="East desk", region=region_a)
    a1 = make_user(Role.AGENT, region_a, username="a1", team=team)
    a2 = make_user(Role.AGENT, region_a, username="a2", team=team)
    b1 = make_user(Role.AGENT, region_b, username="b1")
    ca, cb = CustomerFactory(region=region_a), CustomerFactory(region=region_b)
    resolved(ca, a1, at(2), csat_score=5)
    resolved(ca, a1, at(3), transfer_count=1, escalated_at=at(2), csat_score=3)
    resolved(ca, a1, at(4), reopened_count=1, resolution_breached_at=at(3), csat_score=4)
    resolved(ca, a1, at(5))
    resolved(ca, a1, at(20, month=2), csat_score=1)  # February: outside the period
    open_case(ca, a1)  # not resolved
    resolved(ca, a2, at(6), first_response_breached_at=at(5), csat_score=2)
    resolved(cb, b1, at(7), csat_score=1)
    Interaction.objects.create(
        customer=ca, channel="phone", direction="in", initiator="customer", agent=a1,
        started_at=at(2), duration_seconds=1800,
    )  # fmt: skip
    return {
        "team": team,
        "a1": a1,
        "a2": a2,
        "b1": b1,
        "supervisor": make_user(Role.SUPERVISOR, region_a, username="sup-a"),
        "analyst": make_user(Role.ANALYST, None, username="analyst"),
    }


def by_key(rows: list[measures.Row]) -> dict[str, measures.Row]:
    return {r.key: r for r in rows}


def test_each_agent_gets_exact_fcr_escalation_sla_and_csat(desk: dict[str, Any]) -> None:
    # Given the hand-made cases; when the analyst reads March per agent
    rows = by_key(measures.measures(desk["analyst"], MARCH, "agent"))
    a1, a2 = rows["a1"], rows["a2"]
    # Then a1: 4 resolved, 2 first-contact, 1 escalated, 3 within SLA, CSAT 5+3+4
    assert (a1.resolved, a1.first_contact, a1.escalated, a1.sla_met) == (4, 2, 1, 3)
    assert (a1.fcr_rate, a1.escalation_rate, a1.empowerment_rate, a1.sla_rate) == (
        50.0,
        25.0,
        75.0,
        75.0,
    )
    assert (a1.csat_mean, a1.csat_answers, a1.csat_top_share) == (4.0, 3, 66.7)
    # and a2: one case, first-contact but past its first-response target
    assert (a2.resolved, a2.fcr_rate, a2.sla_rate, a2.csat_mean, a2.csat_top_share) == (
        1,
        100.0,
        0.0,
        2.0,
        0.0,
    )


def test_the_team_adds_up_its_agents_counts(desk: dict[str, Any]) -> None:
    rows = by_key(measures.measures(desk["analyst"], MARCH, "team"))
    team = rows["East desk"]
    assert (team.agents, team.resolved, team.fcr_rate, team.escalation_rate) == (2, 5, 60.0, 20.0)
    assert (team.sla_rate, team.csat_mean, team.csat_answers, team.csat_top_share) == (
        60.0,
        3.5,
        4,
        50.0,
    )
    assert sorted(team.members) == ["a1", "a2"]
    regions = by_key(measures.measures(desk["analyst"], MARCH, "region"))
    assert regions["Region A"].resolved == 5 and regions["Region B"].resolved == 1


def test_handle_and_non_contact_time_are_the_inbox_figures(desk: dict[str, Any]) -> None:
    from hudong.interactions.inbox import metrics as inbox
    from hudong.interactions.inbox.models import PresenceChange

    # Given a1 on duty from 09:00 to 17:00 on 2 March, with a 30-minute call
    day = timezone.make_aware(dt.datetime(2026, 3, 2))
    PresenceChange.objects.create(user=desk["a1"], status="available", at=day.replace(hour=9))
    PresenceChange.objects.create(user=desk["a1"], status="offline", at=day.replace(hour=17))
    a1 = by_key(measures.measures(desk["analyst"], MARCH))["a1"]
    expected = inbox.per_agent([desk["a1"].profile], MARCH.start, MARCH.end)[0]
    # Then the figures are the inbox's: 8 hours on duty, 30 minutes on contacts
    assert a1.handle_seconds == expected.handle_seconds == 1800
    assert a1.on_duty_seconds == expected.on_duty_seconds == 8 * 3600
    assert a1.non_contact_seconds == expected.non_contact_seconds == 8 * 3600 - 1800
    assert (a1.handle_hours, a1.non_contact_hours) == (0.5, 7.5)


def test_an_agent_sees_only_their_own_row(desk: dict[str, Any]) -> None:
    assert [r.key for r in measures.measures(desk["a1"], MARCH)] == ["a1"]
    # an agent of region B sees nothing of region A's agents, not even summed in a team
    assert [r.key for r in measures.measures(desk["b1"], MARCH)] == ["b1"]
    teams = measures.measures(desk["b1"], MARCH, "region")
    assert [(r.key, r.resolved) for r in teams] == [("Region B", 1)]


def test_a_supervisor_sees_the_agents_of_their_region(desk: dict[str, Any]) -> None:
    keys = {r.key for r in measures.measures(desk["supervisor"], MARCH)}
    assert {"a1", "a2"} <= keys and "b1" not in keys


def client_of(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_table_sorts_and_exports(desk: dict[str, Any]) -> None:
    client = client_of(desk["analyst"])
    html = client.get(
        "/insights/service/agents/",
        {"from": "2026-03-01", "to": "2026-03-31", "sort": "-csat_mean"},
    ).content.decode()
    assert 'data-testid="agent-measures"' in html
    # sorted by CSAT, best first: a1 (4.0), a2 (2.0), b1 (1.0)
    assert html.index('data-key="a1"') < html.index('data-key="a2"') < html.index('data-key="b1"')
    assert 'aria-sort="descending"' in html
    body = client.get(
        "/insights/service/agents.csv", {"from": "2026-03-01", "to": "2026-03-31"}
    ).content.decode("utf-8-sig")
    lines = body.splitlines()
    assert len(lines[0].split(",")) == 11  # the page's columns, in the request's language
    assert lines[1].startswith("a1,4,50.0,25.0,75.0,75.0,4.0,3,66.7")


def test_the_api_groups_and_checks_its_input(desk: dict[str, Any]) -> None:
    client = client_of(desk["a1"])
    data = client.get(
        "/api/v1/insights/service/agents", {"from": "2026-03-01", "to": "2026-03-31"}
    ).json()
    assert data["from"] == "2026-03-01" and data["group"] == "agent"
    assert [(r["key"], r["fcr_rate"], r["sla_rate"]) for r in data["rows"]] == [("a1", 50.0, 75.0)]
    team = client_of(desk["analyst"]).get(
        "/api/v1/insights/service/agents",
        {"from": "2026-03-01", "to": "2026-03-31", "group": "team"},
    )
    assert {r["key"]: r["resolved"] for r in team.json()["rows"]}["East desk"] == 5
    bad = client.get("/api/v1/insights/service/agents", {"group": "planet"})
    assert bad.status_code in (400, 422)
    too_long = client.get(
        "/api/v1/insights/service/agents", {"from": "2024-01-01", "to": "2026-03-31"}
    )
    assert too_long.status_code == 400 and too_long.json()["code"] == "service_kpis.period_too_long"


def test_the_service_dashboard_shows_the_charts(desk: dict[str, Any]) -> None:
    client = client_of(desk["analyst"])
    html = client.get("/insights/dashboards/service/", {"from": "2026-03", "to": "2026-03"})
    text = html.content.decode()
    for key in (
        "service-agents",
        "service-csat",
        "service-time",
        "service-teams",
        "service-regions",
    ):
        assert f'data-testid="chart-{key}"' in text
    assert 'data-testid="no-run"' not in text  # counted live: no insights run needed
    assert 'data-testid="dashboard-links"' in text
    api = client.get("/api/v1/dashboards/service", {"from": "2026-03", "to": "2026-03"})
    charts = {c["key"]: c for c in api.json()["charts"]}
    agents = charts["service-agents"]
    assert agents["labels"] == ["a1", "a2", "b1"]
    assert agents["series"][0]["data"] == [50.0, 100.0, 100.0]


def test_an_empty_database_shows_empty_states(admin_user: Any) -> None:
    client = client_of(admin_user)
    text = client.get("/insights/service/agents/").content.decode()
    assert 'data-testid="no-agents"' in text
    board = client.get("/insights/dashboards/service/")
    assert board.status_code == 200


ENDPOINTS = (
    "/insights/dashboards/service/",
    "/insights/charts/service-agents/data.csv",
    "/insights/charts/service-teams/data.xlsx",
    "/insights/service/agents/",
    "/insights/service/agents.csv",
    "/insights/service/retention/",
    "/insights/service/retention.csv",
    "/api/v1/insights/service/agents",
    "/api/v1/insights/service/retention",
)


@pytest.mark.parametrize(
    "role", [Role.AGENT, Role.SUPERVISOR, Role.SALES, Role.MARKETER, Role.ANALYST]
)
def test_every_role_opens_the_pages_with_the_rows_of_its_scope(
    role: str, desk: dict[str, Any], region_a: Any
) -> None:
    user = make_user(role, region_a, username=f"who-{role}")
    client = client_of(user)
    for url in ENDPOINTS:
        assert client.get(url).status_code == 200, (role, url)
    rows = client.get(
        "/api/v1/insights/service/agents", {"from": "2026-03-01", "to": "2026-03-31"}
    ).json()["rows"]
    keys = {r["key"] for r in rows}
    if role == Role.ANALYST:
        assert {"a1", "a2", "b1"} <= keys
    elif role == Role.SUPERVISOR:
        assert {"a1", "a2"} <= keys and "b1" not in keys
    else:  # an agent sees themselves; sales and marketing see no agent by default
        assert keys <= {user.username}


def test_without_insights_access_the_pages_are_refused(region_a: Any) -> None:
    from hudong.core.models import AccessRule

    user = make_user(Role.AGENT, region_a, username="no-insights")
    AccessRule.objects.update_or_create(
        role=Role.AGENT, resource="insights", defaults={"scope": "none"}
    )
    client = client_of(user)
    for url in ENDPOINTS:
        assert client.get(url).status_code == 403, url


def test_anonymous_gets_nothing() -> None:
    client = Client()
    for url in ENDPOINTS:
        assert client.get(url).status_code in {302, 401, 403}, url


def test_the_dashboard_region_filter_keeps_that_regions_agents(desk: dict[str, Any]) -> None:
    client = client_of(desk["analyst"])
    data = client.get(
        "/api/v1/dashboards/service", {"from": "2026-03", "to": "2026-03", "region": "region-b"}
    ).json()
    charts = {c["key"]: c for c in data["charts"]}
    assert charts["service-agents"]["labels"] == ["b1"]
    assert charts["service-regions"]["labels"] == ["Region B"]


def test_agent_charts_keep_the_busiest_agents(
    desk: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from hudong.insights.servicekpis import charts

    monkeypatch.setattr(charts, "CHART_AGENTS", 2)
    client = client_of(desk["analyst"])
    data = client.get("/api/v1/dashboards/service", {"from": "2026-03", "to": "2026-03"}).json()
    agents = {c["key"]: c for c in data["charts"]}["service-agents"]
    assert agents["labels"] == ["a1", "a2"]  # a1: 4 cases; a2 and b1: 1 each, a2 first by name


def test_a_case_resolved_without_an_assignee_counts_for_who_resolved_it(
    desk: dict[str, Any], region_a: Any
) -> None:
    from hudong.service import actions

    # Given an unassigned case that a2 acknowledges and resolves
    case = open_case(CustomerFactory(region=region_a))
    Case.objects.filter(pk=case.pk).update(assignee=None)
    case.refresh_from_db()
    actions.transition(case, "acknowledged", desk["a2"])
    actions.transition(case, "resolved", desk["a2"])
    today = timezone.localdate()
    period = Period(today, today)
    # Then it counts for a2
    rows = by_key(measures.measures(desk["analyst"], period))
    assert rows["a2"].resolved == 1 and rows["a1"].resolved == 0
