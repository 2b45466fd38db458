"""API authentication: per-user bearer tokens, or the browser session (with CSRF)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from hudong.core.context import set_actor
from hudong.core.models import ApiToken
from hudong.core.prepared import Prepared

LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


def _activate(request: HttpRequest, user: Any) -> Any:
    request.user = user
    set_actor(user, f"API {request.method} {request.path}")
    return user


# The token's row with its user and profile, as prepared SQL: every API call asks it.
_TOKEN = Prepared(
    lambda key_hash: ApiToken.objects.select_related("user", "user__profile").filter(
        key_hash=key_hash, revoked_at__isnull=True
    )[:1],
    text=True,
)


def user_for_token(token: str) -> Any:
    """The active user a bearer token belongs to, or None (unknown, revoked, inactive)."""
    if not token or len(token) > 200:
        return None
    rows = _TOKEN(ApiToken.hash_key(token))
    if not rows or not rows[0].user.is_active:
        return None
    row = rows[0]
    now = timezone.now()
    # "Last used" is for spotting idle tokens, not a log: one write every few minutes
    # instead of one per request keeps a busy integration from serialising on it.
    if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
    return row.user


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        return None if user is None else _activate(request, user)


class HeaderTokenAuth(APIKeyHeader):
    param_name = "X-API-Key"

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return TokenAuth().authenticate(request, key or "")


class BrowserSession(SessionAuth):
    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = super().authenticate(request, key)
        return _activate(request, user) if user else None


def default_auth() -> list[Any]:
    return [TokenAuth(), HeaderTokenAuth(), BrowserSession()]
