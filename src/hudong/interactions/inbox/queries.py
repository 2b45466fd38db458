"""Permission-checked reads of the inbox: the queue, one conversation, the agents.

The queue is the open conversations whose turn is ours (state open or waiting on us) of every
channel that the user may see (``core.scoping`` on "threads"), the most valuable customers
first (tier of the value proxy), then the longest waiting.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from hudong.core import scoping
from hudong.core.errors import NotFound
from hudong.core.models import Profile, Role
from hudong.interactions.inbox.models import AgentPresence
from hudong.interactions.inbox.value import annotate_tier
from hudong.interactions.models import Interaction, Thread, ThreadState

WAITING_ON_US = (ThreadState.OPEN, ThreadState.WAITING_US)
VIEWS = ("all", "mine", "unassigned")


def visible_threads(user: Any) -> QuerySet[Thread]:
    return scoping.visible(user, "threads", Thread.objects.all())


def queue(user: Any, *, view: str = "all", channel: str = "") -> QuerySet[Thread]:
    """The inbox: conversations waiting on us, top tier first, then longest waiting."""
    qs = visible_threads(user).filter(state__in=WAITING_ON_US)
    if view == "mine":
        qs = qs.filter(assigned_to=user)
    elif view == "unassigned":
        qs = qs.filter(assigned_to__isnull=True)
    if channel:
        qs = qs.filter(channel=channel)
    return (
        annotate_tier(qs)
        .select_related("customer", "assigned_to")
        .order_by("tier_rank", "last_activity_at", "id")
    )


def waiting_unassigned(user: Any) -> QuerySet[Thread]:
    return queue(user, view="unassigned")


def get_thread(user: Any, thread_id: int) -> Thread:
    """One conversation the user may see (404 otherwise, whether missing or not theirs)."""
    found = visible_threads(user).select_related("customer", "assigned_to").filter(pk=thread_id)
    thread = found.first()
    if thread is None:
        raise NotFound("inbox.thread_not_found")
    return thread


def recent_contacts(thread: Thread, limit: int = 10) -> list[Interaction]:
    """The conversation's latest contacts, oldest first (read after :func:`get_thread`)."""
    rows = (
        Interaction.objects.filter(thread=thread)
        .select_related("agent")
        .order_by("-started_at", "-id")[:limit]
    )
    return list(reversed(rows))


def visible_agents(user: Any) -> QuerySet[Profile]:
    """Profiles of the agents whose presence and measures ``user`` may see ("agent_metrics":
    by default an agent sees themselves, a supervisor their region, analysts everyone)."""
    people = Q(role__in=[Role.AGENT, Role.SUPERVISOR]) | Q(user__presence__isnull=False)
    return (
        scoping.visible(user, "agent_metrics", Profile.objects.all())
        .filter(people, user__is_active=True)
        .select_related("user", "team", "region")
        .order_by("user__username")
    )


def transfer_targets(user: Any, thread: Thread) -> list[Any]:
    """Agents who could take this conversation over: on duty and allowed to see it."""
    rows = (
        AgentPresence.objects.filter(status__in=["available", "busy"], user__is_active=True)
        .select_related("user", "user__profile")
        .order_by("user__username")
    )
    if thread.assigned_to_id is not None:
        rows = rows.exclude(user_id=thread.assigned_to_id)
    return [p.user for p in rows[:200] if scoping.can_see(p.user, "threads", thread)]


def presence(user: Any) -> AgentPresence:
    """The user's presence to show (offline and unsaved if they never set one: a page view
    writes nothing)."""
    return AgentPresence.objects.filter(user=user).first() or AgentPresence(user=user)


def agent_presence(agent_ids: list[int]) -> dict[int, AgentPresence]:
    return {p.user_id: p for p in AgentPresence.objects.filter(user_id__in=agent_ids)}


def conversation(user: Any, thread_id: int) -> Thread:
    """One conversation with its value tier, as the queue shows it."""
    thread = annotate_tier(visible_threads(user).filter(pk=thread_id)).select_related(
        "customer", "assigned_to"
    )
    found = thread.first()
    if found is None:
        raise NotFound("inbox.thread_not_found")
    return found


def agents_overview(user: Any, *, user_id: int | None = None) -> list[dict[str, Any]]:
    """Each visible agent's profile, presence (offline if never set) and open load."""
    from hudong.interactions.inbox.routing import loads

    profiles = visible_agents(user)
    if user_id is not None:
        profiles = profiles.filter(user_id=user_id)
    rows = list(profiles[:500])
    ids = [p.user_id for p in rows]
    presence = agent_presence(ids)
    load = loads(ids)
    return [
        {
            "profile": p,
            "presence": presence.get(p.user_id) or AgentPresence(user=p.user),
            "open": load.get(p.user_id, 0),
        }
        for p in rows
    ]
