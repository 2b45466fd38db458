"""Every write of the inbox: presence, assignment, take, transfer, release, reply.

Each is one atomic function that publishes its domain event in the same transaction. The
conversation itself lives in the interactions app; these functions only move its assignee
(an audited save of the thread) and record what the measures need (presence log, transfers).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.core import events, scoping
from hudong.core.errors import DomainError
from hudong.core.models import Role
from hudong.interactions import outbound
from hudong.interactions.channels import sender_for
from hudong.interactions.inbox import routing
from hudong.interactions.inbox.models import AgentPresence, PresenceChange, PresenceStatus, Transfer
from hudong.interactions.models import (
    OPEN_STATES,
    OutboundMessage,
    Purpose,
    Thread,
    ThreadState,
)

MAX_CAPACITY = 100


def presence_of(user: Any) -> AgentPresence:
    """The agent's presence row, created (offline) on first use."""
    presence, _created = AgentPresence.objects.select_related("user").get_or_create(user=user)
    return presence


def is_supervisor(user: Any) -> bool:
    """Supervisors and administrators may move other agents' work."""
    if getattr(user, "is_superuser", False):
        return True
    profile = scoping.profile_of(user)
    return profile is not None and profile.role in (Role.SUPERVISOR, Role.ADMIN)


@transaction.atomic
def set_presence(user: Any, status: str) -> AgentPresence:
    """Change the agent's own status (logged). Becoming available pulls waiting work."""
    if status not in PresenceStatus.values:
        raise DomainError("inbox.status_unknown", _("Unknown presence status."), status=422)
    presence = presence_of(user)
    if presence.status == status:
        return presence
    now = timezone.now()
    presence.status, presence.since = status, now
    presence.save(update_fields=["status", "since"])
    PresenceChange.objects.create(user=user, status=status, at=now)
    events.publish("inbox.presence_changed", {"user_id": user.pk, "status": status})
    if status == PresenceStatus.AVAILABLE:
        pull_waiting(presence)
    elif status == PresenceStatus.OFFLINE:
        hand_back(user)
    return presence


def hand_back(user: Any) -> list[Thread]:
    """An agent who signs off leaves no customer waiting on them: each conversation whose turn
    is ours goes to another agent who fits, else back to the queue. (Away keeps them.)"""
    waiting = Thread.objects.filter(
        assigned_to=user, state__in=(ThreadState.OPEN, ThreadState.WAITING_US)
    ).select_related("customer")
    moved = []
    for thread in waiting:
        thread.assigned_to = None
        thread.save(update_fields=["assigned_to"])
        events.publish("inbox.released", {"thread_id": thread.pk, "from": user.pk, "by": user.pk})
        routing.route(thread, exclude=[user.pk])
        moved.append(thread)
    return moved


@transaction.atomic
def configure_agent(
    agent: Any,
    *,
    by: Any,
    skills: list[str] | None = None,
    languages: list[str] | None = None,
    capacity: int | None = None,
) -> AgentPresence:
    """A supervisor sets what an agent can handle (the agent must be visible to them)."""
    if not is_supervisor(by):
        raise DomainError(
            "inbox.not_supervisor", _("Only a supervisor can change an agent's skills."), status=403
        )
    presence = presence_of(agent)
    if skills is not None:
        presence.skills = sorted({s.strip().lower() for s in skills if s.strip()})[:50]
    if languages is not None:
        presence.languages = sorted({s.strip().lower() for s in languages if s.strip()})[:20]
    if capacity is not None:
        if not 0 <= capacity <= MAX_CAPACITY:
            raise DomainError(
                "inbox.capacity_invalid",
                _("Capacity must be between 0 and 100 conversations."),
                status=422,
            )
        presence.capacity = capacity
    presence.save()
    events.publish("inbox.agent_configured", {"user_id": agent.pk, "by": by.pk})
    return presence


def _open(thread: Thread) -> None:
    if thread.state not in OPEN_STATES:
        raise DomainError("inbox.thread_closed", _("This conversation is closed."), status=409)


@transaction.atomic
def assign(thread: Thread, agent: Any, *, by: Any) -> Thread:
    """Make ``agent`` the conversation's owner and tell their browser. ``by`` None: routing."""
    thread.assigned_to = agent
    thread.save(update_fields=["assigned_to"])
    events.publish(
        "inbox.assigned",
        {
            "thread_id": thread.pk,
            "customer_id": thread.customer_id,
            "agent_id": agent.pk,
            "by": getattr(by, "pk", None),
        },
    )
    routing.notify(agent.pk, thread, "assigned")
    return thread


