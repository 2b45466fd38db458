"""The agent's side of the web chat over the API: list, take, answer and end chats.

The visitor's side is not here: the widget calls ``/chat/w/...`` with a session token instead
of a login (see ``widget_views``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status

from hudong.api.types import Instant
from hudong.core import audit
from hudong.interactions.channels.webchat import actions, queries
from hudong.interactions.channels.webchat.models import ChatSession

router = Router(tags=["Web chat"])


class LineOut(Schema):
    id: int
    sender: str
    text: str
    at: dt.datetime
    agent: str


class SessionOut(Schema):
    session: str
    status: str
    visitor: str
    identifier_used: str
    customer_id: int
    thread_id: int | None
    interaction_id: int | None
    agent: str
    started_at: dt.datetime
    ended_at: dt.datetime | None
    lines: list[LineOut] = []


class QueueOut(Schema):
    waiting: list[SessionOut]
    mine: list[SessionOut]


class TextIn(Schema):
    # Length is checked by the action, so a long line gets its own code (webchat.message_too_long).
    text: str


class EndIn(Schema):
    state: str = ""
    next_step: str = ""
    due: Instant | None = None
    outcome: str = ""


def _out(session: ChatSession, *, with_lines: bool = False) -> dict[str, Any]:
    return {
        "session": session.public_id,
        "status": session.status,
        "visitor": session.visitor_name,
        "identifier_used": session.identifier_used,
        "customer_id": session.customer_id,
        "thread_id": session.thread_id,
        "interaction_id": session.interaction_id,
        "agent": queries.agent_name(session.agent),
        "started_at": session.started_at,
        "ended_at": session.ended_at,
        "lines": [queries.line_json(m) for m in queries.lines(session)] if with_lines else [],
    }


@router.get("/chat/sessions", response=QueueOut, url_name="webchat_queue")
def chat_queue(request: HttpRequest) -> dict[str, Any]:
    """Chats waiting for an agent, and the caller's own active chats."""
    return {
        "waiting": [_out(s) for s in queries.waiting(request.user)],
        "mine": [_out(s) for s in queries.mine(request.user)],
    }


@router.get("/chat/sessions/{public_id}", response=SessionOut, url_name="webchat_session")
def chat_session(request: HttpRequest, public_id: str) -> dict[str, Any]:
    """One chat with its lines (the read is audited)."""
    session = queries.get_session(request.user, public_id)
    if session.customer_id:
        audit.record_view(session, customer_id=session.customer_id, via=f"API GET {request.path}")
    return _out(session, with_lines=True)


@router.post("/chat/sessions/{public_id}/accept", response=SessionOut, url_name="webchat_accept")
def chat_accept(request: HttpRequest, public_id: str) -> dict[str, Any]:
    session = actions.accept(queries.get_session(request.user, public_id), user=request.user)
    return _out(session, with_lines=True)


@router.post("/chat/sessions/{public_id}/reply", response={201: LineOut}, url_name="webchat_reply")
def chat_reply(request: HttpRequest, public_id: str, body: TextIn) -> Any:
    session = queries.get_session(request.user, public_id)
    line = actions.agent_says(session, body.text, user=request.user)
    return Status(201, queries.line_json(line))


@router.post("/chat/sessions/{public_id}/end", response=SessionOut, url_name="webchat_end")
def chat_end(request: HttpRequest, public_id: str, body: EndIn) -> dict[str, Any]:
    """End the chat; the transcript becomes the content of its interaction (once)."""
    session = queries.get_session(request.user, public_id)
    actions.end(
        session,
        user=request.user,
        state=body.state,
        next_step=body.next_step,
        due=body.due,
        outcome=body.outcome,
    )
    session.refresh_from_db()
    return _out(session, with_lines=True)
