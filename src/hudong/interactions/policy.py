"""The one function that decides whether, when and how a message may go to a customer.

Every outbound path (replies, notices, campaigns, on every channel) asks :func:`decide`. The
answer follows the customer's consent ledger, their contact policy and the company defaults:

* consent: the latest ledger entry for (purpose, channel) wins, an entry for "every channel"
  covers each channel; entries given for one of the customer's identifiers count too, so a
  withdrawal made from a phone survives the record's deletion and a re-import. Service
  messages are allowed unless withdrawn; marketing needs a grant (opt-in).
* frequency: at most N marketing messages in any rolling 7 days (customer's own N, else the
  company's).
* quiet hours: nothing proactive goes out in the customer's night; it waits for the morning.
  A reply inside a conversation the customer is holding open is not proactive.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from hudong.customers.models import Customer
from hudong.interactions.models import (
    ANY_CHANNEL,
    ConsentEntry,
    ContactPolicy,
    OutboundMessage,
    OutboundStatus,
    Purpose,
)

WEEK = dt.timedelta(days=7)


@dataclass(frozen=True)
class Decision:
    """``allowed`` now; else ``send_at`` (later) or refused with ``code``."""

    allowed: bool
    code: str = ""
    send_at: dt.datetime | None = None

    @property
    def deferred(self) -> bool:
        return not self.allowed and self.send_at is not None


def _parse_hours(text: str) -> tuple[dt.time, dt.time] | None:
    try:
        start, end = (dt.time.fromisoformat(part.strip()) for part in text.split("-"))
    except ValueError:
        return None
    return start, end


def _policy(customer: Customer) -> ContactPolicy | None:
    return ContactPolicy.objects.filter(customer=customer).first()


def consent_entries(customer: Customer, purpose: str) -> list[ConsentEntry]:
    """The ledger entries that speak for this customer and purpose ("" : every purpose),
    newest first."""
    keys = Q()
    # The customer page has the identifiers prefetched: reuse them rather than read again.
    for identifier in customer.identifiers.all():
        keys |= Q(identifier_kind=identifier.kind, identifier_key=identifier.normalized)
    who = Q(customer=customer)
    if keys:
        who |= keys
    qs = ConsentEntry.objects.filter(who)
    if purpose:
        qs = qs.filter(purpose=purpose)
    return list(qs.order_by("-at", "-id"))


def _latest(customer: Customer, channel: str, purpose: str) -> bool | None:
    """The customer's last word on ``purpose`` over ``channel``: granted, withdrawn or None."""
    for entry in consent_entries(customer, purpose):
        if entry.channel in (channel, ANY_CHANNEL):
            return entry.granted
    return None


def consent(customer: Customer, channel: str, purpose: str) -> bool:
    """Whether the customer currently agrees to ``purpose`` messages on ``channel``."""
    said = _latest(customer, channel, purpose)
    return purpose == Purpose.SERVICE if said is None else said


def quiet_until(policy: ContactPolicy | None, at: dt.datetime) -> dt.datetime | None:
    """The end of the quiet hours ``at`` falls in (customer's local time), or None."""
    hours = None
    if policy is not None and policy.quiet_start and policy.quiet_end:
        hours = (policy.quiet_start, policy.quiet_end)
    else:
        hours = _parse_hours(settings.HUDONG_QUIET_HOURS)
    if hours is None:
        return None
    start, end = hours
    zone = ZoneInfo(policy.timezone if policy is not None else settings.TIME_ZONE)
    local = at.astimezone(zone)
    now = local.time()
    quiet = (start <= now < end) if start < end else (now >= start or now < end)
    if not quiet:
        return None
    day = local.date() if now < end else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, end, tzinfo=zone)


def marketing_cap(policy: ContactPolicy | None) -> int:
    if policy is not None and policy.marketing_per_week is not None:
        return policy.marketing_per_week
    return settings.HUDONG_MARKETING_PER_WEEK


def _next_cap_slot(customer: Customer, cap: int, at: dt.datetime) -> dt.datetime | None:
    """When a marketing message fits under the cap again, or None if it fits now."""
    sent = list(
        OutboundMessage.objects.filter(
            customer=customer,
            purpose=Purpose.MARKETING,
            status__in=[OutboundStatus.SENT, OutboundStatus.DELIVERED],
            sent_at__gt=at - WEEK,
        )
        .order_by("-sent_at")
        .values_list("sent_at", flat=True)
    )
    if len(sent) < cap:
        return None
    if cap == 0:
        return at + dt.timedelta(days=3650)
    latest = sent[cap - 1]
    return (latest or at) + WEEK


def decide(
    customer: Customer,
    channel: str,
    purpose: str,
    *,
    at: dt.datetime | None = None,
    reply: bool = False,
) -> Decision:
    """May a ``purpose`` message go to ``customer`` on ``channel`` at ``at`` (default now)?"""
    at = at or timezone.now()
    said = _latest(customer, channel, purpose)
    if said is False:
        return Decision(False, "interactions.consent_withdrawn")
    if said is None and purpose == Purpose.MARKETING:
        return Decision(False, "interactions.no_consent")
    policy = _policy(customer)
    later: dt.datetime | None = None
    code = ""
    if purpose == Purpose.MARKETING:
        cap = marketing_cap(policy)
        slot = _next_cap_slot(customer, cap, at)
        if slot is not None:
            if cap == 0:
                return Decision(False, "interactions.frequency_cap")
            later, code = slot, "interactions.frequency_cap"
    if not (reply and purpose == Purpose.SERVICE):  # only a service reply is not proactive
        quiet = quiet_until(policy, later or at)
        if quiet is not None:
            later, code = quiet, "interactions.quiet_hours"
    if later is not None:
        return Decision(False, code, send_at=later)
    return Decision(True)


def preferred_channels(customer: Customer) -> list[str]:
    policy = _policy(customer)
    return list(policy.preferred_channels) if policy is not None else []


def summary(customer: Customer) -> dict[str, Any]:
    """What an agent needs to see of the policy on the customer page (three reads)."""
    policy = _policy(customer)
    entries = consent_entries(customer, "")
    start_end = None
    if policy is not None and policy.quiet_start and policy.quiet_end:
        start_end = f"{policy.quiet_start:%H:%M}-{policy.quiet_end:%H:%M}"

    def said(channel: str, purpose: str) -> bool:
        for entry in entries:
            if entry.purpose == purpose and entry.channel in (channel, ANY_CHANNEL):
                return entry.granted
        return purpose == Purpose.SERVICE

    channels = ("phone", "sms", "email", "wechat")
    return {
        "preferred_channels": list(policy.preferred_channels) if policy else [],
        "quiet_hours": start_end or settings.HUDONG_QUIET_HOURS,
        "marketing_per_week": marketing_cap(policy),
        "marketing": {ch: said(ch, Purpose.MARKETING) for ch in channels},
        "service": {ch: said(ch, Purpose.SERVICE) for ch in channels},
    }
