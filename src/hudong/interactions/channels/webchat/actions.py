"""Every write of the web chat: a visitor starts a chat, either side writes a line, an agent
takes the chat, and either side ends it.

A chat is recorded as ONE interaction. It is created when the visitor starts the chat, through
:func:`hudong.interactions.actions.record_interaction` (so the customer is identified the way
every channel identifies them, and the conversation continues at its breakpoint); when the chat
ends, that same interaction receives the transcript, the duration, the agent and the price. The
session's public id is the interaction's channel id, so a chat can never be recorded twice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone
from django.utils.translation import gettext as gettext_now
from django.utils.translation import gettext_lazy as _

from hudong.core import audit, events, live
from hudong.core.errors import DomainError
from hudong.core.models.audit import AuditAction
from hudong.customers.resolution.ingest import Incoming
from hudong.interactions.actions import Contact, contact_cost, record_interaction, set_breakpoint
from hudong.interactions.channels.webchat import conf, tokens
from hudong.interactions.channels.webchat.models import (
    ChatMessage,
    ChatSession,
    ChatStatus,
    Sender,
)
from hudong.interactions.models import Channel, Direction, Interaction, ThreadState, Touchpoint

DEFAULT_TOUCHPOINT = "web-chat"
MAX_NAME = 100


@dataclass
class Started:
    session: ChatSession
    token: str
    customer_created: bool


def _text(text: Any) -> str:
    """A line as it will be stored: a string, trimmed, not empty, not too long."""
    if not isinstance(text, str) or not text.strip():
        raise DomainError("webchat.message_empty", _("Write a message first."), status=422)
    text = text.strip()
    if len(text) > conf.max_text():
        raise DomainError(
            "webchat.message_too_long",
            _("This message is too long."),
            status=422,
            max_length=conf.max_text(),
        )
    return text


def _touchpoint(code: str) -> str:
    """The widget may say which touchpoint it is (a shop, an app); unknown codes are ignored."""
    if code and Touchpoint.objects.filter(code=code, channel=Channel.WEBCHAT).exists():
        return code
    return DEFAULT_TOUCHPOINT


def _identifier(contact: str) -> Incoming:
    """One phone number or one email address. Only one: an anonymous visitor typing a phone and
    an email together would otherwise prove two customers are one person and merge them."""
    contact = contact.strip() if isinstance(contact, str) else ""
    if not contact or len(contact) > 200:
        raise DomainError(
            "webchat.contact_missing",
            _("Give a phone number or an email address so we can find your records."),
            status=422,
        )
    return Incoming("email" if "@" in contact else "phone", contact)


def _check_session_rate(client_ip: str | None) -> None:
    if not client_ip:
        return
    since = timezone.now() - dt.timedelta(hours=1)
    opened = ChatSession.objects.filter(client_ip=client_ip, started_at__gte=since).count()
    if opened >= conf.sessions_per_hour():
        raise DomainError(
            "webchat.rate_limited",
            _("Too many chats from this address. Try again later."),
            status=429,
            retry_after=3600,
        )


def _check_message_rate(session: ChatSession) -> None:
    since = timezone.now() - dt.timedelta(minutes=1)
    sent = session.messages.filter(sender=Sender.CUSTOMER, at__gte=since).count()
    if sent >= conf.messages_per_minute():
        raise DomainError(
            "webchat.rate_limited",
            _("You are sending messages too fast. Wait a moment."),
            status=429,
            retry_after=60,
        )


def _payload(message: ChatMessage, session: ChatSession) -> dict[str, Any]:
    """What the agent's browser is told about a line (rendered there with textContent)."""
    return {
        "session": session.public_id,
        "message_id": message.pk,
        "sender": message.sender,
        "text": message.text,
        "at": message.at.isoformat(),
        "visitor": session.visitor_name,
        "status": session.status,
    }


def _add(
    session: ChatSession, sender: str, text: str, *, agent: Any = None, notify: bool = True
) -> ChatMessage:
    message = ChatMessage.objects.create(session=session, sender=sender, text=text, agent=agent)
    # The agent in the chat; before anyone accepted it, the agent the inbox routed it to.
    recipient = session.agent_id
    if recipient is None and session.thread is not None:
        recipient = session.thread.assigned_to_id
    if notify and recipient is not None:
        live.push(recipient, "chat_message", _payload(message, session))
    return message


