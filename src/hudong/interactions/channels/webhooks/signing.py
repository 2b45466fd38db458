"""Webhook signatures: HMAC-SHA256 over ``"<timestamp>.<raw body>"``.

The sender puts the Unix time it signed at in ``X-Hudong-Timestamp`` and ``v1=<hex digest>``
in ``X-Hudong-Signature`` (several, comma separated, while it rotates secrets itself), the way
Stripe signs its events. The timestamp is inside the signed bytes, so an old delivery cannot be
replayed with a new time; the window bounds how long a captured delivery stays usable, and the
event id (stored once per source) stops a replay inside the window.

Every active secret of the source is tried, each with a constant-time comparison, so a new
secret and the one it replaces both verify during a rotation.
"""

from __future__ import annotations

import hashlib
import hmac
import time
from collections.abc import Iterable

from django.utils.translation import gettext_lazy as _

from hudong.core.errors import DomainError

TIMESTAMP_HEADER = "X-Hudong-Timestamp"
SIGNATURE_HEADER = "X-Hudong-Signature"
SCHEME = "v1"


def signature(secret: str, timestamp: int | str, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>.<body>"`` under ``secret``."""
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def headers(secret: str, body: bytes, timestamp: int | None = None) -> dict[str, str]:
    """The two headers a sender adds (used by tests, benchmarks and the documentation)."""
    stamp = int(time.time()) if timestamp is None else timestamp
    return {
        TIMESTAMP_HEADER: str(stamp),
        SIGNATURE_HEADER: f"{SCHEME}={signature(secret, stamp, body)}",
    }


def _unauthorised(code: str, message: object) -> DomainError:
    return DomainError(code, message, status=401)


def _offered(header: str) -> list[str]:
    """The ``v1`` digests in a signature header; other schemes are ignored."""
    found = []
    for part in header.split(","):
        scheme, _eq, value = part.strip().partition("=")
        if scheme == SCHEME and value:
            found.append(value.strip().lower())
    return found


def verify(
    *,
    secrets: Iterable[str],
    timestamp: str | None,
    signature_header: str | None,
    body: bytes,
    tolerance: int,
    now: float | None = None,
) -> None:
    """Raise a 401 ``DomainError`` unless one of ``secrets`` signed ``body`` at a time inside
    the window. The signature is checked first: an unsigned caller learns nothing else."""
    if not timestamp or not signature_header:
        raise _unauthorised(
            "webhooks.signature_missing", _("The request is not signed (timestamp and signature).")
        )
    offered = _offered(signature_header)
    stamp = timestamp.strip()
    if not offered or not (stamp.isascii() and stamp.isdigit()) or len(stamp) > 12:
        raise _unauthorised("webhooks.signature_invalid", _("The signature does not match."))
    matched = False
    for secret in secrets:
        expected = signature(secret, stamp, body)
        for candidate in offered:
            # No early exit: every secret is tried, each comparison in constant time.
            matched |= hmac.compare_digest(expected, candidate)
    if not matched:
        raise _unauthorised("webhooks.signature_invalid", _("The signature does not match."))
    current = time.time() if now is None else now
    if abs(current - int(stamp)) > tolerance:
        raise _unauthorised(
            "webhooks.timestamp_outside_window",
            _("The timestamp is too old or in the future; sign the request again."),
        )
