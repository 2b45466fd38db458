"""An SLA over a weekend, a public holiday and an adjusted working day (调休) breaches at the
exact minute the business calendar says, and the breach goes up to the supervisor."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from hudong.core.models import CalendarDay, Role
from hudong.core.models.calendars import BusinessCalendar
from hudong.service import actions, sla
from hudong.service.models import Case, SlaPolicy
from tests.factories import TeamFactory, make_user
from tests.service.conftest import open_case
from tests.service.test_sla import at, local

pytestmark = pytest.mark.django_db

# Sixteen working hours: two business days of the default 09:00–12:00, 13:00–18:00.
TARGET = 16 * 60


@pytest.fixture
def golden_week_calendar() -> BusinessCalendar:
    """Saturday 21 November worked (调休), Sunday off, Monday 23 November a public holiday."""
    cal = BusinessCalendar.objects.create(code="cn-test", name="CN test")
    CalendarDay.objects.create(calendar=cal, date=dt.date(2026, 11, 21), kind="workday")
    CalendarDay.objects.create(calendar=cal, date=dt.date(2026, 11, 23), kind="holiday")
    return cal


@pytest.fixture
def friday_case(golden_week_calendar: BusinessCalendar, customer_a: Any, region_a: Any) -> Case:
    SlaPolicy.objects.update(active=False)
    SlaPolicy.objects.create(
        name="16h",
        first_response_minutes=TARGET,
        resolution_minutes=TARGET,
        calendar=golden_week_calendar,
    )
    team = TeamFactory(region=region_a)
    agent = make_user(Role.AGENT, region_a, team=team, username="agent-cal")
    make_user(Role.SUPERVISOR, region_a, team=team, username="boss-cal")
    with at(local(2026, 11, 20, 16, 0)):
        case = open_case(customer_a, agent)
        return actions.assign(case, agent, to=agent)


def test_the_due_minute_counts_the_worked_saturday_and_skips_sunday_and_the_holiday(
    friday_case: Case,
) -> None:
    # Given a case opened Friday 16:00 with 16 working hours to resolve:
    # Friday 16:00–18:00 (2 h), Saturday worked (8 h), Sunday off, Monday a holiday,
    # Tuesday 09:00–12:00 and 13:00–16:00 (6 h)
    assert friday_case.resolution_due == local(2026, 11, 24, 16, 0)
    assert friday_case.first_response_due == local(2026, 11, 24, 16, 0)


def test_the_sweep_breaches_at_the_due_minute_and_not_one_minute_before(
    friday_case: Case,
) -> None:
    # When the sweep runs on Tuesday at 15:59 nothing is breached (it is at risk)
    assert sla.sweep(local(2026, 11, 24, 15, 59))["breached"] == 0
    friday_case.refresh_from_db()
    assert friday_case.sla_state == "at_risk"
    assert friday_case.resolution_breached_at is None
    # When it runs at 16:00 the case is breached, escalated to the supervisor once
    assert sla.sweep(local(2026, 11, 24, 16, 0))["breached"] >= 1
    friday_case.refresh_from_db()
    assert friday_case.resolution_breached_at == local(2026, 11, 24, 16, 0)
    assert friday_case.sla_state == "breached"
    assert friday_case.assignee is not None
    assert friday_case.assignee.get_username() == "boss-cal"
    assert friday_case.escalated_at == local(2026, 11, 24, 16, 0)
    assert friday_case.transfer_count == 1


def test_waiting_on_the_customer_over_the_holiday_moves_the_breach(friday_case: Case) -> None:
    agent = friday_case.assignee
    # Given the agent answered, and the case waited on the customer from Saturday 17:00 to
    # Tuesday 10:00 (Saturday 1 h and Tuesday 1 h of working time; Sunday and the holiday
    # never counted anyway)
    with at(local(2026, 11, 21, 10, 0)):
        actions.acknowledge(friday_case, agent)
    with at(local(2026, 11, 21, 17, 0)):
        actions.transition(friday_case, "waiting_customer", agent)
    # Then while it waits the sweep leaves it alone, even past the original due minute
    assert sla.sweep(local(2026, 11, 24, 16, 30)) == {"warned": 0, "breached": 0}
    with at(local(2026, 11, 24, 10, 0)):
        actions.transition(friday_case, "in_progress", agent)
    friday_case.refresh_from_db()
    # And the resolution is due two working hours later than before: Tuesday 18:00
    assert friday_case.resolution_due == local(2026, 11, 24, 18, 0)
    # (nobody replied, so the first response, which never pauses, is late by now; the
    # resolution is not)
    assert sla.sweep(local(2026, 11, 24, 17, 59))["breached"] == 1
    friday_case.refresh_from_db()
    assert friday_case.first_response_breached_at == local(2026, 11, 24, 17, 59)
    assert friday_case.resolution_breached_at is None
    sla.sweep(local(2026, 11, 24, 18, 0))
    friday_case.refresh_from_db()
    assert friday_case.resolution_breached_at == local(2026, 11, 24, 18, 0)


@pytest.fixture
def tuesday_case(customer_a: Any, region_a: Any) -> Case:
    """A case opened Tuesday 24 November 09:00 with 8 working hours to resolve (due 18:00)."""
    SlaPolicy.objects.update(active=False)
    SlaPolicy.objects.create(name="8h", first_response_minutes=480, resolution_minutes=480)
    agent = make_user(Role.AGENT, region_a, username="agent-reopen")
    with at(local(2026, 11, 24, 9, 0)):
        case = open_case(customer_a, agent)
        return actions.assign(case, agent, to=agent, team=TeamFactory(region=region_a))


def test_a_reopened_case_gets_back_the_time_it_had_left(tuesday_case: Case) -> None:
    agent = tuesday_case.assignee
    # Given the case was resolved at 11:00 with six working hours left, and closed
    with at(local(2026, 11, 24, 11, 0)):
        for status in ("acknowledged", "in_progress", "resolved"):
            actions.transition(tuesday_case, status, agent)
    with at(local(2026, 11, 24, 12, 0)):
        actions.transition(tuesday_case, "closed", agent)
    # When the sweep runs past the old due time, a closed case is left alone
    assert sla.sweep(local(2026, 11, 24, 18, 30))["breached"] == 0
    # And when the customer comes back on Wednesday 09:00 and the case reopens
    with at(local(2026, 11, 25, 9, 0)):
        actions.transition(tuesday_case, "in_progress", agent)
    tuesday_case.refresh_from_db()
    # Then it has its six working hours again: due Wednesday 16:00, and it breaches then
    assert tuesday_case.resolution_due == local(2026, 11, 25, 16, 0)
    assert tuesday_case.paused_at is None
    sla.sweep(local(2026, 11, 25, 15, 59))
    tuesday_case.refresh_from_db()
    assert tuesday_case.resolution_breached_at is None
    sla.sweep(local(2026, 11, 25, 16, 0))
    tuesday_case.refresh_from_db()
    assert tuesday_case.resolution_breached_at == local(2026, 11, 25, 16, 0)
