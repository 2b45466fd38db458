"""The visitor's side of the live chat: a server-sent event stream of the chat's lines.

Like :mod:`hudong.core.live` it is a :mod:`hudong.core.sse` stream polling the chat's rows (an
indexed range read): the same on SQLite and PostgreSQL, across server processes, and the
browser's EventSource reconnects and resumes from ``Last-Event-ID`` by itself. The stream stops
after the line that ends the chat.
"""

from __future__ import annotations

import json

from django.http import HttpRequest, StreamingHttpResponse

from hudong.core import sse
from hudong.interactions.channels.webchat.models import ChatMessage, ChatSession, Sender
from hudong.interactions.channels.webchat.queries import line_json


def _event(message: ChatMessage) -> sse.Event:
    data = json.dumps(line_json(message), ensure_ascii=False, separators=(",", ":"))
    ends = message.sender == Sender.SYSTEM and message.text == "ended"
    return sse.Event(message.pk, "line", data, last=ends)


def _poller(session_id: int) -> sse.Poll:
    def poll(after: int) -> list[sse.Event]:
        rows = (
            ChatMessage.objects.select_related("agent")
            .filter(session_id=session_id, id__gt=after)
            .order_by("id")[:100]
        )
        return [_event(m) for m in rows]

    return poll


def stream(request: HttpRequest, session: ChatSession) -> StreamingHttpResponse:
    """Every line of ``session`` after ``Last-Event-ID`` (or ``?after=``), then each new one."""
    resume = request.headers.get("Last-Event-ID", "") or request.GET.get("after", "")
    after = sse.resume_from(resume) or 0
    return sse.response(request, _poller(session.pk), after)
