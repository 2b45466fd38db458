"""Demo presence: every demo agent can be routed to and has shifts the measures count."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from hudong.core.models import Role
from hudong.interactions.inbox import metrics
from hudong.interactions.inbox.demo import DAYS, LOCAL, seed_presence
from hudong.interactions.inbox.models import AgentPresence, PresenceChange
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("hours_ago", [0, 7, 13, 19])
def test_demo_agents_get_skills_and_two_weeks_of_shifts(region_a: Any, hours_ago: int) -> None:
    agent = make_user(Role.AGENT, region_a, username="demo-agent")
    supervisor = make_user(Role.SUPERVISOR, region_a, username="demo-sup")
    make_user(Role.MARKETER, region_a, username="demo-marketer")
    # Any time of day: a shift cut by the report window once failed this in the afternoon
    as_of = timezone.now() - dt.timedelta(hours=hours_ago)
    assert seed_presence(as_of, seed=7) == 2
    assert seed_presence(as_of, seed=7) == 0  # running again adds nothing
    assert "senior" in AgentPresence.objects.get(user=supervisor).skills
    assert AgentPresence.objects.get(user=agent).skills
    # Ten weekdays of four changes each, and about eight hours on duty a day
    assert PresenceChange.objects.filter(user=agent).count() == 40
    # The window opens at local midnight fourteen days back, so the first day's shift is whole
    # whatever the time of day the test runs at.
    first_day = as_of.astimezone(LOCAL).date() - dt.timedelta(days=DAYS)
    start = dt.datetime.combine(first_day, dt.time(0, 0), tzinfo=LOCAL)
    report = metrics.report(supervisor, start=start, end=as_of)
    on_duty = {r["key"]: r["on_duty_seconds"] for r in report["rows"]}
    hours = on_duty["demo-agent"] / 3600
    assert 10 * 7.5 <= hours <= 10 * 8.5
