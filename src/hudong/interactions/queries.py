"""Permission-checked reads of the interactions area."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from hudong.core import scoping
from hudong.core.errors import NotFound
from hudong.core.prepared import Prepared, customer_rows
from hudong.customers.models import Customer
from hudong.interactions.models import OPEN_STATES, Interaction, Thread

TIMELINE_PAGE = 25
TIMELINE_LATEST = 10  # the latest contacts the 360 payload carries
BREAKPOINTS = 5


def visible_interactions(user: Any) -> QuerySet[Interaction]:
    return scoping.visible(user, "interactions", Interaction.objects.all())


def visible_threads(user: Any) -> QuerySet[Thread]:
    return scoping.visible(user, "threads", Thread.objects.all())


def timeline(
    user: Any, customer: Customer, *, channel: str = "", before_id: int | None = None
) -> list[Interaction]:
    """The customer's contacts, newest first, optionally of one channel (one page)."""
    qs = scoping.visible(user, "interactions", _timeline_of(customer.pk))
    if channel:
        qs = qs.filter(channel=channel)
    if before_id:
        qs = qs.filter(id__lt=before_id)
    return list(qs[:TIMELINE_PAGE])


def breakpoints(user: Any, customer: Customer) -> list[Thread]:
    """Open conversations, the most urgent first: where the next contact picks up."""
    return list(scoping.visible(user, "threads", _breakpoints_of(customer.pk))[:BREAKPOINTS])


def _timeline_of(customer_id: int) -> QuerySet[Interaction]:
    return (
        Interaction.objects.filter(customer_id=customer_id)
        .select_related("agent", "thread")
        .order_by("-started_at", "-id")
    )


def _breakpoints_of(customer_id: int) -> QuerySet[Thread]:
    return (
        Thread.objects.filter(customer_id=customer_id, state__in=OPEN_STATES)
        .select_related("assigned_to")
        .order_by("next_step_due", "-last_activity_at")
    )


_TIMELINE = Prepared(lambda cid: _timeline_of(cid)[:TIMELINE_LATEST])
_BREAKPOINTS = Prepared(lambda cid: _breakpoints_of(cid)[:BREAKPOINTS])


def timeline_prepared(user: Any, customer: Customer) -> list[Interaction]:
    """The latest contacts of :func:`timeline` (what the 360 payload shows) through prepared
    SQL (the screen pop)."""
    return customer_rows(
        user,
        "interactions",
        customer,
        _TIMELINE,
        lambda: timeline(user, customer)[:TIMELINE_LATEST],
    )


def breakpoints_prepared(user: Any, customer: Customer) -> list[Thread]:
    """:func:`breakpoints` through prepared SQL (the screen pop)."""
    return customer_rows(
        user, "threads", customer, _BREAKPOINTS, lambda: breakpoints(user, customer)
    )


def get_thread(user: Any, thread_id: int) -> Thread:
    thread = visible_threads(user).select_related("customer").filter(pk=thread_id).first()
    if thread is None:
        raise NotFound("interactions.thread_not_found")
    return thread


def get_interaction(user: Any, interaction_id: int) -> Interaction:
    found = (
        visible_interactions(user)
        .select_related("customer", "thread", "agent")
        .filter(pk=interaction_id)
        .first()
    )
    if found is None:
        raise NotFound("interactions.interaction_not_found")
    return found
