"""What the SMS channel keeps of its own: the latest delivery receipt of each message.

A receipt can overtake the send it belongs to (the gateway calls back before our write of the
provider id commits); keeping it lets the send apply it when it lands, so no receipt is lost.
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

# Twilio's MessageStatus values, ranked: a late "sent" never overwrites "delivered".
STATUS_RANK = {
    "accepted": 0,
    "scheduled": 0,
    "queued": 0,
    "sending": 1,
    "sent": 2,
    "receiving": 2,
    "received": 2,
    "delivered": 3,
    "undelivered": 3,
    "failed": 3,
    "canceled": 3,
    "read": 4,
}
FINAL = frozenset({"delivered", "undelivered", "failed", "canceled", "read"})
DELIVERED = frozenset({"delivered", "read"})


class SmsReceipt(models.Model):
    sid = models.CharField(_("message id"), max_length=64, unique=True)
    status = models.CharField(_("status"), max_length=20)
    error_code = models.CharField(_("error code"), max_length=20, blank=True)
    # Whether the final status has reached the outbound message (False: it overtook the send).
    applied = models.BooleanField(_("applied"), default=False)
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("SMS delivery receipt")
        verbose_name_plural = _("SMS delivery receipts")

    def __str__(self) -> str:
        return f"{self.sid}: {self.status}"
