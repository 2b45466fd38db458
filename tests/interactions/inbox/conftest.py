"""Fixtures of the inbox tests: agents with presence, inbound contacts, the event worker."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import pytest

from hudong.core import events
from hudong.core.models import DomainEvent, Role
from hudong.customers.resolution.ingest import Incoming
from hudong.interactions.actions import Contact, record_interaction
from hudong.interactions.inbox.models import AgentPresence
from hudong.interactions.models import Thread
from tests.factories import CustomerFactory, OrderFactory, make_user


def deliver_events() -> int:
    """What the background worker does after a commit: run every pending event's
    subscribers (routing among them). Returns how many events it dispatched."""
    pending = list(
        DomainEvent.objects.filter(dispatched_at__isnull=True).order_by("occurred_at", "id")
    )
    for event in pending:
        events.dispatch(str(event.pk))
    return len(pending)


@pytest.fixture
def make_agent() -> Callable[..., Any]:
    """An agent of a region with a presence row (available unless said otherwise)."""

    def make(
        username: str,
        region: Any,
        *,
        skills: tuple[str, ...] = (),
        languages: tuple[str, ...] = ("zh-hans",),
        capacity: int = 5,
        status: str = "available",
        role: str = Role.AGENT,
        team: Any = None,
    ) -> Any:
        user = make_user(role, region, username=username, team=team)
        AgentPresence.objects.create(
            user=user,
            status=status,
            skills=list(skills),
            languages=list(languages),
            capacity=capacity,
        )
        return user

    return make


@pytest.fixture
def inbound() -> Callable[..., Thread]:
    """An inbound contact recorded through the one action every channel uses; then the
    worker runs, so routing has happened when it returns. Gives the conversation."""

    def record(
        customer: Any = None,
        *,
        phone: str = "",
        channel: str = "sms",
        skill: str = "",
        subject: str = "",
        content: str = "你好",
        new_thread: bool = True,
        started_at: dt.datetime | None = None,
    ) -> Thread:
        recorded = record_interaction(
            Contact(
                channel=channel,
                customer=customer,
                identifiers=[Incoming("phone", phone)] if phone else [],
                skill=skill,
                subject=subject,
                content=content,
                new_thread=new_thread,
                started_at=started_at,
            )
        )
        deliver_events()
        thread = recorded.interaction.thread
        assert thread is not None
        thread.refresh_from_db()
        return thread

    return record


def top_tier(customer: Any) -> Any:
    """Give the customer orders worth tier A (order total of the last 12 months ≥ 5000)."""
    OrderFactory(customer=customer, total=Decimal("6000.00"))
    return customer


@pytest.fixture
def vip(region_a: Any) -> Any:
    return top_tier(CustomerFactory(region=region_a, name="大客户"))
