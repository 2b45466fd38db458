"""The web chat's settings, each with a default so a fresh installation works as is.

``HUDONG_CHAT_ORIGINS`` lists the sites (scheme://host[:port]) allowed to embed the widget and
call its endpoints from the visitor's browser; Hudong's own pages are always allowed. It is read
from the Django setting of that name, else from the environment variable (comma-separated).
"""

from __future__ import annotations

import os
from datetime import timedelta

from django.conf import settings


def _int(name: str, default: int) -> int:
    value = getattr(settings, name, None)
    if value is None:
        value = os.environ.get(name) or default
    return int(value)


def allowed_origins() -> frozenset[str]:
    value = getattr(settings, "HUDONG_CHAT_ORIGINS", None)
    if value is None:
        value = os.environ.get("HUDONG_CHAT_ORIGINS", "")
    if isinstance(value, str):
        value = value.split(",")
    return frozenset(o.strip().rstrip("/") for o in value if o and o.strip())


def max_text() -> int:
    """Characters in one chat line: long enough for an address, short enough to read."""
    return _int("HUDONG_CHAT_MAX_TEXT", 2000)


def max_body() -> int:
    """Bytes in one request from the widget; anything larger is refused unread (413)."""
    return _int("HUDONG_CHAT_MAX_BODY", 16 * 1024)


def messages_per_minute() -> int:
    """Lines one visitor may send a minute: faster than anyone types, slower than a script."""
    return _int("HUDONG_CHAT_MESSAGES_PER_MINUTE", 30)


def sessions_per_hour() -> int:
    """Chats one address may open an hour (an office behind one address opens several)."""
    return _int("HUDONG_CHAT_SESSIONS_PER_HOUR", 20)


def token_max_age() -> timedelta:
    """How long a visitor's session token is honoured after the chat started."""
    return timedelta(hours=_int("HUDONG_CHAT_TOKEN_HOURS", 24))


def idle_minutes() -> int:
    """A chat nobody wrote in for this long is ended and its transcript saved."""
    return _int("HUDONG_CHAT_IDLE_MINUTES", 30)
