"""Server-sent event streams fed by polling the database.

A stream asks ``poll(after)`` for the rows written since the last one it sent, a few times a
second (an indexed range read), and forwards each as an event. Polling a table works the same
on SQLite and PostgreSQL and across server processes and the worker; EventSource reconnects by
itself and resumes from ``Last-Event-ID``, so a stream may end at any time (it does after a
few minutes, which bounds how long one request holds a server worker). Under ASGI the stream is
asynchronous; under WSGI (the test server) it is a plain generator.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, StreamingHttpResponse

log = logging.getLogger(__name__)
POLL_SECONDS = 0.25
KEEPALIVE_SECONDS = 15.0
STREAM_SECONDS = 300.0


@dataclass(frozen=True)
class Event:
    id: int
    name: str
    data: str  # already JSON
    last: bool = False  # the stream ends after this one (a chat that ended)

    def frame(self) -> str:
        return f"id: {self.id}\nevent: {self.name}\ndata: {self.data}\n\n"


Poll = Callable[[int], list[Event]]
MAX_ID = 2**63 - 1


def resume_from(text: str) -> int | None:
    """The event id a reconnecting browser sends (``Last-Event-ID``), if it is one: ASCII
    digits within the database's id range; anything else is ignored, never an error."""
    text = text.strip()
    if text.isascii() and text.isdigit() and len(text) < 20 and int(text) <= MAX_ID:
        return int(text)
    return None


class _Loop:
    """What both flavours share: where the stream is, and whether to send a keep-alive."""

    def __init__(self, after: int) -> None:
        self.after = after
        self.started = self.last_sent = time.monotonic()
        self.done = False

    def running(self) -> bool:
        return not self.done and time.monotonic() - self.started < STREAM_SECONDS

    def frames(self, events: list[Event]) -> list[str]:
        out = []
        for event in events:
            self.after = event.id
            out.append(event.frame())
            if event.last:
                self.done = True
                break
        now = time.monotonic()
        if out:
            self.last_sent = now
        elif now - self.last_sent > KEEPALIVE_SECONDS:
            self.last_sent = now
            out.append(": keep-alive\n\n")
        return out


def _sync(poll: Poll, after: int) -> Iterator[str]:
    loop = _Loop(after)
    yield "retry: 1000\n\n"
    while loop.running():
        try:
            events = poll(loop.after)
        except Exception:  # the database went away (shutdown): end; the browser reconnects
            log.info("event stream ended: database unavailable")
            return
        yield from loop.frames(events)
        if not loop.done:
            time.sleep(POLL_SECONDS)


async def _async(poll: Poll, after: int) -> AsyncIterator[str]:
    from asgiref.sync import sync_to_async

    apoll = sync_to_async(poll, thread_sensitive=False)
    loop = _Loop(after)
    yield "retry: 1000\n\n"
    while loop.running():
        for frame in loop.frames(await apoll(loop.after)):
            yield frame
        if not loop.done:
            await asyncio.sleep(POLL_SECONDS)


def response(request: HttpRequest, poll: Poll, after: int) -> StreamingHttpResponse:
    """An event-stream response sending what ``poll`` finds after ``after``."""
    frames: Iterator[str] | AsyncIterator[str]
    frames = _async(poll, after) if isinstance(request, ASGIRequest) else _sync(poll, after)
    resp = StreamingHttpResponse(frames, content_type="text/event-stream")
    resp["Cache-Control"] = "no-cache"
    resp["X-Accel-Buffering"] = "no"
    return resp
