"""The ASGI side of ``/hooks/``: oversize bodies refused before they are read, and single
events committed in groups.

Django's ASGI handler reads a whole request body (spooling it to disk when large) before any
view runs, so a view can only refuse a body it already took in. Here ``Content-Length`` is
checked before the first byte is read, and a body sent without one (chunked) is cut off as
soon as it passes the limit.

A single event (``POST /hooks/<slug>/``) is then answered here, without Django's middleware
and views (no session, cookie, CSRF or template is involved in a signed machine-to-machine
call): the signature and the event are checked exactly as :mod:`.views` checks them, and the
event goes to the group committer (:mod:`.ingest`), which shares one commit among the
concurrent requests of this process. Batches and everything else go to Django.
"""

from __future__ import annotations

import json
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from asgiref.sync import sync_to_async
from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext

from hudong.core.errors import DomainError, problem_body
from hudong.interactions.channels.webhooks import receive, signing
from hudong.interactions.channels.webhooks.ingest import committer
from hudong.interactions.channels.webhooks.receive import max_batch_bytes, max_bytes

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
PREFIX = "/hooks/"
SINGLE = re.compile(r"^/hooks/([-a-zA-Z0-9_]+)/$")


async def _answer(send: Send, status: int, body: dict[str, Any], problem: bool = False) -> None:
    data = json.dumps(body, ensure_ascii=False).encode()
    kind = b"application/problem+json" if problem else b"application/json"
    headers = [(b"content-type", kind), (b"content-length", str(len(data)).encode())]
    if status == 413:
        headers.append((b"connection", b"close"))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": data})


async def _problem(send: Send, status: int, code: str, detail: Any, **extra: Any) -> None:
    with translation.override(settings.LANGUAGE_CODE):
        text = str(detail)
    await _answer(send, status, problem_body(status, code, text, **extra), problem=True)


def _too_large() -> Any:
    return gettext("The request body is too large.")


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return str(value.decode("latin-1"))
    return None


def _check(slug: str, body: bytes, timestamp: str | None, signature: str | None) -> Any:
    """Verify and check one event, as the Django view does (may read the source once)."""
    source = receive.verifier(slug)
    signing.verify(
        secrets=source.secrets,
        timestamp=timestamp,
        signature_header=signature,
        body=body,
        tolerance=source.tolerance,
    )
    return receive.prepare(slug, body)


async def _single(scope: Scope, slug: str, body: bytes, send: Send) -> None:
    timestamp = _header(scope, b"x-hudong-timestamp")
    signature = _header(scope, b"x-hudong-signature")
    try:
        if receive.cached(slug) is not None:  # no database needed: check in the event loop
            prepared = _check(slug, body, timestamp, signature)
        else:
            prepared = await sync_to_async(_check, thread_sensitive=False)(
                slug, body, timestamp, signature
            )
        receipt = await committer.submit(prepared)
    except DomainError as exc:
        await _problem(send, exc.status, exc.code, exc.message, **exc.extra)
        return
    except Exception:
        await _problem(
            send,
            503,
            "webhooks.unavailable",
            gettext("The event could not be stored; send it again."),
        )
        return
    if receipt.duplicate:
        await _answer(send, 200, {"status": "duplicate", "id": receipt.event_id})
    else:
        await _answer(send, 202, {"status": "accepted", "id": receipt.event_id})


class HookBodyLimit:
    """Wraps Hudong's ASGI application (see ``hudong.asgi``)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive_: Receive, send: Send) -> None:
        path = scope.get("path", "") if scope["type"] == "http" else ""
        if not path.startswith(PREFIX) or scope.get("method") != "POST":
            await self.app(scope, receive_, send)
            return
        limit = max_batch_bytes() if path.rstrip("/").endswith("/batch") else max_bytes()
        announced = _header(scope, b"content-length")
        if (
            announced
            and (announced.strip().isascii() and announced.strip().isdigit())
            and int(announced) > limit
        ):
            await _problem(send, 413, "webhooks.body_too_large", _too_large())
            return
        chunks, size = [], 0
        while True:
            message = await receive_()
            if message["type"] == "http.disconnect":
                return
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                await _problem(send, 413, "webhooks.body_too_large", _too_large())
                return
            chunks.append(chunk)
            if not message.get("more_body"):
                break
        body = b"".join(chunks)
        single = SINGLE.match(path)
        if single is not None:
            await _single(scope, single.group(1), body, send)
            return
        buffered: list[Message] = [{"type": "http.request", "body": body, "more_body": False}]

        async def replay() -> Message:
            return buffered.pop() if buffered else await receive_()

        await self.app(scope, replay, send)
