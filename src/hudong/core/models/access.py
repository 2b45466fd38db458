"""People and access: regions, teams, roles, the rules that scope what each role sees."""

from __future__ import annotations

import hashlib
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Region(models.Model):
    """A sales/service region; customers belong to exactly one."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)

    class Meta:
        ordering = ["code"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("region")
    )
    skills = models.JSONField(_("skills"), default=list, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("team")
        verbose_name_plural = _("teams")

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    AGENT = "agent", _("Agent")
    SUPERVISOR = "supervisor", _("Supervisor")
    MARKETER = "marketer", _("Marketer")
    SALES = "sales", _("Sales")
    ANALYST = "analyst", _("Analyst")
    ADMIN = "admin", _("Administrator")


class Profile(models.Model):
    """What Hudong knows about a user beyond Django's auth: role, region, team."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.AGENT)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("region")
    )
    team = models.ForeignKey(
        Team, on_delete=models.SET_NULL, null=True, blank=True, verbose_name=_("team")
    )
    language = models.CharField(_("language"), max_length=10, blank=True)

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.role})"


class Scope(models.TextChoices):
    """How far a rule reaches. Evaluated in ``core.scoping``; ``none`` is the default."""

    NONE = "none", _("Nothing")
    OWN = "own", _("Records they own")
    TEAM = "team", _("Records owned by their team")
    REGION = "region", _("Records of their region")
    ALL = "all", _("Everything")


class AccessRule(models.Model):
    """Data, not code: which role sees how much of which resource.

    A company edits these rows (admin) to set its own policy. A role without a rule for a
    resource sees nothing of it: deny by default.
    """

    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    resource = models.CharField(_("resource"), max_length=50)
    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["role", "resource"], name="accessrule_role_resource")
        ]
        ordering = ["resource", "role"]
        verbose_name = _("access rule")
        verbose_name_plural = _("access rules")

    def __str__(self) -> str:
        return f"{self.role}:{self.resource}={self.scope}"


class ApiToken(models.Model):
    """A per-user API token. Only a hash is stored; the secret is shown once."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def hash_key(key: str) -> str:
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, user: object, name: str) -> tuple[ApiToken, str]:
        """Create a token and return it with the one-time plain secret."""
        key = "hd_" + secrets.token_urlsafe(32)
        token = cls.objects.create(
            user=user, name=name, prefix=key[:10], key_hash=cls.hash_key(key)
        )
        return token, key


class LoginFailure(models.Model):
    """Failed logins per username, for lockout. Keyed by the name typed, not the user."""

    username = models.CharField(max_length=150, unique=True)
    count = models.PositiveIntegerField(default=0)
    first_at = models.DateTimeField(default=timezone.now)
    locked_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("login failure")
        verbose_name_plural = _("login failures")

    def __str__(self) -> str:
        return f"{self.username}: {self.count}"
