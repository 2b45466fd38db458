"""Reads of the web chat. An agent sees a chat when they may see its conversation (the
``threads`` scope of :mod:`hudong.core.scoping`); a visitor sees their own chat by its token."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from hudong.core.errors import NotFound
from hudong.interactions.channels.webchat import tokens
from hudong.interactions.channels.webchat.models import ChatMessage, ChatSession, ChatStatus
from hudong.interactions.queries import visible_threads

LINES_PAGE = 200


def visible_sessions(user: Any) -> QuerySet[ChatSession]:
    return ChatSession.objects.filter(thread__in=visible_threads(user).values("pk"))


def waiting(user: Any) -> list[ChatSession]:
    """Chats nobody has taken yet, the longest-waiting first."""
    return list(
        visible_sessions(user)
        .filter(status=ChatStatus.WAITING)
        .select_related("customer", "thread")
        .order_by("started_at")[:100]
    )


def mine(user: Any) -> list[ChatSession]:
    """The chats this agent is in."""
    return list(
        visible_sessions(user)
        .filter(status=ChatStatus.ACTIVE, agent=user)
        .select_related("customer")
        .order_by("accepted_at")
    )


def others(user: Any) -> list[ChatSession]:
    """Chats other agents are in, for a supervisor (or a colleague) to keep an eye on."""
    return list(
        visible_sessions(user)
        .filter(status=ChatStatus.ACTIVE)
        .exclude(agent=user)
        .select_related("customer", "agent")
        .order_by("accepted_at")[:100]
    )


def get_session(user: Any, public_id: str) -> ChatSession:
    found = (
        visible_sessions(user)
        .select_related("customer", "thread", "agent", "interaction")
        .filter(public_id=public_id)
        .first()
    )
    if found is None:
        raise NotFound("webchat.session_not_found")
    return found


def for_visitor(public_id: str, token: str) -> ChatSession:
    """The visitor's own chat: the token must have been issued for exactly this session."""
    tokens.check(token, public_id)
    found = ChatSession.objects.select_related("agent").filter(public_id=public_id).first()
    if found is None:
        raise NotFound("webchat.session_not_found")
    return found


def lines(session: ChatSession, *, after: int = 0) -> list[ChatMessage]:
    return list(
        session.messages.select_related("agent").filter(id__gt=after).order_by("id")[:LINES_PAGE]
    )


def agent_name(user: Any) -> str:
    """What the visitor sees of an agent: a first name or the user name, nothing more."""
    if user is None:
        return ""
    return str(user.first_name or user.get_username())


def line_json(message: ChatMessage) -> dict[str, Any]:
    """A line as the widget receives it (the widget renders it with textContent)."""
    return {
        "id": message.pk,
        "sender": message.sender,
        "text": message.text,
        "at": message.at.isoformat(),
        "agent": agent_name(message.agent) if message.sender != "customer" else "",
    }
