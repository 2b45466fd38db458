"""Permission-checked reads of cases: the queue, one case, a customer's open cases."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db.models import Q, QuerySet

from hudong.core import audit, scoping
from hudong.core.errors import NotFound
from hudong.customers.models import Customer
from hudong.service.models import OPEN_STATUSES, Case, CaseCategory, CaseNote

QUEUE_PAGE = 50


def visible_cases(user: Any) -> QuerySet[Case]:
    return scoping.visible(user, "cases", Case.objects.all())


@dataclass(frozen=True)
class QueueFilter:
    status: str = ""  # "" : every open case; "all": any status
    category: str = ""  # a category code (its children included)
    assignee: str = ""  # "me", "none", or a user id
    priority: int | None = None
    sla: str = ""  # "at_risk" (warned, not breached) or "breached"


def queue(user: Any, f: QueueFilter, *, limit: int = QUEUE_PAGE) -> list[Case]:
    """The case queue: most urgent first (priority), then the oldest."""
    qs = visible_cases(user).select_related("customer", "category", "assignee")
    if f.status == "all":
        pass
    elif f.status:
        qs = qs.filter(status=f.status)
    else:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if f.category:
        qs = qs.filter(Q(category__code=f.category) | Q(category__parent__code=f.category))
    if f.assignee == "me":
        qs = qs.filter(assignee_id=user.pk)
    elif f.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif f.assignee.isdigit():
        qs = qs.filter(assignee_id=int(f.assignee))
    if f.priority:
        qs = qs.filter(priority=f.priority)
    breached = Q(first_response_breached_at__isnull=False) | Q(resolution_breached_at__isnull=False)
    if f.sla == "breached":
        qs = qs.filter(breached)
    elif f.sla == "at_risk":
        qs = qs.filter(sla_warned_at__isnull=False).exclude(breached)
    return list(qs.order_by("priority", "created_at", "id")[:limit])


def get_case(user: Any, case_id: int, *, via: str = "") -> Case:
    """One case the user may see (else ``cases.not_found``, as if it did not exist)."""
    case = (
        visible_cases(user)
        .select_related("customer", "category", "assignee", "team", "interaction", "sla_policy")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound("cases.not_found")
    if via:
        audit.record_view(case, customer_id=case.customer_id, via=via)
    return case


def notes(case: Case) -> list[CaseNote]:
    return list(case.notes.select_related("author", "outbound"))


def open_cases(user: Any, customer: Customer, limit: int = 10) -> list[Case]:
    """The customer's open cases, most urgent first (one query)."""
    return list(
        visible_cases(user)
        .filter(customer=customer, status__in=OPEN_STATUSES)
        .select_related("category", "assignee")
        .order_by("priority", "created_at")[:limit]
    )


def categories() -> list[CaseCategory]:
    return list(CaseCategory.objects.filter(active=True).select_related("parent"))
