"""Inbound webhook sources, their signing secrets, and the events they delivered.

A :class:`Source` is another system (a web form, a WeChat bridge, the shop) that posts events
to ``/hooks/<slug>/``. It signs each body with one of its secrets; a secret is a row of its
own, so a new one can be added while the old one still verifies (rotation with overlap) and
the old one revoked once every sender has switched.

Every accepted event is stored as it came (:class:`WebhookEvent`) before the sender gets its
2xx, unique per source and event id: a retry of the same event is acknowledged and never
processed twice. Processing (customer, interaction, thread, domain event) happens later in the
background worker and writes its outcome back on the row.
"""

from __future__ import annotations

import secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hudong.core.models import Region
from hudong.interactions.models import Channel, Interaction, Touchpoint

# What other systems post about: forms, messages and orders, not calls or letters.
HOOK_CHANNELS = [
    (Channel.WEBFORM.value, Channel.WEBFORM.label),
    (Channel.WECHAT.value, Channel.WECHAT.label),
    (Channel.EMAIL.value, Channel.EMAIL.label),
    (Channel.SMS.value, Channel.SMS.label),
    (Channel.WEBCHAT.value, Channel.WEBCHAT.label),
]
DEFAULT_TOLERANCE_SECONDS = 300


def new_secret() -> str:
    """A fresh signing secret: 256 random bits, prefixed so people recognise what it is."""
    return "whsec_" + secrets.token_hex(32)


class Source(models.Model):
    """Another system allowed to post events, and how its events are recorded."""

    slug = models.SlugField(_("slug"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    channel = models.CharField(
        _("default channel"), max_length=10, choices=HOOK_CHANNELS, default=Channel.WEBFORM
    )
    # Where customers first met through this source are placed (empty: the default region).
    region = models.ForeignKey(
        Region,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        verbose_name=_("region for new customers"),
    )
    touchpoint = models.ForeignKey(
        Touchpoint,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        verbose_name=_("touchpoint"),
    )
    # How far the sender's clock (X-Hudong-Timestamp) may be from ours, either way.
    tolerance_seconds = models.PositiveIntegerField(
        _("allowed timestamp window (seconds)"), default=DEFAULT_TOLERANCE_SECONDS
    )
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("webhook source")
        verbose_name_plural = _("webhook sources")

    def __str__(self) -> str:
        return self.name


class SourceSecret(models.Model):
    """One signing secret of a source. Every secret not revoked verifies."""

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="secrets", verbose_name=_("source")
    )
    # Kept readable: verifying an HMAC needs the secret itself, not a hash of it.
    secret = models.CharField(_("secret"), max_length=200, default=new_secret)
    label = models.CharField(_("label"), max_length=100, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["source", "-created_at"]
        verbose_name = _("signing secret")
        verbose_name_plural = _("signing secrets")

    def __str__(self) -> str:
        return f"{self.source_id}: {self.label or self.secret[:10]}…"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class EventStatus(models.TextChoices):
    PENDING = "pending", pgettext_lazy("webhook event", "Waiting")
    PROCESSED = "processed", pgettext_lazy("webhook event", "Processed")
    FAILED = "failed", pgettext_lazy("webhook event", "Failed")


class WebhookEvent(models.Model):
    """One event as a source delivered it, stored before the sender was answered."""

    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="events", verbose_name=_("source")
    )
    event_id = models.CharField(_("event id"), max_length=200)
    # The event's JSON exactly as received (for a batch: that event's own object).
    body = models.TextField(_("body"))
    # The identifiers found in it, checked and normalised on receipt ("kind\traw\tkey" lines),
    # so the worker does not normalise them a second time.
    identifiers = models.TextField(_("identifiers"), blank=True)
    received_at = models.DateTimeField(_("received at"), default=timezone.now)
    status = models.CharField(
        _("status"), max_length=10, choices=EventStatus.choices, default=EventStatus.PENDING
    )
    error = models.CharField(_("error code"), max_length=100, blank=True)
    processed_at = models.DateTimeField(_("processed at"), null=True, blank=True)
    interaction = models.ForeignKey(
        Interaction,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        db_constraint=False,  # an interaction deleted later leaves the delivery record alone
        related_name="+",
        verbose_name=_("interaction"),
    )

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "event_id"], name="webhook_event_once")
        ]
        indexes = [models.Index(fields=["status", "source", "id"])]
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self) -> str:
        return f"{self.source_id}:{self.event_id} ({self.status})"
