"""Helpers of the recovery and CSAT tests: a reachable customer, a case walked to its end, and
the background worker's delivery of domain events."""

from __future__ import annotations

from typing import Any

from django.test import TestCase

from hudong.core import events
from hudong.core.models import DomainEvent
from hudong.service import actions
from hudong.service.models import Case, CaseStatus
from tests.service.conftest import open_case

S = CaseStatus


def reachable_by_sms(customer: Any, number: str = "13800138000") -> None:
    customer.identifiers.create(kind="phone", value=number, normalized=f"+86{number}")


def deliver_events() -> int:
    """What the worker does after a commit: run every pending event's subscribers (the
    survey on closing among them), oldest first, until none is left."""
    ran = 0
    for _round in range(10):  # a subscriber's own events are delivered in the next round
        pending = list(
            DomainEvent.objects.filter(dispatched_at__isnull=True).order_by("occurred_at", "id")
        )
        if not pending:
            break
        for event in pending:
            # what follows the handler's commit (sending the survey) runs, as in the worker
            with TestCase.captureOnCommitCallbacks(execute=True):
                events.dispatch(str(event.pk))
        ran += len(pending)
    return ran


def walk(case: Case, user: Any, *statuses: str) -> Case:
    for status in statuses:
        case = actions.transition(case, status, user)
    return case


def resolved_case(customer: Any, user: Any = None, **kw: Any) -> Case:
    case = open_case(customer, user, **kw)
    return walk(case, user, S.ACKNOWLEDGED, S.IN_PROGRESS, S.RESOLVED)


def closed_case(customer: Any, user: Any = None, **kw: Any) -> Case:
    """A case closed by ``user``; its survey goes out once the events are delivered."""
    return walk(resolved_case(customer, user, **kw), user, S.CLOSED)
