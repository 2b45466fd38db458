"""The switch signs each event: HMAC-SHA256 of the raw request body with a shared secret.

Header ``X-Hudong-Signature: v1=<hex>``. The body carries the time the switch sent it
(``timestamp``), so the signature covers it and an old event cannot be replayed with a fresh
time; events outside the window are refused, events inside it are deduplicated by their id.

The secret is the setting ``HUDONG_CTI_SECRET`` (environment variable of the same name when the
setting is absent). Several secrets separated by commas are all accepted, so a secret can be
rotated without losing events: add the new one, move the switch over, remove the old one.
"""

from __future__ import annotations

import hashlib
import hmac
import os

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from hudong.core.errors import DomainError

HEADER = "X-Hudong-Signature"
SCHEME = "v1"
DEFAULT_WINDOW_SECONDS = 300


def secrets() -> list[str]:
    raw = getattr(settings, "HUDONG_CTI_SECRET", None)
    if raw is None:
        raw = os.environ.get("HUDONG_CTI_SECRET", "")
    return [s.strip() for s in str(raw).split(",") if s.strip()]


def window_seconds() -> int:
    return int(getattr(settings, "HUDONG_CTI_WINDOW_SECONDS", DEFAULT_WINDOW_SECONDS))


def sign(body: bytes, secret: str) -> str:
    """The header value for ``body`` (what the switch computes; tests and benchmarks use it)."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()
    return f"{SCHEME}={digest}"


def verify(body: bytes, header: str) -> None:
    """Raise unless ``header`` is a valid signature of ``body`` under an active secret."""
    keys = secrets()
    if not keys:
        raise DomainError(
            "telephony.not_configured",
            _("Telephony events are not accepted: no shared secret is configured."),
            status=401,  # nothing can authenticate the switch; a 5xx would invite retries
        )
    offered = [
        part.strip()[len(SCHEME) + 1 :]
        for part in (header or "").split(",")
        if part.strip().startswith(SCHEME + "=")
    ]
    for key in keys:
        expected = sign(body, key)[len(SCHEME) + 1 :]
        # Every comparison is constant-time; trying each key leaks only how many there are.
        if any(hmac.compare_digest(expected, candidate) for candidate in offered):
            return
    raise DomainError(
        "telephony.signature_invalid", _("The event signature is not valid."), status=401
    )
