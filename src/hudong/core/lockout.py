"""Account lockout after repeated failed logins (per typed username, so unknown names lock too)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.core.exceptions import PermissionDenied
from django.dispatch import receiver
from django.utils import timezone

from hudong.core.models.access import LoginFailure


def is_locked(username: str) -> bool:
    row = LoginFailure.objects.filter(username=username.lower()).first()
    return bool(row and row.locked_until and row.locked_until > timezone.now())


class LockoutModelBackend(ModelBackend):
    """Django's model backend that refuses locked accounts before checking the password."""

    def authenticate(
        self, request: Any, username: str | None = None, password: str | None = None, **kw: Any
    ) -> Any:
        if username and is_locked(username):
            raise PermissionDenied("account locked")
        return super().authenticate(request, username=username, password=password, **kw)


@receiver(user_login_failed)
def _count_failure(sender: Any, credentials: dict[str, Any], **kw: Any) -> None:
    username = str(credentials.get("username") or "").lower()[:150]
    if not username:
        return
    now = timezone.now()
    window = timedelta(minutes=settings.HUDONG_LOCKOUT_MINUTES)
    row, _ = LoginFailure.objects.get_or_create(username=username)
    if row.first_at < now - window:
        row.count, row.first_at = 0, now
    row.count += 1
    if row.count >= settings.HUDONG_LOCKOUT_FAILURES:
        row.locked_until = now + window
    row.save()


@receiver(user_logged_in)
def _reset_failures(sender: Any, user: Any, **kw: Any) -> None:
    LoginFailure.objects.filter(username=user.get_username().lower()).delete()
