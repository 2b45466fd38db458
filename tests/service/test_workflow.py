"""The case workflow: every allowed move works and stamps its time, every other is refused."""

from __future__ import annotations

import itertools
from typing import Any

import pytest

from hudong.core.errors import DomainError
from hudong.core.models import DomainEvent
from hudong.service import actions, workflow
from hudong.service.models import Case, CaseStatus

pytestmark = pytest.mark.django_db
S = CaseStatus

ALLOWED = {
    (S.NEW, S.ACKNOWLEDGED),
    (S.ACKNOWLEDGED, S.IN_PROGRESS),
    (S.ACKNOWLEDGED, S.WAITING_CUSTOMER),
    (S.ACKNOWLEDGED, S.RESOLVED),
    (S.IN_PROGRESS, S.WAITING_CUSTOMER),
    (S.IN_PROGRESS, S.RESOLVED),
    (S.WAITING_CUSTOMER, S.IN_PROGRESS),
    (S.WAITING_CUSTOMER, S.RESOLVED),
    (S.RESOLVED, S.CLOSED),
    (S.RESOLVED, S.IN_PROGRESS),
    (S.CLOSED, S.IN_PROGRESS),
}
PAIRS = list(itertools.product(S.values, S.values))


def _in(case: Case, status: str) -> Case:
    Case.objects.filter(pk=case.pk).update(status=status)
    case.refresh_from_db()
    return case


@pytest.mark.parametrize(("start", "target"), PAIRS, ids=[f"{a}->{b}" for a, b in PAIRS])
def test_every_transition_is_allowed_or_refused(
    case_a: Case, agent_a: Any, start: str, target: str
) -> None:
    # Given a case in ``start``
    case = _in(case_a, start)
    # When the agent moves it to ``target``
    if (start, target) in ALLOWED:
        moved = actions.transition(case, target, agent_a)
        # Then it moves, and the change is an event
        assert moved.status == target
        assert DomainEvent.objects.filter(
            name="service.case_status_changed", payload__to=target
        ).exists()
    else:
        # Then the workflow refuses it with a stable code, and nothing changes
        with pytest.raises(DomainError) as refused:
            actions.transition(case, target, agent_a)
        assert refused.value.code == "cases.bad_transition"
        assert refused.value.status == 409
        case.refresh_from_db()
        assert case.status == start


def test_the_workflow_table_is_what_the_tests_say() -> None:
    assert {(a, b) for a, b in PAIRS if workflow.allowed(a, b)} == ALLOWED


def test_an_unknown_status_is_refused(case_a: Case, agent_a: Any) -> None:
    with pytest.raises(DomainError) as refused:
        actions.transition(case_a, "lost", agent_a)
    assert refused.value.code == "cases.bad_transition"


def test_the_whole_road_stamps_each_step_and_reopen_counts(case_a: Case, agent_a: Any) -> None:
    # Given a new case, acknowledged, worked on, resolved and closed
    case = actions.acknowledge(case_a, agent_a)
    assert case.acknowledged_at is not None
    for status in (S.IN_PROGRESS, S.WAITING_CUSTOMER, S.IN_PROGRESS, S.RESOLVED):
        case = actions.transition(case, status, agent_a)
    assert case.resolved_at is not None
    case = actions.transition(case, S.CLOSED, agent_a)
    assert case.closed_at is not None
    # When the customer comes back
    case = actions.transition(case, S.IN_PROGRESS, agent_a)
    # Then the case is open again, counted as reopened, no longer resolved or closed
    assert (case.status, case.reopened_count) == (S.IN_PROGRESS, 1)
    assert case.resolved_at is None and case.closed_at is None
    assert case.acknowledged_at is not None
    reopen = DomainEvent.objects.filter(name="service.case_status_changed").order_by("-occurred_at")
    assert reopen.first().payload["reopen"] is True  # type: ignore[union-attr]


def test_opening_numbers_the_case_and_publishes_it(customer_a: Any, agent_a: Any) -> None:
    from tests.service.conftest import open_case

    first, second = open_case(customer_a, agent_a), open_case(customer_a, agent_a)
    year = first.created_at.year
    assert first.number == f"C{year}-000001"
    assert second.number == f"C{year}-000002"
    assert first.status == S.NEW
    event = DomainEvent.objects.get(name="service.case_opened", payload__case_id=first.pk)
    assert event.payload["number"] == first.number


def test_a_number_taken_meanwhile_is_drawn_again(
    customer_a: Any, agent_a: Any, monkeypatch: Any
) -> None:
    """Two agents opening cases at once can draw the same number (on PostgreSQL): the second
    is refused by the unique constraint and draws again, instead of failing."""
    from hudong.service import actions
    from tests.service.conftest import open_case

    # Given a case numbered 1, and a number drawing that first answers "1" as if it had not
    # seen that case yet (another agent's case committed a moment earlier)
    first = open_case(customer_a, agent_a)
    real = actions.next_number
    answers = iter([first.number])
    monkeypatch.setattr(actions, "next_number", lambda year: next(answers, None) or real(year))

    # When the next case is opened
    second = open_case(customer_a, agent_a)

    # Then it gets the next free number, and both cases exist
    assert second.number == f"C{first.created_at.year}-000002"
    assert {c.number for c in Case.objects.all()} == {first.number, second.number}
