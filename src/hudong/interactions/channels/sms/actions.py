"""Every write of the SMS channel: sending through the gateway, delivery receipts, inbound
messages (with the opt-out keywords). Each inbound write is one transaction, so a callback
either leaves its full effect or none and the gateway's retry starts clean.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hudong.core import events
from hudong.core.errors import DomainError
from hudong.customers.resolution.ingest import Incoming
from hudong.interactions import consent, outbound
from hudong.interactions.actions import Contact, Recorded, record_interaction
from hudong.interactions.channels.sms.models import DELIVERED, FINAL, STATUS_RANK, SmsReceipt
from hudong.interactions.channels.sms.provider import provider, public_url
from hudong.interactions.models import ANY_CHANNEL, OutboundMessage, Purpose

MAX_SID = 64


def deliver(message: OutboundMessage) -> str:
    """The SMS sender: one message to the gateway, receipts asked back to our status URL.
    Raises on failure; the outbound service records the message as failed."""
    callback = public_url(reverse("sms_channel:status"))
    return provider().send(message.to, message.body, callback)


def _required(params: Mapping[str, str], *names: str) -> list[str]:
    values = [params.get(name, "").strip() for name in names]
    missing = [name for name, value in zip(names, values, strict=True) if not value]
    if missing:
        raise DomainError(
            "sms.malformed",
            _("The callback lacks required fields."),
            status=422,
            missing=missing,
        )
    if len(values[0]) > MAX_SID:
        raise DomainError("sms.malformed", _("The message id is too long."), status=422)
    return values


def _apply(receipt: SmsReceipt) -> bool:
    """Carry a final status to the outbound message; False if the send has not landed yet."""
    if receipt.status not in FINAL:
        return False
    reason = f"sms.{receipt.error_code}" if receipt.error_code else ""
    return bool(
        outbound.mark_delivered(receipt.sid, delivered=receipt.status in DELIVERED, reason=reason)
    )


@transaction.atomic
def receive_status(params: Mapping[str, str]) -> SmsReceipt:
    """A delivery receipt (``MessageSid``, ``MessageStatus``, ``ErrorCode``). Receipts can
    arrive twice or out of order: the furthest status wins."""
    sid, status = _required(params, "MessageSid", "MessageStatus")
    status = status.lower()
    if status not in STATUS_RANK:
        raise DomainError("sms.status_unknown", _("Unknown message status."), status=422)
    receipt, created = SmsReceipt.objects.select_for_update().get_or_create(
        sid=sid, defaults={"status": status}
    )
    if not created and STATUS_RANK[status] < STATUS_RANK.get(receipt.status, 0):
        return receipt  # a late "sent" after "delivered"
    receipt.status = status
    receipt.error_code = params.get("ErrorCode", "").strip()[:20]
    receipt.updated_at = timezone.now()
    receipt.applied = _apply(receipt)
    receipt.save()
    events.publish(
        "sms.status_received", {"sid": sid, "status": status, "applied": receipt.applied}
    )
    return receipt


def apply_overtaken(since: dt.timedelta = dt.timedelta(days=1), limit: int = 1000) -> int:
    """Receipts that overtook their send (no message had the id yet) reach the message now
    that the send has landed. Run every minute; returns how many were applied."""
    cutoff = timezone.now() - since
    sids = list(
        SmsReceipt.objects.filter(applied=False, status__in=FINAL, updated_at__gte=cutoff)
        .filter(sid__in=OutboundMessage.objects.values("provider_ref"))
        .values_list("sid", flat=True)[:limit]
    )
    applied = 0
    for sid in sids:
        with transaction.atomic():
            receipt = SmsReceipt.objects.select_for_update().filter(sid=sid, applied=False).first()
            if receipt is None:
                continue
            receipt.applied = _apply(receipt)
            receipt.save(update_fields=["applied"])
            applied += receipt.applied
    return applied


@transaction.atomic
def receive_message(params: Mapping[str, str]) -> Recorded:
    """An inbound SMS (``MessageSid``, ``From``, ``To``, ``Body``): recorded on the sender's
    customer, once per ``MessageSid``. An opt-out keyword ("TD", "退订", "T", "STOP")
    withdraws marketing on every channel for that number, which binds the number itself so
    it survives the customer's deletion and a re-import."""
    sid, sender = _required(params, "MessageSid", "From")
    body = params.get("Body", "")
    opt_out = consent.is_unsubscribe_keyword(body)
    recorded = record_interaction(
        Contact(
            channel="sms",
            identifiers=[Incoming("phone", sender)],
            external_id=sid,
            content=body,
            outcome=gettext("Withdrew marketing consent") if opt_out else "",
            source="sms",
            meta={
                "to": params.get("To", "")[:40],
                "num_media": params.get("NumMedia", "0")[:4],
                "unsubscribe": opt_out,
            },
        )
    )
    if recorded.created and opt_out:
        consent.withdraw_by_identifier(
            "phone", sender, purpose=Purpose.MARKETING, channel=ANY_CHANNEL, source="sms-keyword"
        )
    return recorded