@transaction.atomic
def start_session(
    *,
    name: Any,
    contact: Any,
    message: Any = "",
    page: Any = "",
    origin: str = "",
    touchpoint: Any = "",
    client_ip: str | None = None,
) -> Started:
    """The visitor filled in the pre-chat form: find them, open the chat, queue it for agents."""
    name = name.strip()[:MAX_NAME] if isinstance(name, str) else ""
    if not name:
        raise DomainError("webchat.name_missing", _("Tell us your name."), status=422)
    identifier = _identifier(contact)
    first = _text(message) if isinstance(message, str) and message.strip() else ""
    _check_session_rate(client_ip)
    session = ChatSession(
        visitor_name=name,
        identifier_used=identifier.raw[:200],
        page=page[:500] if isinstance(page, str) else "",
        origin=origin[:200],
        client_ip=client_ip,
    )
    recorded = record_interaction(
        Contact(
            channel=Channel.WEBCHAT,
            direction=Direction.INBOUND,
            identifiers=[identifier],
            name=name,
            subject=first[:80],
            content=first,
            external_id=session.public_id,
            touchpoint=_touchpoint(touchpoint if isinstance(touchpoint, str) else ""),
            source="webchat",
            meta={"chat": session.public_id, "page": session.page, "status": ChatStatus.WAITING},
        )
    )
    interaction = recorded.interaction
    session.customer_id = interaction.customer_id
    session.thread_id = interaction.thread_id
    session.interaction = interaction
    session.save()
    if first:
        _add(session, Sender.CUSTOMER, first)
    events.publish(
        "webchat.started",
        {
            "session": session.public_id,
            "customer_id": session.customer_id,
            "thread_id": session.thread_id,
            "interaction_id": interaction.pk,
        },
    )
    return Started(session, tokens.issue(session.public_id), recorded.customer_created)


def _open(session: ChatSession) -> None:
    if session.status == ChatStatus.ENDED:
        raise DomainError("webchat.ended", _("This chat has ended."), status=409)


def _audit(session: ChatSession, *, before: str) -> None:
    """Status changes are made by a guarded UPDATE (first agent wins), which model signals do
    not see: the audit row is written here."""
    audit.record(
        AuditAction.UPDATE,
        session,
        before={"status": before} if before else None,
        after={"status": session.status, "agent_id": session.agent_id},
        customer_id=session.customer_id,
    )


@transaction.atomic
def customer_says(session: ChatSession, text: Any) -> ChatMessage:
    """A line from the visitor; the agent who has the chat sees it at once."""
    _open(session)
    line = _text(text)
    _check_message_rate(session)
    return _add(session, Sender.CUSTOMER, line)


@transaction.atomic
def accept(session: ChatSession, *, user: Any) -> ChatSession:
    """An agent takes a waiting chat. Two agents clicking at once: the first one gets it."""
    if session.status == ChatStatus.ACTIVE and session.agent_id == user.pk:
        return session
    now = timezone.now()
    taken = ChatSession.objects.filter(pk=session.pk, status=ChatStatus.WAITING).update(
        status=ChatStatus.ACTIVE, agent=user, accepted_at=now
    )
    if not taken:
        raise DomainError(
            "webchat.not_waiting", _("Another agent has taken this chat, or it ended."), status=409
        )
    session.refresh_from_db()
    _audit(session, before=ChatStatus.WAITING)
    thread = session.thread
    if thread is not None and thread.assigned_to_id is None:
        thread.assigned_to = user
        thread.save(update_fields=["assigned_to"])
    _add(session, Sender.SYSTEM, "accepted", agent=user)
    events.publish(
        "webchat.accepted",
        {"session": session.public_id, "agent_id": user.pk, "thread_id": session.thread_id},
    )
    return session


@transaction.atomic
def agent_says(session: ChatSession, text: Any, *, user: Any) -> ChatMessage:
    """The agent who has the chat answers; the visitor's widget shows it at once."""
    _open(session)
    if session.status != ChatStatus.ACTIVE or session.agent_id != user.pk:
        raise DomainError(
            "webchat.not_your_chat", _("Accept the chat before you answer."), status=409
        )
    line = _text(text)
    message = _add(session, Sender.AGENT, line, agent=user)
    thread = session.thread
    if thread is not None and thread.first_response_at is None:
        thread.first_response_at = message.at
        thread.save(update_fields=["first_response_at"])
    return message


