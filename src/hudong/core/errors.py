"""Errors that carry a stable code and a translated message.

Codes are part of the public contract (API clients branch on them); messages are for people
and follow the request language.
"""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpResponse
from django.utils.translation import gettext_lazy as _


class DomainError(Exception):
    """A user-caused failure: never a 500. ``code`` is stable, ``message`` is translated."""

    status = 400

    def __init__(self, code: str, message: Any, *, status: int | None = None, **extra: Any) -> None:
        super().__init__(f"{code}: {message}")
        self.code = code
        self.message = message
        self.extra = extra
        if status is not None:
            self.status = status


class NotFound(DomainError):
    """Missing or not visible to this user: the two are indistinguishable on purpose."""

    status = 404

    def __init__(self, code: str = "not_found", message: Any = None) -> None:
        super().__init__(code, message or _("Not found."))


class PermissionDeniedError(DomainError):
    status = 403

    def __init__(self, code: str = "permission_denied", message: Any = None) -> None:
        super().__init__(code, message or _("You do not have permission to do this."))


def problem_body(status: int, code: str, detail: Any, **extra: Any) -> dict[str, Any]:
    """An error as RFC 9457 problem JSON: the one shape every endpoint answers with (the API,
    the widget, provider callbacks, webhooks), so clients parse one error format."""
    text = str(detail)
    return {
        "type": f"urn:hudong:error:{code}",
        "title": text,
        "status": status,
        "code": code,
        "detail": text,
        **extra,
    }


def problem_response(status: int, code: str, detail: Any, **extra: Any) -> HttpResponse:
    """:func:`problem_body` as a Django response (for views outside the ninja API)."""
    return HttpResponse(
        json.dumps(problem_body(status, code, detail, **extra), ensure_ascii=False),
        status=status,
        content_type="application/problem+json",
    )
