"""Agents in the inbox: who is there, what they can handle, and how conversations moved.

Presence is one row per agent (the current state, read by routing on every inbound contact);
every change of status is also appended to :class:`PresenceChange`, because the measures
(time on duty, non-contact time) need the history, not only the present. A conversation
handed from one agent to another leaves a :class:`Transfer`, counted per agent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hudong.interactions.models import Thread


class PresenceStatus(models.TextChoices):
    AVAILABLE = "available", pgettext_lazy("presence", "Available")
    BUSY = "busy", pgettext_lazy("presence", "Busy")
    AWAY = "away", pgettext_lazy("presence", "Away")
    OFFLINE = "offline", pgettext_lazy("presence", "Offline")


# On duty: the agent is working (taking contacts or in one). Away and offline are not.
ON_DUTY = (PresenceStatus.AVAILABLE, PresenceStatus.BUSY)


class AgentPresence(models.Model):
    """An agent's current status and what routing may give them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="presence",
        verbose_name=_("agent"),
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=PresenceStatus.choices,
        default=PresenceStatus.OFFLINE,
    )
    # Routing matches a conversation's skill ("returns", "billing"...) and the customer's
    # language against these lists; "senior" marks an agent for the top value tier.
    skills = models.JSONField(_("skills"), default=list, blank=True)
    languages = models.JSONField(_("languages"), default=list, blank=True)
    capacity = models.PositiveSmallIntegerField(_("open conversations at most"), default=5)
    since = models.DateTimeField(_("in this status since"), default=timezone.now)

    class Meta:
        ordering = ["user__username"]
        indexes = [models.Index(fields=["status"])]
        verbose_name = _("agent presence")
        verbose_name_plural = _("agent presence")

    def __str__(self) -> str:
        return f"{self.user} ({self.status})"


class PresenceChange(models.Model):
    """One status change (append-only): the log time on duty is measured from."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="presence_changes",
        verbose_name=_("agent"),
    )
    status = models.CharField(_("status"), max_length=10, choices=PresenceStatus.choices)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["user_id", "at", "id"]
        indexes = [models.Index(fields=["user", "at"])]
        verbose_name = _("presence change")
        verbose_name_plural = _("presence changes")

    def __str__(self) -> str:
        return f"{self.user_id} → {self.status} at {self.at:%Y-%m-%d %H:%M}"


class Transfer(models.Model):
    """A conversation handed from one agent to another, with the reason."""

    thread = models.ForeignKey(
        Thread, on_delete=models.CASCADE, related_name="transfers", verbose_name=_("conversation")
    )
    from_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transfers_out",
        verbose_name=_("from"),
    )
    to_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="transfers_in",
        verbose_name=_("to"),
    )
    # Who did it: the agent themselves, or a supervisor moving the work.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-at"]
        indexes = [models.Index(fields=["from_user", "at"]), models.Index(fields=["to_user", "at"])]
        verbose_name = _("transfer")
        verbose_name_plural = _("transfers")

    def __str__(self) -> str:
        return f"#{self.thread_id}: {self.from_user_id} → {self.to_user_id}"
