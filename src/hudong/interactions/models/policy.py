"""Consent and contact policy: may the company contact this customer, how, and when.

Consent is a ledger of grants and withdrawals, never an overwritten flag: who said what, on
which channel, for which purpose, when and through what. Each entry also carries the
normalised identifier it was given for, so a withdrawal still holds when the customer record
is deleted and the same phone or email comes back in a later import.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.customers.models import Customer
from hudong.interactions.models.threads import Channel, Purpose

ANY_CHANNEL = "any"


class ConsentEntry(models.Model):
    customer = models.ForeignKey(
        Customer,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="consent_entries",
        verbose_name=_("customer"),
    )
    # The identifier it was given for ("phone", "+8613800138000"); empty for all of them.
    identifier_kind = models.CharField(_("identifier kind"), max_length=10, blank=True)
    identifier_key = models.CharField(_("identifier"), max_length=200, blank=True)
    channel = models.CharField(
        _("channel"),
        max_length=10,
        choices=[(ANY_CHANNEL, _("Every channel")), *Channel.choices],
        default=ANY_CHANNEL,
    )
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    granted = models.BooleanField(_("granted"))
    source = models.CharField(_("source"), max_length=100)
    note = models.CharField(_("note"), max_length=250, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    at = models.DateTimeField(_("at"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["customer", "purpose"]),
            models.Index(fields=["identifier_kind", "identifier_key"]),
        ]
        verbose_name = _("consent entry")
        verbose_name_plural = _("consent ledger")

    def __str__(self) -> str:
        verb = "grant" if self.granted else "withdraw"
        return f"{verb} {self.purpose}/{self.channel} ({self.source})"


class ContactPolicy(models.Model):
    """How this customer wants to be contacted. Absent: the company's defaults apply."""

    customer = models.OneToOneField(
        Customer, on_delete=models.CASCADE, related_name="contact_policy"
    )
    preferred_channels = models.JSONField(_("preferred channels"), default=list, blank=True)
    language = models.CharField(_("language"), max_length=10, blank=True)
    # Quiet hours in the customer's local time; both empty: the company's default.
    quiet_start = models.TimeField(_("quiet hours from"), null=True, blank=True)
    quiet_end = models.TimeField(_("quiet hours until"), null=True, blank=True)
    timezone = models.CharField(_("time zone"), max_length=50, default="Asia/Shanghai")
    # Marketing messages allowed per rolling week; null: the company's default cap.
    marketing_per_week = models.PositiveSmallIntegerField(
        _("marketing messages per week"), null=True, blank=True
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("contact policy")
        verbose_name_plural = _("contact policies")

    def __str__(self) -> str:
        return f"policy of {self.customer_id}"
