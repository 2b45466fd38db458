"""Sending messages: every outbound path goes through :func:`queue` (or :func:`send_now`).

A message is written first, with the contact policy's verdict; only then does a channel's
sender deliver it, outside the database transaction (an SMTP or SMS gateway round trip must
not hold the write lock). Delivery asks the policy again: a customer who replied "退订" after
a campaign was queued gets nothing. Delivered messages become outbound interactions on the
customer's timeline.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.core.errors import DomainError
from hudong.customers.models import Customer, Identifier
from hudong.interactions import policy
from hudong.interactions.actions import Contact, record_interaction
from hudong.interactions.channels import Sender, sender_for, sending_channels
from hudong.interactions.models import (
    Direction,
    OutboundMessage,
    OutboundStatus,
    Thread,
)

log = logging.getLogger(__name__)


def address(customer: Customer, sender: Sender) -> str:
    """The customer's address on the sender's channel: the primary one, else the newest."""
    found = (
        Identifier.objects.filter(customer=customer, kind=sender.identifier_kind)
        .order_by("-is_primary", "is_shared", "-created_at")
        .values_list("normalized", flat=True)
        .first()
    )
    return found or ""


def choose_channel(customer: Customer, purpose: str) -> str:
    """The first channel that can send, reaches the customer and has their consent: their own
    preferences first, then the channels their value tier is served on, then any."""
    from hudong.interactions.costs import recommended_channels

    sendable = sending_channels()
    wanted = policy.preferred_channels(customer) + recommended_channels(customer) + sendable
    ranked = [c for c in dict.fromkeys(wanted) if c in sendable]
    for channel in ranked:
        sender = sender_for(channel)
        if sender and address(customer, sender) and policy.consent(customer, channel, purpose):
            return channel
    raise DomainError(
        "interactions.no_channel",
        _("The customer cannot be reached on any channel for this purpose."),
        status=409,
    )


def _apply(message: OutboundMessage, decision: policy.Decision) -> None:
    if decision.allowed:
        message.status, message.reason = OutboundStatus.QUEUED, ""
        message.send_after = timezone.now()
    elif decision.deferred:
        assert decision.send_at is not None
        message.status, message.reason = OutboundStatus.QUEUED, decision.code
        message.send_after = decision.send_at
    else:
        message.status, message.reason = OutboundStatus.REFUSED, decision.code


@transaction.atomic
def queue(
    customer: Customer,
    *,
    purpose: str,
    body: str,
    channel: str = "",
    subject: str = "",
    user: Any = None,
    thread: Thread | None = None,
    origin: str = "",
    reply: bool = False,
) -> OutboundMessage:
    """Ask for a message to go out. It is refused, deferred or queued now, by the policy."""
    from hudong.interactions.tasks import deliver_message

    if thread is not None and thread.customer_id != customer.pk:
        raise DomainError("interactions.thread_not_found", _("Conversation not found."), status=404)
    channel = channel or choose_channel(customer, purpose)
    sender = sender_for(channel)
    if sender is None:
        raise DomainError(
            "interactions.channel_cannot_send", _("This channel cannot send."), status=422
        )
    message = OutboundMessage(
        customer=customer,
        thread=thread,
        channel=channel,
        purpose=purpose,
        to=address(customer, sender),
        subject=subject[:250],
        body=body,
        requested_by=user if getattr(user, "is_authenticated", False) else None,
        origin=origin[:100],
        is_reply=reply,
    )
    if not message.to:
        message.status, message.reason = OutboundStatus.REFUSED, "interactions.no_address"
    else:
        _apply(message, policy.decide(customer, channel, purpose, reply=reply))
    message.save()
    if message.status == OutboundStatus.QUEUED and message.send_after <= timezone.now():
        deliver_message.enqueue(message.pk)
    return message


def send_now(customer: Customer, **kwargs: Any) -> OutboundMessage:
    """Queue and, if the policy allows it now, deliver at once (an agent's reply)."""
    message = queue(customer, **kwargs)
    if message.status == OutboundStatus.QUEUED and message.send_after <= timezone.now():
        deliver(message.pk)
        message.refresh_from_db()
    return message


def _claim(message_id: int) -> OutboundMessage | None:
    """Take a due message for delivery; None if another worker has it or it is not due."""
    with transaction.atomic():
        claimed = OutboundMessage.objects.filter(
            pk=message_id, status=OutboundStatus.QUEUED, send_after__lte=timezone.now()
        ).update(status=OutboundStatus.SENDING)
        if not claimed:
            return None
        message = OutboundMessage.objects.select_related("customer", "thread").get(pk=message_id)
        decision = policy.decide(
            message.customer, message.channel, message.purpose, reply=message.is_reply
        )
        if not decision.allowed:
            _apply(message, decision)
            message.save(update_fields=["status", "reason", "send_after"])
            return None
        return message


def deliver(message_id: int) -> str:
    """Hand one due message to its channel. Returns the message's status afterwards."""
    message = _claim(message_id)
    if message is None:
        return OutboundMessage.objects.filter(pk=message_id).values_list("status", flat=True)[0]
    sender = sender_for(message.channel)
    try:
        if sender is None:
            raise RuntimeError(f"no sender for {message.channel}")
        ref = sender.deliver(message)
    except Exception as exc:  # a provider's failure is the message's state, not a crash
        log.warning("outbound %s failed: %s", message.pk, exc)
        OutboundMessage.objects.filter(pk=message.pk).update(
            status=OutboundStatus.FAILED, reason=str(exc)[:60]
        )
        return OutboundStatus.FAILED
    _sent(message, ref)
    return OutboundStatus.SENT


@transaction.atomic
def _sent(message: OutboundMessage, ref: str) -> None:
    now = timezone.now()
    recorded = record_interaction(
        Contact(
            channel=message.channel,
            direction=Direction.OUTBOUND,
            customer=message.customer,
            purpose=message.purpose,
            subject=message.subject,
            content=message.body,
            started_at=now,
            agent=message.requested_by,
            external_id=ref,
            thread=message.thread,
            new_thread=message.thread is None and not message.is_reply,
            source="outbound",
            meta={"outbound_id": message.pk, "to": message.to, "origin": message.origin},
        )
    )
    OutboundMessage.objects.filter(pk=message.pk).update(
        status=OutboundStatus.SENT,
        sent_at=now,
        provider_ref=ref[:200],
        interaction=recorded.interaction,
    )


def release_due(limit: int = 1000) -> int:
    """Enqueue delivery of deferred messages whose time has come (run every minute)."""
    from hudong.interactions.tasks import deliver_message

    ids = list(
        OutboundMessage.objects.filter(
            status=OutboundStatus.QUEUED, send_after__lte=timezone.now()
        ).values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        deliver_message.enqueue(pk)
    return len(ids)


def mark_delivered(provider_ref: str, *, delivered: bool, reason: str = "") -> int:
    """A provider's delivery receipt (an SMS status callback, a bounce)."""
    status = OutboundStatus.DELIVERED if delivered else OutboundStatus.FAILED
    return OutboundMessage.objects.filter(provider_ref=provider_ref).update(
        status=status, reason=reason[:60]
    )
