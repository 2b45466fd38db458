"""Live push to a signed-in user's browser over server-sent events.

``push()`` writes a :class:`LiveMessage` in the caller's transaction, so a message exists only
if the change behind it committed. ``stream()`` is the user's event stream: it polls that
user's rows (an indexed range read) a few times a second and forwards them. Polling a table
works the same on SQLite and PostgreSQL and across server processes; at four reads a second
per open browser it costs far less than the one-second delivery it buys. EventSource
reconnects on its own and resumes from ``Last-Event-ID``, so a stream may end at any time.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta
from typing import Any

from django.core.handlers.asgi import ASGIRequest
from django.db.models import Max
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone

from hudong.core.models.live import LiveMessage

log = logging.getLogger(__name__)
POLL_SECONDS = 0.25
KEEPALIVE_SECONDS = 15.0
STREAM_SECONDS = 300.0  # the browser reconnects; bounds how long one request holds a worker
KEEP_FOR = timedelta(days=1)


def push(user_id: int, topic: str, payload: dict[str, Any]) -> LiveMessage:
    """Queue ``payload`` for every open browser of ``user_id`` under the event name ``topic``."""
    return LiveMessage.objects.create(user_id=user_id, topic=topic, payload=payload)


def prune() -> int:
    """Forget delivered-or-not messages older than a day (housekeeping)."""
    deleted, _ = LiveMessage.objects.filter(created_at__lt=timezone.now() - KEEP_FOR).delete()
    return deleted


def _frame(message: LiveMessage) -> str:
    data = json.dumps(message.payload, ensure_ascii=False, separators=(",", ":"))
    return f"id: {message.pk}\nevent: {message.topic}\ndata: {data}\n\n"


def _start_after(user_id: int, last_event_id: str) -> int:
    if last_event_id.isdigit():
        return int(last_event_id)
    # A new stream starts now: what happened before the page opened is on the page already.
    found = LiveMessage.objects.filter(user_id=user_id).aggregate(m=Max("id"))["m"]
    return int(found or 0)


def _pending(user_id: int, after: int) -> list[LiveMessage]:
    return list(LiveMessage.objects.filter(user_id=user_id, id__gt=after).order_by("id")[:100])


def _sync_frames(user_id: int, after: int) -> Iterator[str]:
    yield "retry: 1000\n\n"
    started = last_sent = time.monotonic()
    while time.monotonic() - started < STREAM_SECONDS:
        try:
            messages = _pending(user_id, after)
        except Exception:  # the database went away (shutdown): end; the browser reconnects
            log.info("live stream of user %s ended: database unavailable", user_id)
            return
        for message in messages:
            after = message.pk
            yield _frame(message)
        if messages:
            last_sent = time.monotonic()
        elif time.monotonic() - last_sent > KEEPALIVE_SECONDS:
            last_sent = time.monotonic()
            yield ": keep-alive\n\n"
        time.sleep(POLL_SECONDS)


async def _async_frames(user_id: int, after: int) -> AsyncIterator[str]:
    from asgiref.sync import sync_to_async

    pending = sync_to_async(_pending, thread_sensitive=False)
    yield "retry: 1000\n\n"
    started = last_sent = time.monotonic()
    while time.monotonic() - started < STREAM_SECONDS:
        messages = await pending(user_id, after)
        for message in messages:
            after = message.pk
            yield _frame(message)
        if messages:
            last_sent = time.monotonic()
        elif time.monotonic() - last_sent > KEEPALIVE_SECONDS:
            last_sent = time.monotonic()
            yield ": keep-alive\n\n"
        await asyncio.sleep(POLL_SECONDS)


def stream(request: HttpRequest) -> StreamingHttpResponse:
    """The signed-in user's event stream (the caller has checked the login)."""
    user_id = int(str(request.user.pk))
    after = _start_after(user_id, request.headers.get("Last-Event-ID", ""))
    frames: Iterator[str] | AsyncIterator[str]
    if isinstance(request, ASGIRequest):
        frames = _async_frames(user_id, after)
    else:
        frames = _sync_frames(user_id, after)
    response = StreamingHttpResponse(frames, content_type="text/event-stream")
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"
    return response
