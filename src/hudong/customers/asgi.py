"""The ASGI side of the screen pop: ``GET /api/v1/identify`` with a bearer token is answered by
:mod:`hudong.customers.screenpop` when it can be, before Django's middleware and router run.

A signed-in browser (session and CSRF), a request with other parameters, and every answer the
fast read declines go on to Django unchanged, so errors, codes and translations stay where they
are. The fast answer carries the security headers Django's middleware would add.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable, MutableMapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import parse_qsl

from django.conf import settings
from django.db import close_old_connections, connections
from django.http.cookie import parse_cookie
from django.http.request import split_domain_port, validate_host
from django.utils import translation

from hudong.customers import screenpop

log = logging.getLogger(__name__)
Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
PATH = "/api/v1/identify"


_READER: list[ThreadPoolExecutor] = []


def _reader() -> ThreadPoolExecutor:
    """The one thread of this process that runs fast reads, one after the other. Each takes a
    few milliseconds of CPU; run side by side in several threads they would only take turns
    at Python's lock and every one of them would finish late."""
    if not _READER:
        _READER.append(ThreadPoolExecutor(max_workers=1, thread_name_prefix="screen-pop"))
    return _READER[0]


def close_reader_connections() -> None:
    """Close the reader thread's database connections (kept open between screen pops). For
    whoever stops a server but keeps the process: the tests, whose database cannot be dropped
    while a connection to it is open."""
    if _READER:
        _READER[0].submit(connections.close_all).result(timeout=10)


def _bearer(scope: Scope) -> str | None:
    for key, value in scope.get("headers", []):
        if key == b"authorization":
            kind, _, token = value.decode("latin-1").partition(" ")
            return token if kind.lower() == "bearer" and token else None
    return None


def _trusted(scope: Scope) -> bool:
    """Whether Django would serve this request at all: a host it is set to answer for, and
    the scheme it insists on. Otherwise Django gives the refusal (400, or the redirect)."""
    if settings.SECURE_SSL_REDIRECT and scope.get("scheme") != "https":
        return False
    if settings.USE_X_FORWARDED_HOST:
        return False
    host = next((v for k, v in scope.get("headers", []) if k == b"host"), b"")
    domain, _port = split_domain_port(host.decode("latin-1"))
    return bool(domain) and validate_host(domain, settings.ALLOWED_HOSTS)


def _query(scope: Scope) -> str | None:
    """``q`` when it is the only parameter, given once (anything else: Django decides)."""
    raw = scope.get("query_string", b"").decode("latin-1")
    pairs = parse_qsl(raw, keep_blank_values=True, encoding="utf-8", errors="replace")
    if len(pairs) != 1 or pairs[0][0] != "q":
        return None
    return pairs[0][1]


class _Asked:
    """What Django's language choice reads of a request: its cookies and Accept-Language."""

    def __init__(self, scope: Scope) -> None:
        headers = dict(scope.get("headers", []))
        self.COOKIES = parse_cookie(headers.get(b"cookie", b"").decode("latin-1"))
        self.META = {"HTTP_ACCEPT_LANGUAGE": headers.get(b"accept-language", b"").decode("latin-1")}
        self.path_info = scope["path"]


def _headers(length: int, language: str) -> list[tuple[bytes, bytes]]:
    headers = [
        (b"content-type", b"application/json; charset=utf-8"),
        (b"content-length", str(length).encode()),
        (b"content-language", language.encode()),
        (b"vary", b"Accept-Language, Cookie"),
    ]
    if settings.SECURE_CONTENT_TYPE_NOSNIFF:
        headers.append((b"x-content-type-options", b"nosniff"))
    if settings.SECURE_REFERRER_POLICY:
        headers.append((b"referrer-policy", str(settings.SECURE_REFERRER_POLICY).encode()))
    if settings.SECURE_CROSS_ORIGIN_OPENER_POLICY:
        policy = str(settings.SECURE_CROSS_ORIGIN_OPENER_POLICY).encode()
        headers.append((b"cross-origin-opener-policy", policy))
    headers.append((b"x-frame-options", str(settings.X_FRAME_OPTIONS).encode()))
    return headers


def _answer(token: str, text: str, language: str) -> bytes | None:
    """The encoded answer, or None: the request goes on to Django (which also answers when
    something here failed, so a caller never sees a half-made answer)."""
    close_old_connections()
    try:
        with translation.override(language):
            found = screenpop.answer(token, text, PATH)
    except Exception:
        log.exception("screen pop fast read failed; the API answers instead")
        return None
    return None if found is None else json.dumps(found, ensure_ascii=False).encode()


class ScreenPop:
    """Wraps Hudong's ASGI application (see ``hudong.asgi``)."""

    def __init__(self, app: Any) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope.get("method") == "GET" and scope["path"] == PATH:
            token, text = _bearer(scope), _query(scope)
            if token is not None and text is not None and _trusted(scope):
                language = translation.get_language_from_request(_Asked(scope))  # type: ignore[arg-type]
                loop = asyncio.get_running_loop()
                body = await loop.run_in_executor(_reader(), _answer, token, text, language)
                if body is not None:
                    headers = _headers(len(body), language)
                    start = {"type": "http.response.start", "status": 200, "headers": headers}
                    await send(start)
                    await send({"type": "http.response.body", "body": body})
                    return
        await self.app(scope, receive, send)
