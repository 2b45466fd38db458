"""Permission-checked reads of the interactions area."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from hudong.core import scoping
from hudong.core.errors import NotFound
from hudong.customers.models import Customer
from hudong.interactions.models import OPEN_STATES, Interaction, Thread

TIMELINE_PAGE = 25


def visible_interactions(user: Any) -> QuerySet[Interaction]:
    return scoping.visible(user, "interactions", Interaction.objects.all())


def visible_threads(user: Any) -> QuerySet[Thread]:
    return scoping.visible(user, "threads", Thread.objects.all())


def timeline(
    user: Any, customer: Customer, *, channel: str = "", before_id: int | None = None
) -> list[Interaction]:
    """The customer's contacts, newest first, optionally of one channel (one page)."""
    qs = (
        visible_interactions(user)
        .filter(customer=customer)
        .select_related("agent", "thread")
        .order_by("-started_at", "-id")
    )
    if channel:
        qs = qs.filter(channel=channel)
    if before_id:
        qs = qs.filter(id__lt=before_id)
    return list(qs[:TIMELINE_PAGE])


def breakpoints(user: Any, customer: Customer) -> list[Thread]:
    """Open conversations, the most urgent first: where the next contact picks up."""
    return list(
        visible_threads(user)
        .filter(customer=customer, state__in=OPEN_STATES)
        .select_related("assigned_to")
        .order_by("next_step_due", "-last_activity_at")[:5]
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
