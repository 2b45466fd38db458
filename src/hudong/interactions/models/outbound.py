"""Messages the company sends, from the moment they are asked for to their delivery.

Every outbound path (a reply, a notice, a campaign) creates one of these and hands it to the
contact policy, which decides whether, when and on which channel it may go. A message the
policy defers waits here for its time; one it refuses stays with the reason.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from hudong.customers.models import Customer
from hudong.interactions.models.threads import Channel, Interaction, Purpose, Thread


class OutboundStatus(models.TextChoices):
    QUEUED = "queued", pgettext_lazy("message", "Queued")
    SENDING = "sending", pgettext_lazy("message", "Sending")
    SENT = "sent", pgettext_lazy("message", "Sent")
    DELIVERED = "delivered", pgettext_lazy("message", "Delivered")
    REFUSED = "refused", pgettext_lazy("message", "Not allowed")
    FAILED = "failed", pgettext_lazy("message", "Failed")


class OutboundMessage(models.Model):
    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="outbound_messages"
    )
    thread = models.ForeignKey(Thread, on_delete=models.SET_NULL, null=True, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    purpose = models.CharField(_("purpose"), max_length=10, choices=Purpose.choices)
    # The address it goes to, normalised (an E.164 phone, an email); chosen at send time.
    to = models.CharField(_("to"), max_length=200, blank=True)
    subject = models.CharField(_("subject"), max_length=250, blank=True)
    body = models.TextField(_("body"))
    status = models.CharField(
        _("status"), max_length=10, choices=OutboundStatus.choices, default=OutboundStatus.QUEUED
    )
    reason = models.CharField(_("reason code"), max_length=60, blank=True)
    # A reply inside a conversation the customer holds open (not proactive: no quiet hours).
    is_reply = models.BooleanField(_("reply"), default=False)
    send_after = models.DateTimeField(_("send after"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_ref = models.CharField(_("provider reference"), max_length=200, blank=True)
    interaction = models.OneToOneField(
        Interaction, on_delete=models.SET_NULL, null=True, blank=True, related_name="outbound"
    )
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True
    )
    # Who asked for it (a campaign id, "case:42"): lets the asker find its messages.
    origin = models.CharField(_("origin"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["status", "send_after"]),
            models.Index(fields=["customer", "purpose", "sent_at"]),
            models.Index(fields=["provider_ref"]),
        ]
        verbose_name = _("outbound message")
        verbose_name_plural = _("outbound messages")

    def __str__(self) -> str:
        return f"{self.channel} to {self.to or self.customer_id} ({self.status})"
