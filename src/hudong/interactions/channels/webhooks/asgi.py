"""An ASGI wrapper that refuses an oversize webhook body before Django reads it.

Django's ASGI handler reads a whole request body (spooling it to disk when large) before any
view runs, so a view can only refuse a body it already took in. For ``/hooks/`` this wrapper
answers 413 at once when ``Content-Length`` announces too much, and stops reading a body sent
without one (chunked) as soon as it passes the limit. Other paths go through untouched.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from django.utils import translation
from django.utils.translation import gettext

from hudong.interactions.channels.webhooks.receive import max_batch_bytes, max_bytes

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
PREFIX = "/hooks/"


async def _refuse(send: Send) -> None:
    with translation.override(None):
        detail = gettext("The request body is too large.")
    body = json.dumps(
        {
            "type": "urn:hudong:error:webhooks.body_too_large",
            "title": detail,
            "status": 413,
            "code": "webhooks.body_too_large",
            "detail": detail,
        },
        ensure_ascii=False,
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/problem+json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})


def _announced(scope: Scope) -> int | None:
    for name, value in scope.get("headers", []):
        if name == b"content-length":
            text = value.decode("latin-1").strip()
            return int(text) if text.isdigit() else None
    return None


class HookBodyLimit:
    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(PREFIX) or scope.get("method") != "POST":
            await self.app(scope, receive, send)
            return
        limit = max_batch_bytes() if path.rstrip("/").endswith("/batch") else max_bytes()
        announced = _announced(scope)
        if announced is not None and announced > limit:
            await _refuse(send)
            return
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return
            body = message.get("body", b"")
            size += len(body)
            if size > limit:
                await _refuse(send)
                return
            chunks.append(body)
            if not message.get("more_body"):
                break
        buffered: list[Message] = [
            {"type": "http.request", "body": b"".join(chunks), "more_body": False}
        ]

        async def replay() -> Message:
            return buffered.pop() if buffered else await receive()

        await self.app(scope, replay, send)
