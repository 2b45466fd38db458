"""The case queue read one status at a time (so it scales to a million cases): the merged page
is still in queue order, respects the scope however narrow, and keeps every filter."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone

from hudong.service import queries
from hudong.service.models import Case
from hudong.service.queries import QueueFilter
from tests.service.conftest import open_case

pytestmark = pytest.mark.django_db

T0 = timezone.now() - dt.timedelta(days=3)


def _case(customer: Any, status: str, priority: int, hours: int, code: str = "delivery") -> Case:
    case = open_case(customer, code=code)
    Case.objects.filter(pk=case.pk).update(
        status=status, priority=priority, created_at=T0 + dt.timedelta(hours=hours)
    )
    case.refresh_from_db()
    return case


def test_open_cases_of_every_status_come_merged_in_priority_then_age_order(
    customer_a: Any, agent_a: Any
) -> None:
    # Given open cases of four statuses, priorities and ages mixed, and a closed one
    waiting = _case(customer_a, "waiting_customer", 1, 5)
    new = _case(customer_a, "new", 1, 9)
    progress = _case(customer_a, "in_progress", 2, 1)
    acked = _case(customer_a, "acknowledged", 1, 2)
    old_low = _case(customer_a, "new", 4, 0)
    _case(customer_a, "closed", 1, 0)
    # When the agent reads the default queue, then a page of three
    full = queries.queue(agent_a, QueueFilter())
    page = queries.queue(agent_a, QueueFilter(), limit=3)
    # Then the most urgent come first, the oldest first within a priority; closed ones are out
    assert [c.pk for c in full] == [acked.pk, waiting.pk, new.pk, progress.pk, old_low.pk]
    assert [c.pk for c in page] == [acked.pk, waiting.pk, new.pk]


def test_a_narrow_scope_still_gets_its_cases_behind_many_it_may_not_see(
    customer_a: Any, customer_b: Any, agent_a: Any
) -> None:
    # Given more urgent cases in another region ahead of region A's in the order
    for hour in range(4):
        _case(customer_b, "in_progress", 1, hour)
    mine_late = _case(customer_a, "in_progress", 3, 30)
    mine_early = _case(customer_a, "in_progress", 3, 20)
    # When region A's agent reads a page of two
    got = queries.queue(agent_a, QueueFilter(), limit=2)
    # Then they see exactly their region's cases, in order, and nothing of region B
    assert [c.pk for c in got] == [mine_early.pk, mine_late.pk]


def test_filters_still_apply_category_with_children_any_status_and_sla(
    customer_a: Any, agent_a: Any
) -> None:
    # Given a packaging case (a child of product quality), a delivery case and a closed one
    packaging = _case(customer_a, "new", 2, 1, code="packaging")
    delivery = _case(customer_a, "new", 2, 2, code="delivery")
    closed = _case(customer_a, "closed", 1, 0, code="packaging")
    Case.objects.filter(pk=delivery.pk).update(resolution_breached_at=timezone.now())
    # When filtering by the parent category, by any status, and by breached SLAs
    quality = queries.queue(agent_a, QueueFilter(category="product-quality"))
    any_status = queries.queue(agent_a, QueueFilter(status="all", category="packaging"))
    breached = queries.queue(agent_a, QueueFilter(sla="breached"))
    mine = queries.queue(agent_a, QueueFilter(assignee="none"))
    # Then each shows what it says
    assert [c.pk for c in quality] == [packaging.pk]
    assert [c.pk for c in any_status] == [closed.pk, packaging.pk]
    assert [c.pk for c in breached] == [delivery.pk]
    assert {c.pk for c in mine} == {c.pk for c in (packaging, delivery) if c.assignee_id is None}
