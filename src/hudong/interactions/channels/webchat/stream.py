"""The visitor's side of the live chat: a server-sent event stream of the chat's lines.

Like :mod:`hudong.core.live` it polls the chat's rows (an indexed range read) a few times a
second: the same on SQLite and PostgreSQL, across server processes, and the browser's
EventSource reconnects and resumes from ``Last-Event-ID`` by itself. The stream stops after the
line that ends the chat.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Iterator

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, StreamingHttpResponse

from hudong.interactions.channels.webchat.models import ChatMessage, ChatSession, Sender
from hudong.interactions.channels.webchat.queries import line_json

POLL_SECONDS = 0.25
KEEPALIVE_SECONDS = 15.0
STREAM_SECONDS = 300.0


def _pending(session_id: int, after: int) -> list[ChatMessage]:
    return list(
        ChatMessage.objects.select_related("agent")
        .filter(session_id=session_id, id__gt=after)
        .order_by("id")[:100]
    )


def _frame(message: ChatMessage) -> str:
    data = json.dumps(line_json(message), ensure_ascii=False, separators=(",", ":"))
    return f"id: {message.pk}\nevent: line\ndata: {data}\n\n"


def _ends(message: ChatMessage) -> bool:
    return message.sender == Sender.SYSTEM and message.text == "ended"


def _sync_frames(session_id: int, after: int) -> Iterator[str]:
    yield "retry: 1000\n\n"
    started = last_sent = time.monotonic()
    while time.monotonic() - started < STREAM_SECONDS:
        messages = _pending(session_id, after)
        for message in messages:
            after = message.pk
            yield _frame(message)
            if _ends(message):
                return
        if messages:
            last_sent = time.monotonic()
        elif time.monotonic() - last_sent > KEEPALIVE_SECONDS:
            last_sent = time.monotonic()
            yield ": keep-alive\n\n"
        time.sleep(POLL_SECONDS)


async def _async_frames(session_id: int, after: int) -> AsyncIterator[str]:
    from asgiref.sync import sync_to_async

    pending = sync_to_async(_pending, thread_sensitive=False)
    yield "retry: 1000\n\n"
    started = last_sent = time.monotonic()
    while time.monotonic() - started < STREAM_SECONDS:
        messages = await pending(session_id, after)
        for message in messages:
            after = message.pk
            yield _frame(message)
            if _ends(message):
                return
        if messages:
            last_sent = time.monotonic()
        elif time.monotonic() - last_sent > KEEPALIVE_SECONDS:
            last_sent = time.monotonic()
            yield ": keep-alive\n\n"
        await asyncio.sleep(POLL_SECONDS)


def stream(request: HttpRequest, session: ChatSession) -> StreamingHttpResponse:
    """Every line of ``session`` after ``Last-Event-ID`` (or ``?after=``), then each new one."""
    resume = request.headers.get("Last-Event-ID", "") or request.GET.get("after", "")
    after = int(resume) if resume.isdigit() else 0
    frames: Iterator[str] | AsyncIterator[str]
    if isinstance(request, ASGIRequest):
        frames = _async_frames(session.pk, after)
    else:
        frames = _sync_frames(session.pk, after)
    response = StreamingHttpResponse(frames, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
