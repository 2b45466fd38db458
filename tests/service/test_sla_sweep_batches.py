"""The SLA sweep commits in batches (it catches up thousands of cases after an outage): every
case of every batch is warned and escalated exactly once, and a case breaching both targets in
one sweep goes up once, with one transfer."""

from __future__ import annotations

from typing import Any

import pytest

from hudong.core.models import DomainEvent, LiveMessage, Role
from hudong.service import actions, sla
from hudong.service.models import Case, SlaPolicy
from tests.factories import TeamFactory, make_user
from tests.service.conftest import open_case
from tests.service.test_sla import at, local

pytestmark = pytest.mark.django_db


@pytest.fixture
def policy() -> SlaPolicy:
    """The only policy in force: first response in 1 h, resolution in 8 h, Monday to Friday."""
    SlaPolicy.objects.update(active=False)
    return SlaPolicy.objects.create(name="test", first_response_minutes=60, resolution_minutes=480)


@pytest.fixture
def backlog(policy: SlaPolicy, customer_a: Any, region_a: Any) -> tuple[list[Case], Any, Any]:
    """Five cases opened Tuesday 09:00, held by an agent whose team has a supervisor."""
    team = TeamFactory(region=region_a)
    agent = make_user(Role.AGENT, region_a, team=team, username="agent-b")
    boss = make_user(Role.SUPERVISOR, region_a, team=team, username="boss-b")
    cases = []
    with at(local(2026, 11, 24, 9, 0)):
        for _ in range(5):
            cases.append(actions.assign(open_case(customer_a, agent), agent, to=agent))
    return cases, agent, boss


def test_a_catch_up_in_small_batches_warns_and_escalates_each_case_once(
    backlog: tuple[list[Case], Any, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    cases, agent, boss = backlog
    monkeypatch.setattr(sla, "SWEEP_BATCH", 2)
    # Given the worker was down past both due times (first response 1 h, resolution 8 h)
    now = local(2026, 11, 24, 18, 30)
    # When the sweep catches up, twice
    assert sla.sweep(now) == {"warned": 5, "breached": 10}
    assert sla.sweep(now) == {"warned": 0, "breached": 0}
    # Then each case is breached on both targets, held by the supervisor, transferred once
    for case in Case.objects.filter(pk__in=[c.pk for c in cases]):
        assert (case.first_response_breached_at, case.resolution_breached_at) == (now, now)
        assert (case.assignee_id, case.transfer_count, case.escalated_at) == (boss.pk, 1, now)
        assert case.priority == 1
    # And each event went out once per case and target; the supervisor was told each time
    breaches = DomainEvent.objects.filter(name="service.sla_breached")
    assert breaches.count() == 10
    escalations = [e.payload["escalated_to"] for e in breaches]
    assert (escalations.count(boss.pk), escalations.count(None)) == (5, 5)
    assert DomainEvent.objects.filter(name="service.sla_warning").count() == 5
    assert LiveMessage.objects.filter(user=boss, payload__state="breached").count() == 10
    assert LiveMessage.objects.filter(user=agent, payload__state="at_risk").count() == 5
