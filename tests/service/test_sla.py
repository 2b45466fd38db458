"""SLA clocks: the policy a case takes, due times in business time, the pause while waiting on
the customer, and the sweep that warns once and escalates once."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hudong.core.models import CalendarDay, DomainEvent, Role
from hudong.core.models.calendars import BusinessCalendar
from hudong.core.models.live import LiveMessage
from hudong.service import actions, sla
from hudong.service.models import Case, SlaPolicy
from tests.factories import TeamFactory, make_user
from tests.service.conftest import FakeSms, category, open_case

pytestmark = pytest.mark.django_db

SH = zoneinfo.ZoneInfo("Asia/Shanghai")


def local(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


@contextmanager
def at(moment: dt.datetime) -> Iterator[None]:
    """Make the clock read ``moment`` (the actions take their time from it)."""
    real = timezone.now
    timezone.now = lambda: moment  # type: ignore[assignment]
    try:
        yield
    finally:
        timezone.now = real  # type: ignore[assignment]


@pytest.fixture
def calendar() -> BusinessCalendar:
    """Monday to Friday 09:00–12:00, 13:00–18:00; Monday 23 November 2026 a holiday."""
    cal = BusinessCalendar.objects.create(code="test", name="Test")
    CalendarDay.objects.create(calendar=cal, date=dt.date(2026, 11, 23), kind="holiday")
    return cal


@pytest.fixture
def policy(calendar: BusinessCalendar) -> SlaPolicy:
    """The only policy in force: first response in 1 h, resolution in 8 h."""
    SlaPolicy.objects.update(active=False)
    return SlaPolicy.objects.create(
        name="test", first_response_minutes=60, resolution_minutes=480, calendar=calendar
    )


def test_the_seeded_defaults_give_each_priority_its_targets(customer_a: Any) -> None:
    # Given the seeded policies, when a medium case (P3) opens
    case = open_case(customer_a)
    # Then it takes the P3 policy: 8 business hours to answer, 3 business days to resolve
    assert case.priority == 3
    assert case.sla_policy is not None
    assert (case.sla_policy.first_response_minutes, case.sla_policy.resolution_minutes) == (
        480,
        1440,
    )


def test_the_most_specific_policy_wins(customer_a: Any) -> None:
    # Given a general policy, one for the category, and one for category, priority and tier
    SlaPolicy.objects.update(active=False)
    SlaPolicy.objects.create(name="any", first_response_minutes=60, resolution_minutes=600)
    by_category = SlaPolicy.objects.create(
        name="delivery",
        category=category("delivery"),
        first_response_minutes=30,
        resolution_minutes=300,
    )
    # When a delivery case opens, the category's policy beats the catch-all
    assert open_case(customer_a).sla_policy == by_category
    # And one naming category, priority and tier beats the category's
    exact = SlaPolicy.objects.create(
        name="exact",
        category=category("delivery"),
        priority=3,
        tier="C",
        first_response_minutes=10,
        resolution_minutes=100,
    )
    assert open_case(customer_a).sla_policy == exact
    # And a case of another category still takes the catch-all
    assert open_case(customer_a, code="billing").sla_policy.name == "any"  # type: ignore[union-attr]


def test_due_times_skip_the_weekend_and_a_holiday(policy: SlaPolicy, customer_a: Any) -> None:
    # Given a case opened on Friday 17:30 (Monday is a holiday)
    with at(local(2026, 11, 20, 17, 30)):
        case = open_case(customer_a)
    # Then one working hour (half on Friday, half on Tuesday) is due on Tuesday 09:30,
    # eight working hours on Tuesday 17:30
    assert case.first_response_due == local(2026, 11, 24, 9, 30)
    assert case.resolution_due == local(2026, 11, 24, 17, 30)


def test_waiting_on_the_customer_pushes_the_resolution_due_time(
    policy: SlaPolicy, customer_a: Any, agent_a: Any
) -> None:
    # Given a case opened on Tuesday 09:00, due at 18:00
    with at(local(2026, 11, 24, 9, 0)):
        case = open_case(customer_a, agent_a)
        actions.acknowledge(case, agent_a)
    assert case.resolution_due == local(2026, 11, 24, 18, 0)
    # When it waits on the customer from 11:00 to 15:00 (three working hours, lunch excluded)
    with at(local(2026, 11, 24, 11, 0)):
        case = actions.transition(case, "waiting_customer", agent_a)
    assert case.paused_at == local(2026, 11, 24, 11, 0)
    with at(local(2026, 11, 24, 15, 0)):
        case = actions.transition(case, "in_progress", agent_a)
    # Then the clock resumed and the resolution is due three working hours later: Wed 12:00
    case.refresh_from_db()
    assert case.paused_at is None
    assert case.paused_seconds == 3 * 3600
    assert case.resolution_due == local(2026, 11, 25, 12, 0)


def test_a_waiting_case_is_not_swept(policy: SlaPolicy, customer_a: Any, agent_a: Any) -> None:
    with at(local(2026, 11, 24, 9, 0)):
        case = open_case(customer_a, agent_a)
        actions.acknowledge(case, agent_a)
        actions.transition(case, "waiting_customer", agent_a)
    assert sla.sweep(local(2026, 11, 26, 9, 0)) == {"warned": 0, "breached": 0}


@pytest.fixture
def team_case(policy: SlaPolicy, customer_a: Any, region_a: Any) -> tuple[Case, Any, Any]:
    """A case opened Tuesday 09:00, assigned to an agent whose team has a supervisor."""
    team = TeamFactory(region=region_a)
    agent = make_user(Role.AGENT, region_a, team=team, username="agent-t")
    boss = make_user(Role.SUPERVISOR, region_a, team=team, username="boss-t")
    with at(local(2026, 11, 24, 9, 0)):
        case = open_case(customer_a, agent)
        case = actions.assign(case, agent, to=agent)
    return case, agent, boss


def test_the_sweep_warns_once(team_case: tuple[Case, Any, Any]) -> None:
    case, agent, boss = team_case
    # Given 80 % of the hour to first response has passed (48 minutes)
    now = local(2026, 11, 24, 9, 50)
    # When the sweep runs twice
    assert sla.sweep(now) == {"warned": 1, "breached": 0}
    assert sla.sweep(now) == {"warned": 0, "breached": 0}
    # Then the case is at risk, more urgent, and warned once
    case.refresh_from_db()
    assert (case.sla_state, case.sla_warned_at, case.priority) == ("at_risk", now, 2)
    assert DomainEvent.objects.filter(name="service.sla_warning").count() == 1
    # And the assignee and the team's supervisor got a live message
    assert set(
        LiveMessage.objects.filter(topic="service.sla").values_list("user_id", flat=True)
    ) == {
        agent.pk,
        boss.pk,
    }


def test_the_sweep_escalates_a_breach_once_to_the_supervisor(
    team_case: tuple[Case, Any, Any],
) -> None:
    case, agent, boss = team_case
    # Given the hour to first response has passed without a reply
    now = local(2026, 11, 24, 10, 1)
    # When the sweep runs twice
    assert sla.sweep(now) == {"warned": 1, "breached": 1}
    assert sla.sweep(now) == {"warned": 0, "breached": 0}
    # Then the breach is recorded once, the case went to the supervisor at top urgency
    case.refresh_from_db()
    assert (case.first_response_breached_at, case.resolution_breached_at) == (now, None)
    assert (case.sla_state, case.assignee_id, case.priority) == ("breached", boss.pk, 1)
    [event] = DomainEvent.objects.filter(name="service.sla_breached")
    assert event.payload["from"] == agent.pk
    assert event.payload["escalated_to"] == boss.pk
    assert LiveMessage.objects.filter(user=boss, payload__state="breached").count() == 1


def test_a_breach_without_a_supervisor_stays_with_the_assignee_flagged(
    policy: SlaPolicy, customer_a: Any, agent_a: Any
) -> None:
    with at(local(2026, 11, 24, 9, 0)):
        case = open_case(customer_a, agent_a)
        case = actions.assign(case, agent_a, to=agent_a, team=TeamFactory())
    sla.sweep(local(2026, 11, 24, 18, 30))
    case.refresh_from_db()
    assert case.assignee_id == agent_a.pk
    assert case.first_response_breached_at and case.resolution_breached_at
    assert case.sla_state == "breached"


def test_the_first_reply_meets_the_first_response_target(
    sms: FakeSms, policy: SlaPolicy, customer_a: Any, agent_a: Any
) -> None:
    # Given a customer reachable by SMS and a case opened now
    customer_a.identifiers.create(kind="phone", value="13800138000", normalized="+8613800138000")
    case = open_case(customer_a, agent_a)
    # When the agent replies
    actions.reply(case, agent_a, "您好，我们正在处理。")
    # Then the first response is met: past its due time the sweep finds no breach of it
    case.refresh_from_db()
    assert case.first_response_at is not None
    assert case.first_response_due is not None
    sla.sweep(case.first_response_due + dt.timedelta(minutes=1))
    case.refresh_from_db()
    assert case.first_response_breached_at is None


def test_the_queue_filters_at_risk_and_breached(
    team_case: tuple[Case, Any, Any], client: Any
) -> None:
    case, agent, boss = team_case
    sla.sweep(local(2026, 11, 24, 9, 50))
    client.force_login(boss)
    at_risk = client.get("/service/cases/?sla=at_risk")
    assert case.number in at_risk.content.decode()
    assert 'data-testid="sla-at-risk"' in at_risk.content.decode()
    assert case.number not in client.get("/service/cases/?sla=breached").content.decode()


def test_the_api_returns_the_sla_and_filters_on_it(team_case: tuple[Case, Any, Any]) -> None:
    case, agent, boss = team_case
    sla.sweep(local(2026, 11, 24, 10, 1))
    client = Client()
    client.force_login(boss)
    [row] = client.get("/api/v1/cases?sla=breached").json()
    assert row["id"] == case.pk
    assert row["sla_state"] == "breached"
    assert row["first_response_due"] is not None and row["resolution_due"] is not None
    assert row["first_response_breached_at"] is not None
    assert client.get("/api/v1/cases?sla=at_risk").json() == []
    assert client.get("/api/v1/cases?sla=late").status_code == 422


def test_a_breach_never_goes_to_a_supervisor_who_cannot_see_the_customer(
    policy: SlaPolicy, customer_a: Any, region_a: Any
) -> None:
    # Given a team whose only supervisor works another region than the customer's
    from tests.factories import RegionFactory

    team = TeamFactory(region=region_a)
    agent = make_user(Role.AGENT, region_a, team=team, username="agent-x")
    far = make_user(Role.SUPERVISOR, RegionFactory(), team=team, username="boss-far")
    with at(local(2026, 11, 24, 9, 0)):
        case = open_case(customer_a, agent)
        case = actions.assign(case, agent, to=agent)

    # When the first response is breached
    sla.sweep(local(2026, 11, 24, 10, 1))

    # Then the case stays with its agent (flagged), and the far supervisor hears nothing of it
    case.refresh_from_db()
    assert (case.sla_state, case.assignee_id) == ("breached", agent.pk)
    assert not LiveMessage.objects.filter(user=far).exists()
