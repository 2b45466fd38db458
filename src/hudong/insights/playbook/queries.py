"""Permission-checked reads of follow-up tasks."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from hudong.customers.models import Customer
from hudong.customers.queries import visible_customers
from hudong.insights.models import FollowUpTask, TaskStatus

PANEL_LIMIT = 20


def my_tasks(user: Any, status: str = TaskStatus.OPEN) -> QuerySet[FollowUpTask]:
    """Tasks assigned to ``user`` about customers they may see, the earliest due first."""
    qs = FollowUpTask.objects.filter(
        assignee_id=user.pk, customer__in=visible_customers(user).values("pk")
    )
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("customer").order_by("due_date", "id")


def open_tasks(customer: Customer, limit: int = PANEL_LIMIT) -> list[FollowUpTask]:
    """A customer's open tasks (the caller has checked the customer is visible): one query."""
    return list(
        FollowUpTask.objects.filter(customer_id=customer.pk, status=TaskStatus.OPEN)
        .select_related("assignee")
        .order_by("due_date", "id")[:limit]
    )
