"""Live push to a signed-in user's browser over server-sent events.

``push()`` writes a :class:`LiveMessage` in the caller's transaction, so a message exists only
if the change behind it committed. ``stream()`` is the user's event stream (:mod:`hudong.core.sse`
polls that user's rows). A table rather than process memory because the app runs as several
server processes and a worker: whoever writes the row (a telephony webhook in one process) need
not be the process holding the agent's stream. At four reads a second per open browser it costs
far less than the one-second delivery it buys.
"""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from django.db.models import Max
from django.http import HttpRequest, StreamingHttpResponse
from django.utils import timezone

from hudong.core import sse
from hudong.core.models.live import LiveMessage

KEEP_FOR = timedelta(days=1)


def push(user_id: int, topic: str, payload: dict[str, Any]) -> LiveMessage:
    """Queue ``payload`` for every open browser of ``user_id`` under the event name ``topic``."""
    return LiveMessage.objects.create(user_id=user_id, topic=topic, payload=payload)


def prune() -> int:
    """Forget delivered-or-not messages older than a day (housekeeping)."""
    deleted, _ = LiveMessage.objects.filter(created_at__lt=timezone.now() - KEEP_FOR).delete()
    return deleted


def _start_after(user_id: int, last_event_id: str) -> int:
    resumed = sse.resume_from(last_event_id)
    if resumed is not None:
        return resumed
    # A new stream starts now: what happened before the page opened is on the page already.
    found = LiveMessage.objects.filter(user_id=user_id).aggregate(m=Max("id"))["m"]
    return int(found or 0)


def _poller(user_id: int) -> sse.Poll:
    def poll(after: int) -> list[sse.Event]:
        rows = LiveMessage.objects.filter(user_id=user_id, id__gt=after).order_by("id")[:100]
        return [sse.Event(m.pk, m.topic, json.dumps(m.payload, ensure_ascii=False)) for m in rows]

    return poll


def stream(request: HttpRequest) -> StreamingHttpResponse:
    """The signed-in user's event stream (the caller has checked the login)."""
    user_id = int(str(request.user.pk))
    after = _start_after(user_id, request.headers.get("Last-Event-ID", ""))
    return sse.response(request, _poller(user_id), after)