def transcript(session: ChatSession) -> str:
    """The chat as a person reads it afterwards: time, who, what."""
    tz = timezone.get_current_timezone()
    lines = []
    for m in session.messages.select_related("agent").order_by("id"):
        if m.sender == Sender.SYSTEM:
            continue
        if m.sender == Sender.CUSTOMER:
            who = session.visitor_name
        else:
            who = (m.agent.get_full_name() or m.agent.get_username()) if m.agent else "-"
        lines.append(f"[{m.at.astimezone(tz):%H:%M:%S}] {who}: {m.text}")
    return "\n".join(lines)


def _default_state(session: ChatSession) -> tuple[str, str]:
    """Where the conversation stands when nobody said: a chat no agent answered is ours to
    answer; otherwise whoever spoke last is waiting for the other."""
    last = session.messages.exclude(sender=Sender.SYSTEM).order_by("-id").values("sender").first()
    answered = session.messages.filter(sender=Sender.AGENT).exists()
    if not answered:
        return ThreadState.WAITING_US, gettext_now("Answer the missed web chat")
    if last and last["sender"] == Sender.CUSTOMER:
        return ThreadState.WAITING_US, ""
    return ThreadState.WAITING_CUSTOMER, ""


@transaction.atomic
def end(
    session: ChatSession,
    *,
    user: Any = None,
    state: str = "",
    next_step: str = "",
    due: dt.datetime | None = None,
    outcome: str = "",
    reason: str = "",
) -> Interaction | None:
    """End the chat (the visitor closed it, the agent did, or it went idle) and save the
    transcript on the chat's interaction. Ending twice changes nothing: it is saved once."""
    if user is not None and session.agent_id not in (None, user.pk):
        raise DomainError("webchat.not_your_chat", _("Another agent has this chat."), status=409)
    if state and state not in ThreadState.values:
        raise DomainError(
            "interactions.state_unknown", _("Unknown conversation state."), status=422
        )
    now = timezone.now()
    closed = ChatSession.objects.filter(
        pk=session.pk, status__in=[ChatStatus.WAITING, ChatStatus.ACTIVE]
    ).update(status=ChatStatus.ENDED, ended_at=now)
    session.refresh_from_db()
    if not closed:
        return session.interaction
    _audit(session, before="")
    _add(session, Sender.SYSTEM, "ended", agent=user)
    default_state, default_step = _default_state(session)
    interaction = session.interaction
    if interaction is not None:
        seconds = max(int((now - session.started_at).total_seconds()), 0)
        interaction.content = transcript(session)
        interaction.ended_at = now
        interaction.duration_seconds = seconds
        interaction.agent_id = session.agent_id
        interaction.cost = contact_cost(Channel.WEBCHAT, seconds, interaction.touchpoint)
        interaction.outcome = outcome.strip()[:200] if outcome else interaction.outcome
        interaction.meta = {
            **interaction.meta,
            "status": ChatStatus.ENDED,
            "lines": session.messages.exclude(sender=Sender.SYSTEM).count(),
            "ended_by": reason or ("agent" if user is not None else "customer"),
        }
        interaction.save(
            update_fields=["content", "ended_at", "duration_seconds", "agent", "cost"]
            + ["outcome", "meta"]
        )
    thread = session.thread
    if thread is not None:
        thread.last_activity_at = max(thread.last_activity_at, now)
        thread.save(update_fields=["last_activity_at"])
        set_breakpoint(
            thread,
            user=user,
            state=state or default_state,
            next_step=next_step if next_step else (default_step or None),
            due=due,
        )
    events.publish(
        "webchat.ended",
        {
            "session": session.public_id,
            "interaction_id": interaction.pk if interaction else None,
            "customer_id": session.customer_id,
            "thread_id": session.thread_id,
        },
    )
    return interaction


def end_idle(now: dt.datetime | None = None) -> int:
    """End the chats nobody wrote in for ``HUDONG_CHAT_IDLE_MINUTES`` (a visitor who closed the
    tab, an agent who left), so every chat gets its transcript and its breakpoint."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(minutes=conf.idle_minutes())
    idle = (
        ChatSession.objects.filter(
            status__in=[ChatStatus.WAITING, ChatStatus.ACTIVE], started_at__lt=cutoff
        )
        .annotate(last_line=Max("messages__at"))
        .filter(Q(last_line__lt=cutoff) | Q(last_line=None))
        .order_by("started_at")[:500]
    )
    ended = 0
    for session in idle:
        end(session, reason="idle")
        ended += 1
    return ended
