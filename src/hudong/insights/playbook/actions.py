"""Every write of the playbook: follow-up tasks for many customers at once, and completing one.

Customers are always re-read through the user's scope, so a forged id creates nothing; each
task leaves an audit row (they are created in bulk, which model signals do not see).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.core import audit
from hudong.core.errors import DomainError, NotFound
from hudong.core.models.audit import AuditAction
from hudong.customers.queries import visible_customers
from hudong.insights.models import FollowUpTask, TaskStatus

MAX_CUSTOMERS = 5000  # one action on a whole list: enough for a playbook, bounded for the server


def _assignee(user_id: int | None) -> Any:
    if user_id is None:
        return None
    found = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if found is None:
        raise DomainError("playbook.assignee_invalid", _("No active user has this id."))
    return found


def visible_ids(user: Any, customer_ids: Iterable[int]) -> list[int]:
    """The ids among ``customer_ids`` that ``user`` may see (the rest are silently dropped;
    none at all is ``customers.not_found``)."""
    wanted = sorted({int(i) for i in customer_ids})
    if not wanted:
        raise DomainError("playbook.nothing_selected", _("Select at least one customer."))
    if len(wanted) > MAX_CUSTOMERS:
        raise DomainError(
            "playbook.too_many",
            _("At most %(n)d customers at a time.") % {"n": MAX_CUSTOMERS},
        )
    found = list(visible_customers(user).filter(pk__in=wanted).values_list("pk", flat=True))
    if not found:
        raise NotFound("customers.not_found")
    return found


@transaction.atomic
def create_tasks(
    user: Any,
    customer_ids: Iterable[int],
    *,
    title: str,
    note: str = "",
    due_date: dt.date | None = None,
    assignee_id: int | None = None,
    source: str = "",
) -> list[FollowUpTask]:
    """One open task per visible customer. The assignee is the chosen user, else the customer's
    owner, else the user who creates the tasks."""
    title = title.strip()
    if not title:
        raise DomainError("playbook.title_required", _("A task needs a title."))
    chosen = _assignee(assignee_id)
    ids = visible_ids(user, customer_ids)
    owners = dict(visible_customers(user).filter(pk__in=ids).values_list("pk", "owner_id"))
    now = timezone.now()
    tasks = FollowUpTask.objects.bulk_create(
        [
            FollowUpTask(
                customer_id=cid,
                title=title[:200],
                note=note,
                due_date=due_date,
                assignee_id=chosen.pk if chosen else (owners.get(cid) or user.pk),
                created_by_id=user.pk,
                source=source[:40],
                created_at=now,
            )
            for cid in ids
        ]
    )
    if tasks and tasks[0].pk is None:  # a backend that does not return ids from bulk inserts
        tasks = list(FollowUpTask.objects.filter(created_by=user, created_at=now))
    for task in tasks:
        audit.record(
            AuditAction.CREATE,
            task,
            before=None,
            after=audit.snapshot(task),
            customer_id=task.customer_id,
        )
    return tasks


def _task_for(user: Any, task_id: int) -> FollowUpTask:
    """A task the user may act on: theirs (assigned or created) about a customer they see."""
    task = (
        FollowUpTask.objects.filter(pk=task_id, customer__in=visible_customers(user).values("pk"))
        .select_related("customer")
        .first()
    )
    mine = task is not None and user.pk in (task.assignee_id, task.created_by_id)
    if task is None or not (mine or user.is_superuser):
        raise NotFound("playbook.task_not_found")
    return task


@transaction.atomic
def complete_task(user: Any, task_id: int) -> FollowUpTask:
    task = _task_for(user, task_id)
    if task.status == TaskStatus.DONE:
        return task
    before = {"status": task.status, "done_at": None}
    task.status, task.done_at = TaskStatus.DONE, timezone.now()
    task.save(update_fields=["status", "done_at"])
    audit.record(
        AuditAction.UPDATE,
        task,
        before=before,
        after={"status": task.status, "done_at": task.done_at.isoformat()},
        customer_id=task.customer_id,
    )
    return task


def whole_list(user: Any, rows: Any) -> list[int]:
    """Every customer id of a list (its rows are already scoped), bounded."""
    ids = list(rows.values_list("pk", flat=True)[: MAX_CUSTOMERS + 1])
    if len(ids) > MAX_CUSTOMERS:
        raise DomainError(
            "playbook.too_many",
            _("At most %(n)d customers at a time.") % {"n": MAX_CUSTOMERS},
        )
    return ids


def add_to_segment(user: Any, segment_id: int, customer_ids: Iterable[int]) -> int:
    """Add visible customers to a static segment the user may see; the number added."""
    from hudong.insights.playbook import segmenting

    ids = visible_ids(user, customer_ids)
    return segmenting.add(user, segment_id, ids)
