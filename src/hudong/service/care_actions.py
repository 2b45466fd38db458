"""Writes on care tasks: take one, mark it done (optionally logging the call on the customer's
timeline), skip it. Each is one atomic function; the caller has read the task through
``care_queries.get_task``, so it is in the user's scope.

Who may act: the assignee; anyone in scope on a task nobody has yet (it becomes theirs); a
supervisor or an admin on any task they see. Everyone else gets ``care.not_yours``.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.core import events, scoping
from hudong.core.errors import DomainError
from hudong.core.models import Role
from hudong.interactions import actions as interaction_actions
from hudong.interactions.models import Channel, Direction
from hudong.service.models import CareTask, CareTaskStatus

OUTCOME_MAX = 4000
MANAGERS = (Role.SUPERVISOR, Role.ADMIN)


def _may_act(task: CareTask, user: Any) -> None:
    if task.status != CareTaskStatus.OPEN:
        raise DomainError("care.not_open", _("This care task is already closed."), status=409)
    if task.assignee_id in (None, user.pk) or user.is_superuser:
        return
    profile = scoping.profile_of(user)
    if profile is None or profile.role not in MANAGERS:
        raise DomainError(
            "care.not_yours", _("This care task belongs to someone else."), status=403
        )


@transaction.atomic
def take(task: CareTask, user: Any) -> CareTask:
    """The user takes an unassigned task."""
    _may_act(task, user)
    if task.assignee_id is None:
        task.assignee = user
        task.save(update_fields=["assignee"])
    return task


def _close(task: CareTask, user: Any, status: str, outcome: str) -> CareTask:
    task.status = status
    task.outcome = outcome[:OUTCOME_MAX]
    task.done_at = timezone.now()
    task.done_by = user
    if task.assignee_id is None:
        task.assignee = user
    task.save(update_fields=["status", "outcome", "done_at", "done_by", "assignee"])
    events.publish(
        "service.care_task_closed",
        {"task_id": task.pk, "customer_id": task.customer_id, "status": status},
    )
    return task


@transaction.atomic
def done(
    task: CareTask, user: Any, outcome: str, *, log_call: bool = False, duration_seconds: int = 0
) -> CareTask:
    """The care call happened: what came of it, and (``log_call``) the call on the timeline."""
    _may_act(task, user)
    outcome = outcome.strip()
    if not outcome:
        raise DomainError("care.outcome_required", _("Say what came of the care call."), status=422)
    if log_call:
        interaction_actions.log_manual(
            task.customer,
            user=user,
            channel=Channel.PHONE,
            direction=Direction.OUTBOUND,
            subject=task.rule.name,
            content=outcome[:OUTCOME_MAX],
            duration_seconds=max(0, duration_seconds),
        )
    return _close(task, user, CareTaskStatus.DONE, outcome)


@transaction.atomic
def skip(task: CareTask, user: Any, reason: str = "") -> CareTask:
    """Not worth a call (the customer already called, the product was returned...)."""
    _may_act(task, user)
    return _close(task, user, CareTaskStatus.SKIPPED, reason.strip())
