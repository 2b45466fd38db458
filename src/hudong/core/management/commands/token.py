"""Issue, list and revoke per-user API tokens from the command line."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from hudong.core.models import ApiToken


class Command(BaseCommand):
    help = "Manage API tokens: token create USER NAME | token list [USER] | token revoke PREFIX"

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("verb", choices=["create", "list", "revoke"])
        parser.add_argument("params", nargs="*")

    def handle(self, *args: Any, verb: str, params: list[str], **options: Any) -> None:
        if verb == "create":
            if len(params) != 2:
                raise CommandError("usage: hudong token create USERNAME TOKEN-NAME")
            user = get_user_model().objects.filter(username=params[0]).first()
            if user is None:
                raise CommandError(f"no such user: {params[0]}")
            _, key = ApiToken.issue(user, params[1])
            self.stdout.write(key)
            self.stderr.write("Store this token now; it is not shown again.")
        elif verb == "list":
            rows = ApiToken.objects.select_related("user")
            if params:
                rows = rows.filter(user__username=params[0])
            for t in rows:
                state = "revoked" if t.revoked_at else "active"
                self.stdout.write(f"{t.prefix}…  {t.user}  {t.name}  {state}")
        else:
            if len(params) != 1:
                raise CommandError("usage: hudong token revoke PREFIX")
            n = ApiToken.objects.filter(prefix=params[0], revoked_at__isnull=True).update(
                revoked_at=timezone.now()
            )
            self.stdout.write(f"revoked {n} token(s)")
