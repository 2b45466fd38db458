"""Permission-checked reads of cases: the queue, one case, a customer's open cases."""

from __future__ import annotations

import heapq
from dataclasses import dataclass
from itertools import islice
from typing import Any

from django.db.models import Q, QuerySet

from hudong.core import audit, scoping
from hudong.core.errors import NotFound
from hudong.core.prepared import Prepared, customer_rows
from hudong.customers.models import Customer
from hudong.service.models import OPEN_STATUSES, Case, CaseCategory, CaseNote, CaseStatus

QUEUE_PAGE = 50
OPEN_CASES_LIMIT = 10


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
    """The case queue: most urgent first (priority), then the oldest.

    Read one status at a time and merged: each status's first cases come in queue order
    straight from the (status, priority, created_at) index, so a page costs the same with a
    thousand cases or a million (one query over every open status sorts all the open cases
    in scope first). Only the keys are read per status; the page's own rows are then read
    once, by primary key, with what the page shows of their customer, category and assignee."""
    firsts = [_first_keys(user, f, status, limit) for status in _statuses(f.status)]
    keys = list(islice(heapq.merge(*firsts), limit))
    rows = Case.objects.select_related("customer", "category", "assignee").in_bulk(
        [pk for _priority, _created, pk in keys]
    )
    return [rows[pk] for _priority, _created, pk in keys if pk in rows]


QUEUE_ORDER = ("priority", "created_at", "id")


def _statuses(status: str) -> list[str]:
    if status == "all":
        return list(CaseStatus.values)
    return [status] if status else list(OPEN_STATUSES)


def _first_keys(user: Any, f: QueueFilter, status: str, limit: int) -> list[tuple[Any, ...]]:
    """(priority, opened, id) of the first ``limit`` cases of one status the user may see,
    in queue order: read along the (status, priority, created_at) index, stopping at
    ``limit``."""
    qs = _filtered(visible_cases(user).filter(status=status), user, f).order_by(*QUEUE_ORDER)
    return list(qs.values_list(*QUEUE_ORDER)[:limit])


def _filtered(qs: QuerySet[Case], user: Any, f: QueueFilter) -> QuerySet[Case]:
    """The queue's filters other than status and scope, on the case table's own columns."""
    if f.category:
        qs = qs.filter(category_id__in=_category_ids(f.category))
    if f.assignee == "me":
        qs = qs.filter(assignee_id=user.pk)
    elif f.assignee == "none":
        qs = qs.filter(assignee__isnull=True)
    elif f.assignee.isdigit():
        qs = qs.filter(assignee_id=int(f.assignee))
    if f.priority:
        qs = qs.filter(priority=f.priority)
    if f.sla == "breached":
        qs = qs.filter(
            Q(first_response_breached_at__isnull=False) | Q(resolution_breached_at__isnull=False)
        )
    elif f.sla == "at_risk":
        qs = qs.filter(AT_RISK)
    return qs


# Warned, not breached: few of the open cases, so the queue reads them from their own partial
# index (the condition is written out exactly as the index's, so SQLite can match it).
AT_RISK = Q(
    sla_warned_at__isnull=False,
    first_response_breached_at__isnull=True,
    resolution_breached_at__isnull=True,
)


def _category_ids(code: str) -> list[int]:
    """The category of this code and its children."""
    return list(
        CaseCategory.objects.filter(Q(code=code) | Q(parent__code=code)).values_list(
            "pk", flat=True
        )
    )


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


def open_cases(user: Any, customer: Customer, limit: int = OPEN_CASES_LIMIT) -> list[Case]:
    """The customer's open cases, most urgent first (one query)."""
    return list(scoping.visible(user, "cases", _open_cases_of(customer.pk))[:limit])


def _open_cases_of(customer_id: int) -> QuerySet[Case]:
    return (
        Case.objects.filter(customer_id=customer_id, status__in=OPEN_STATUSES)
        .select_related("category", "assignee")
        .order_by("priority", "created_at")
    )


_OPEN_CASES = Prepared(lambda cid: _open_cases_of(cid)[:OPEN_CASES_LIMIT])


def open_cases_prepared(user: Any, customer: Customer) -> list[Case]:
    """:func:`open_cases` through prepared SQL (the screen pop)."""
    return customer_rows(user, "cases", customer, _OPEN_CASES, lambda: open_cases(user, customer))


def categories() -> list[CaseCategory]:
    return list(CaseCategory.objects.filter(active=True).select_related("parent"))