def pull_waiting(presence: AgentPresence, limit: int = 20) -> list[Thread]:
    """Give a newly available agent the waiting unassigned conversations they fit, the most
    valuable and longest waiting first, up to their free capacity."""
    from hudong.interactions.inbox import queries

    free = presence.capacity - routing.loads([presence.user_id]).get(presence.user_id, 0)
    taken: list[Thread] = []
    if free <= 0:
        return taken
    for thread in queries.waiting_unassigned(presence.user)[:limit]:
        if len(taken) >= free:
            break
        if routing.fits(presence, thread):
            taken.append(assign(thread, presence.user, by=None))
    return taken


@transaction.atomic
def take(thread: Thread, user: Any) -> Thread:
    """An agent takes a waiting conversation (already theirs: nothing changes). A supervisor
    taking one another agent has is a transfer, recorded and counted as such."""
    # Read the assignee again under a row lock: two agents clicking "take" at once must not
    # both believe they got it.
    current = Thread.objects.select_for_update().filter(pk=thread.pk)
    thread.assigned_to_id = current.values_list("assigned_to_id", flat=True).first()
    _open(thread)
    if thread.assigned_to_id == user.pk:
        return thread
    if thread.assigned_to_id is not None:
        if not is_supervisor(user):
            raise DomainError(
                "inbox.assigned_elsewhere",
                _("Another agent has this conversation; ask them to transfer it."),
                status=409,
            )
        transfer(thread, user, by=user, reason=str(_("Taken over by a supervisor")))
        return thread
    return assign(thread, user, by=user)


@transaction.atomic
def transfer(thread: Thread, to_user: Any, *, by: Any, reason: str = "") -> Transfer:
    """Hand the conversation to another agent; the transfer is recorded and counted."""
    _open(thread)
    owner_id = thread.assigned_to_id
    if owner_id != by.pk and not is_supervisor(by):
        raise DomainError(
            "inbox.not_yours",
            _("Only the agent who has the conversation, or a supervisor, can transfer it."),
            status=403,
        )
    if to_user is None or not to_user.is_active or to_user.pk == owner_id:
        raise DomainError(
            "inbox.transfer_target_invalid", _("Choose another, active agent."), status=422
        )
    if not scoping.can_see(to_user, "threads", thread):
        raise DomainError(
            "inbox.transfer_target_cannot_see",
            _("That agent may not see this customer's conversations."),
            status=422,
        )
    moved = Transfer.objects.create(
        thread=thread,
        from_user_id=owner_id,
        to_user=to_user,
        by=by,
        reason=reason.strip()[:300],
    )
    assign(thread, to_user, by=by)
    events.publish(
        "inbox.transferred",
        {"thread_id": thread.pk, "from": owner_id, "to": to_user.pk, "transfer_id": moved.pk},
    )
    return moved


@transaction.atomic
def release(thread: Thread, user: Any) -> Thread:
    """Put the conversation back in the queue, unassigned."""
    if thread.assigned_to_id != user.pk and not is_supervisor(user):
        raise DomainError(
            "inbox.not_yours",
            _("Only the agent who has the conversation, or a supervisor, can release it."),
            status=403,
        )
    previous = thread.assigned_to_id
    thread.assigned_to = None
    thread.save(update_fields=["assigned_to"])
    events.publish("inbox.released", {"thread_id": thread.pk, "from": previous, "by": user.pk})
    return thread


def reply(thread: Thread, user: Any, *, body: str, subject: str = "") -> OutboundMessage:
    """Answer the customer on the conversation's channel if it can send, else on theirs.

    Not atomic on purpose: the message is written first and delivered outside the write
    transaction (an SMTP or gateway round trip must not hold the lock). Taking the
    conversation (if nobody has it) commits before the send.
    """
    _open(thread)
    body = body.strip()
    if not body:
        raise DomainError("inbox.reply_empty", _("Write a reply first."), status=422)
    if thread.assigned_to_id is None:
        take(thread, user)
    elif thread.assigned_to_id != user.pk and not is_supervisor(user):
        raise DomainError(
            "inbox.not_yours",
            _("Only the agent who has the conversation, or a supervisor, can reply."),
            status=403,
        )
    channel = thread.channel if sender_for(thread.channel) is not None else ""
    # No subject given: the channel derives it from the conversation (an email's "Re: ...").
    return outbound.send_now(
        thread.customer,
        purpose=Purpose.SERVICE,
        channel=channel,
        body=body,
        subject=subject,
        thread=thread,
        reply=True,
        user=user,
    )
