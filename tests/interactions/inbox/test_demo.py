"""Demo presence: every demo agent can be routed to and has shifts the measures count."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from hudong.core.models import Role
from hudong.interactions.inbox import metrics
from hudong.interactions.inbox.demo import seed_presence
from hudong.interactions.inbox.models import AgentPresence, PresenceChange
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_demo_agents_get_skills_and_two_weeks_of_shifts(region_a: Any) -> None:
    agent = make_user(Role.AGENT, region_a, username="demo-agent")
    supervisor = make_user(Role.SUPERVISOR, region_a, username="demo-sup")
    make_user(Role.MARKETER, region_a, username="demo-marketer")
    as_of = timezone.now()
    assert seed_presence(as_of, seed=7) == 2
    assert seed_presence(as_of, seed=7) == 0  # running again adds nothing
    assert "senior" in AgentPresence.objects.get(user=supervisor).skills
    assert AgentPresence.objects.get(user=agent).skills
    # Ten weekdays of four changes each, and about eight hours on duty a day
    assert PresenceChange.objects.filter(user=agent).count() == 40
    report = metrics.report(supervisor, start=as_of - dt.timedelta(days=14), end=as_of)
    on_duty = {r["key"]: r["on_duty_seconds"] for r in report["rows"]}
    hours = on_duty["demo-agent"] / 3600
    assert 10 * 7.5 <= hours <= 10 * 8.5
