"""Telephony: which agent sits at which extension, and the calls the switch reports.

The switch (PBX / CTI server) knows extensions, not users; :class:`Extension` maps its
"ringing at 8001" to the agent whose browser pops. :class:`Call` follows one call through its
events so "ended" knows when it was answered; :class:`CallEvent` keeps every event id the
switch sent, so an event delivered twice (switches retry) acts once.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hudong.customers.models import Customer
from hudong.interactions.models import Direction, Interaction


class Extension(models.Model):
    """An extension number of the switch and the agent who answers it."""

    number = models.CharField(_("extension"), max_length=20, unique=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="extensions",
        verbose_name=_("agent"),
    )
    active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["number"]
        verbose_name = _("extension")
        verbose_name_plural = _("extensions")

    def __str__(self) -> str:
        return self.number


class CallState(models.TextChoices):
    RINGING = "ringing", _("Ringing")
    ANSWERED = "answered", _("Answered")
    ENDED = "ended", pgettext_lazy("call state", "Ended")


class Call(models.Model):
    """One call as the switch reported it, from ringing to the logged interaction."""

    call_id = models.CharField(_("call id"), max_length=100, unique=True)
    direction = models.CharField(
        _("direction"), max_length=3, choices=Direction.choices, default=Direction.INBOUND
    )
    number = models.CharField(_("customer's number"), max_length=40, blank=True)
    extension = models.CharField(_("extension"), max_length=20, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("agent"),
    )
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
        verbose_name=_("customer"),
    )
    state = models.CharField(
        _("state"), max_length=10, choices=CallState.choices, default=CallState.RINGING
    )
    rang_at = models.DateTimeField(_("rang at"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended at"), null=True, blank=True)
    # Who has been shown the screen pop already (a transfer pops the new agent too).
    popped_user_ids = models.JSONField(default=list, blank=True)
    interaction = models.OneToOneField(
        Interaction,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="call",
        verbose_name=_("interaction"),
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("call")
        verbose_name_plural = _("calls")

    def __str__(self) -> str:
        return self.call_id


class CallEvent(models.Model):
    """One event id the switch sent: the unique key makes a second delivery a no-op."""

    event_id = models.CharField(_("event id"), max_length=100, unique=True)
    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("event"), max_length=10)
    sent_at = models.DateTimeField(_("sent at"))
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        ordering = ["received_at"]
        verbose_name = _("call event")
        verbose_name_plural = _("call events")

    def __str__(self) -> str:
        return self.event_id
