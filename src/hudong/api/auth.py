"""API authentication: per-user bearer tokens, or the browser session (with CSRF)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja.security import APIKeyHeader, HttpBearer, SessionAuth

from hudong.core.context import set_actor
from hudong.core.models import ApiToken

LAST_USED_RESOLUTION = dt.timedelta(minutes=5)


def _activate(request: HttpRequest, user: Any) -> Any:
    request.user = user
    set_actor(user, f"API {request.method} {request.path}")
    return user


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        if not token or len(token) > 200:
            return None
        row = (
            ApiToken.objects.select_related("user", "user__profile")
            .filter(key_hash=ApiToken.hash_key(token), revoked_at__isnull=True)
            .first()
        )
        if row is None or not row.user.is_active:
            return None
        now = timezone.now()
        # "Last used" is for spotting idle tokens, not a log: one write every few minutes
        # instead of one per request keeps a busy integration from serialising on it.
        if row.last_used_at is None or now - row.last_used_at > LAST_USED_RESOLUTION:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        return _activate(request, row.user)


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
