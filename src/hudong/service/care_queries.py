"""Permission-checked reads of care tasks: my list, the team's unassigned ones, one task, a
customer's tasks. Every read goes through ``core.scoping`` on "care"; a task outside the
user's scope does not exist for them."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from hudong.core import audit, scoping
from hudong.core.errors import NotFound
from hudong.core.prepared import Prepared, customer_rows
from hudong.customers.models import Customer
from hudong.service.models import CareTask, CareTaskStatus

LIST_LIMIT = 100
PANEL_LIMIT = 10

_RELATED = (
    "rule",
    "customer",
    "assignee",
    "team",
    "shipment__carrier",
    "shipment__order",
    "order_line__order",
    "order_line__product",
)


def visible_tasks(user: Any) -> QuerySet[CareTask]:
    return scoping.visible(user, "care", CareTask.objects.all())


def _team_id(user: Any) -> int | None:
    profile = scoping.profile_of(user)
    return profile.team_id if profile is not None else None


def tasks(
    user: Any,
    *,
    mine: bool = False,
    unassigned: bool = False,
    team: bool = False,
    status: str = CareTaskStatus.OPEN,
    customer_id: int | None = None,
    limit: int = LIST_LIMIT,
) -> list[CareTask]:
    """Tasks in scope, the earliest due first. ``unassigned``: nobody's yet, of the user's team
    or of no team (what they may take); ``team``: assigned to a member of the user's team (a
    supervisor's view of the team's calls)."""
    qs = visible_tasks(user).select_related(*_RELATED)
    if status:
        qs = qs.filter(status=status)
    if mine:
        qs = qs.filter(assignee_id=user.pk)
    own_team = _team_id(user)
    if unassigned:
        qs = qs.filter(assignee__isnull=True).filter(
            Q(team__isnull=True) | Q(team_id=own_team) if own_team else Q(team__isnull=True)
        )
    if team:
        qs = qs.filter(assignee__profile__team_id=own_team) if own_team else qs.none()
    if customer_id is not None:
        qs = qs.filter(customer_id=customer_id)
    return list(qs.order_by("due_at", "id")[:limit])


def open_count(user: Any) -> int:
    """How many open care tasks the user has (the link on "My tasks")."""
    return visible_tasks(user).filter(assignee_id=user.pk, status=CareTaskStatus.OPEN).count()


def get_task(user: Any, task_id: int, *, via: str = "") -> CareTask:
    """One task the user may see (else ``care.not_found``, as if it did not exist)."""
    task = visible_tasks(user).select_related(*_RELATED).filter(pk=task_id).first()
    if task is None:
        raise NotFound("care.not_found")
    if via:
        audit.record_view(task, customer_id=task.customer_id, via=via)
    return task


def customer_open_tasks(user: Any, customer: Customer, limit: int = PANEL_LIMIT) -> list[CareTask]:
    """The customer's open care tasks for the customer page (the caller checked the customer)."""
    return tasks(user, customer_id=customer.pk, limit=limit)


# What :func:`customer_open_tasks` reads, as prepared SQL for the screen pop.
_CUSTOMER_OPEN = Prepared(
    lambda cid: (
        CareTask.objects.select_related(*_RELATED)
        .filter(status=CareTaskStatus.OPEN, customer_id=cid)
        .order_by("due_at", "id")[:PANEL_LIMIT]
    )
)


def customer_open_tasks_prepared(user: Any, customer: Customer) -> list[CareTask]:
    return customer_rows(
        user, "care", customer, _CUSTOMER_OPEN, lambda: customer_open_tasks(user, customer)
    )
