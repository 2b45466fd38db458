"""Routing: which agent gets a conversation the customer just opened or continued.

Runs as a subscriber of ``interactions.recorded`` (after the contact committed, at least once),
so every channel is routed the same way without knowing the inbox exists. The rule:

1. only agents whose status is *available*, who are active users and who may see the
   conversation (``core.scoping`` on "threads": an agent of region A never gets region B's);
2. whose skills include the conversation's skill, if it asks for one;
3. whose languages include the conversation's language (else the customer's), if known;
4. with free capacity (open conversations assigned to them < their capacity);
5. the least loaded wins. For a top-tier customer (value proxy, :mod:`.value`) a senior agent
   (role supervisor, or the skill "senior") is preferred over a less loaded junior; for the
   others a junior is preferred at equal load, to keep seniors free for the top tier. The
   longest in their status breaks the remaining ties.

If nobody fits, the conversation waits unassigned in the queue; the next agent who becomes
available pulls from it (:func:`hudong.interactions.inbox.actions.set_presence`), and a sweep
every minute (:func:`route_waiting`) gives it to the first agent who fits later on.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count

from hudong.core import events, live, scoping
from hudong.core.models import DomainEvent, Role
from hudong.interactions.inbox.models import AgentPresence, PresenceStatus
from hudong.interactions.inbox.value import TOP_TIER, value_tier
from hudong.interactions.models import OPEN_STATES, Direction, Thread, ThreadState

SENIOR_SKILL = "senior"


def is_senior(presence: AgentPresence) -> bool:
    profile = scoping.profile_of(presence.user)
    role_senior = profile is not None and profile.role == Role.SUPERVISOR
    return role_senior or SENIOR_SKILL in _lower(presence.skills)


def _lower(values: Iterable[Any]) -> set[str]:
    return {str(v).strip().lower() for v in values or ()}


def speaks(presence: AgentPresence) -> set[str]:
    """The agent's languages; none configured: the language of their profile, else the
    site's (an agent who never set any still gets the conversations in their own language)."""
    configured = _lower(presence.languages)
    if configured:
        return configured
    profile = scoping.profile_of(presence.user)
    return {((profile.language if profile else "") or settings.LANGUAGE_CODE).lower()}


def loads(user_ids: Iterable[int]) -> dict[int, int]:
    """Open conversations assigned to each of these agents."""
    rows = (
        Thread.objects.filter(assigned_to_id__in=list(user_ids), state__in=OPEN_STATES)
        .order_by()
        .values("assigned_to_id")
        .annotate(n=Count("id"))
        .values_list("assigned_to_id", "n")
    )
    return {user_id: n for user_id, n in rows}


def fits(presence: AgentPresence, thread: Thread) -> bool:
    """Skill and language match, and the agent may see the conversation (capacity apart)."""
    if thread.skill and thread.skill.strip().lower() not in _lower(presence.skills):
        return False
    language = (thread.language or thread.customer.language or "").strip().lower()
    if language and language not in speaks(presence):
        return False
    return presence.user.is_active and scoping.can_see(presence.user, "threads", thread)


def pick_agent(thread: Thread, *, exclude: Iterable[int] = ()) -> Any | None:
    """The agent the rule above chooses for ``thread``, or None (it waits in the queue)."""
    candidates = list(
        AgentPresence.objects.filter(status=PresenceStatus.AVAILABLE)
        .exclude(user_id__in=list(exclude))
        .select_related("user", "user__profile")
    )
    if not candidates:
        return None
    load = loads(p.user_id for p in candidates)
    free = [p for p in candidates if load.get(p.user_id, 0) < p.capacity and fits(p, thread)]
    if len(free) <= 1:
        return free[0].user if free else None
    top = value_tier(thread.customer) == TOP_TIER  # only asked when there is a choice

    def rank(p: AgentPresence) -> tuple[Any, ...]:
        senior = is_senior(p)
        if top:
            return (not senior, load.get(p.user_id, 0), p.since, p.user_id)
        return (load.get(p.user_id, 0), senior, p.since, p.user_id)

    return min(free, key=rank).user


def notify(user_id: int, thread: Thread, kind: str) -> None:
    """Tell the agent's open browsers (topic "inbox"): assigned to them, or a new message."""
    live.push(
        user_id,
        "inbox",
        {
            "kind": kind,
            "thread_id": thread.pk,
            "customer_id": thread.customer_id,
            "customer": thread.customer.name,
            "subject": thread.subject,
            "channel": thread.channel,
        },
    )


@events.subscribe("interactions.recorded")
def route_inbound(event: DomainEvent) -> None:
    """An inbound contact: give an unassigned conversation to an agent, or tell its agent."""
    payload = event.payload
    if payload.get("direction") != Direction.INBOUND:
        return
    thread = (
        Thread.objects.select_related("customer", "assigned_to")
        .filter(pk=payload.get("thread_id"))
        .first()
    )
    if thread is None or thread.state not in OPEN_STATES:
        return
    if thread.assigned_to_id is not None:
        notify(thread.assigned_to_id, thread, "message")
        return
    route(thread)


def route(thread: Thread, *, exclude: Iterable[int] = ()) -> Any | None:
    """Pick an agent and assign, re-checking their capacity under a row lock (two workers
    routing at once must not both fill an agent's last free place). None: it waits."""
    from hudong.interactions.inbox import actions

    tried: list[int] = list(exclude)
    while (agent := pick_agent(thread, exclude=tried)) is not None:
        locked = AgentPresence.objects.select_for_update().get(user=agent)
        if locked.status == PresenceStatus.AVAILABLE and (
            loads([agent.pk]).get(agent.pk, 0) < locked.capacity
        ):
            actions.assign(thread, agent, by=None)
            return agent
        tried.append(agent.pk)
    return None


def route_waiting(limit: int = 500) -> int:
    """Route the conversations still waiting unassigned (capacity freed by a closed
    conversation, a release, a changed skill...). Run every minute; returns how many moved."""
    from hudong.interactions.inbox.value import annotate_tier

    if not AgentPresence.objects.filter(status=PresenceStatus.AVAILABLE).exists():
        return 0
    waiting = (
        annotate_tier(
            Thread.objects.filter(
                state__in=(ThreadState.OPEN, ThreadState.WAITING_US), assigned_to__isnull=True
            )
        )
        .select_related("customer")
        .order_by("tier_rank", "last_activity_at", "id")
    )
    moved = 0
    for thread in waiting[:limit]:
        with transaction.atomic():
            moved += route(thread) is not None
    return moved
