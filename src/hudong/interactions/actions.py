"""Every write of the interactions area: recording a contact, moving a conversation's
breakpoint, logging a visit or a letter by hand. One atomic function per use case; each
publishes its domain event in the same transaction.

Every channel (email, SMS, chat, telephony, webhooks, the manual form) records through
:func:`record_interaction`, which finds or creates the customer from the identifiers the
contact came with (deterministic resolution, so a new phone and a known email arriving
together prove they are one person), threads the contact, prices it and publishes
``interactions.recorded``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.core import events
from hudong.core.errors import DomainError
from hudong.core.models import Region
from hudong.customers.models import Customer
from hudong.customers.resolution.ingest import Incoming, ingest
from hudong.interactions.models import (
    OPEN_STATES,
    Channel,
    ChannelCost,
    ContactKind,
    Direction,
    Initiator,
    Interaction,
    Purpose,
    Thread,
    ThreadState,
    Touchpoint,
)

MANUAL_CHANNELS = (Channel.FACE, Channel.POSTAL, Channel.FAX, Channel.PHONE)


@dataclass
class Contact:
    """One contact as a channel adapter saw it."""

    channel: str
    direction: str = Direction.INBOUND
    identifiers: list[Incoming] = field(default_factory=list)
    customer: Customer | None = None  # when the caller already knows who it is
    name: str = ""  # what a new customer is called ("" : the identifier it came with)
    region_code: str = ""
    initiator: str = ""  # default: the customer for inbound, the company for outbound
    kind: str = ContactKind.PERSONAL
    purpose: str = Purpose.SERVICE
    subject: str = ""
    content: str = ""
    outcome: str = ""
    started_at: dt.datetime | None = None
    ended_at: dt.datetime | None = None
    duration_seconds: int | None = None
    agent: Any = None
    external_id: str = ""
    # Threading: an explicit conversation, the channel's conversation key, or the channel ids
    # of earlier contacts this one answers (an email's In-Reply-To and References).
    thread: Thread | None = None
    thread_ref: str = ""
    replies_to: list[str] = field(default_factory=list)
    new_thread: bool = False
    skill: str = ""
    touchpoint: str = ""  # a touchpoint code
    meta: dict[str, Any] = field(default_factory=dict)
    source: str = ""


@dataclass
class Recorded:
    interaction: Interaction
    created: bool
    customer_created: bool = False


def default_region_code() -> str:
    """Where a customer first met on a channel is placed: the configured region, else the
    first one (a one-region company never has to configure it)."""
    code = settings.HUDONG_DEFAULT_REGION
    if code:
        return code
    first = Region.objects.order_by("id").values_list("code", flat=True).first()
    if first is None:
        raise DomainError("interactions.no_region", _("No region is set up yet."), status=409)
    return first


def _customer(contact: Contact) -> tuple[Customer, bool]:
    if contact.customer is not None:
        return contact.customer, False
    if not contact.identifiers:
        raise DomainError(
            "interactions.customer_unknown",
            _("A contact needs a customer or an identifier to find one by."),
            status=422,
        )
    name = contact.name.strip() or contact.identifiers[0].raw.strip()
    found = ingest(
        contact.identifiers,
        create={"name": name[:200], "region_code": contact.region_code or default_region_code()},
        source=contact.source or contact.channel,
    )
    return found.customer, found.created


def _thread(contact: Contact, customer: Customer, at: dt.datetime) -> Thread:
    if contact.thread is not None:
        return contact.thread
    if contact.replies_to:
        earlier = (
            Interaction.objects.filter(  # channel and non-empty id: the partial unique index
                channel=contact.channel, external_id__in=contact.replies_to[-50:]
            )
            .exclude(external_id="")
            .exclude(thread=None)
            .order_by("-started_at")
            .first()
        )
        if earlier is not None and earlier.thread is not None:
            return earlier.thread
    if contact.thread_ref:
        known = Thread.objects.filter(external_ref=contact.thread_ref, customer=customer).first()
        if known is not None:
            return known
    if not contact.new_thread:
        # The conversation continues where it stopped, whatever the channel: the customer's
        # latest open conversation, if it moved recently.
        since = at - dt.timedelta(days=settings.HUDONG_THREAD_CONTINUE_DAYS)
        latest = (
            Thread.objects.filter(
                customer=customer, state__in=OPEN_STATES, last_activity_at__gte=since
            )
            .order_by("-last_activity_at")
            .first()
        )
        if latest is not None:
            return latest
    return Thread.objects.create(
        customer=customer,
        channel=contact.channel,
        subject=contact.subject[:200],
        external_ref=contact.thread_ref[:250],
        skill=contact.skill,
        language=customer.language,
        opened_at=at,
        last_activity_at=at,
    )


def _advance(thread: Thread, interaction: Interaction) -> None:
    """A contact moves the breakpoint: the customer spoke, so it is our turn, and vice versa."""
    changed = ["last_activity_at", "state", "closed_at"]
    thread.last_activity_at = max(thread.last_activity_at, interaction.started_at)
    if interaction.direction == Direction.INBOUND:
        thread.state = ThreadState.WAITING_US
    else:
        thread.state = ThreadState.WAITING_CUSTOMER
        if thread.first_response_at is None:
            thread.first_response_at = interaction.started_at
            changed.append("first_response_at")
    thread.closed_at = None
    if thread.customer_id != interaction.customer_id:  # a merge moved the contact
        thread.customer_id = interaction.customer_id
        changed.append("customer")
    thread.save(update_fields=changed)


def contact_cost(channel: str, seconds: int, touchpoint: Touchpoint | None) -> Decimal:
    """The touchpoint's own price, else the channel's price plus agent minutes."""
    if touchpoint is not None and touchpoint.cost_per_contact:
        return touchpoint.cost_per_contact
    cost = ChannelCost.objects.filter(channel=channel).first()
    if cost is None:
        return Decimal(0)
    minutes = Decimal(seconds) / Decimal(60)
    return (cost.cost_per_contact + cost.cost_per_minute * minutes).quantize(Decimal("0.01"))


def _times(contact: Contact) -> tuple[dt.datetime, dt.datetime | None, int]:
    started = contact.started_at or timezone.now()
    ended = contact.ended_at
    seconds = contact.duration_seconds
    if seconds is None:
        seconds = int((ended - started).total_seconds()) if ended else 0
    if ended is None and seconds:
        ended = started + dt.timedelta(seconds=seconds)
    return started, ended, max(seconds, 0)


def _existing(contact: Contact) -> Interaction | None:
    if not contact.external_id:
        return None
    # The exclude names the condition of the unique partial index (channel, external_id), so
    # the database searches that index instead of scanning every interaction.
    return (
        Interaction.objects.filter(channel=contact.channel, external_id=contact.external_id)
        .exclude(external_id="")
        .first()
    )


@transaction.atomic
def record_interaction(contact: Contact) -> Recorded:
    """Record one contact on the customer it belongs to. The same channel id twice records once."""
    if contact.channel not in Channel.values or contact.direction not in Direction.values:
        raise DomainError("interactions.channel_unknown", _("Unknown channel."), status=422)
    existing = _existing(contact)
    if existing is not None:
        return Recorded(existing, created=False)
    customer, customer_created = _customer(contact)
    started, ended, seconds = _times(contact)
    thread = _thread(contact, customer, started)
    touchpoint = (
        Touchpoint.objects.filter(code=contact.touchpoint).first() if contact.touchpoint else None
    )
    inbound = contact.direction == Direction.INBOUND
    values = {
        "customer": customer,
        "thread": thread,
        "channel": contact.channel,
        "direction": contact.direction,
        "initiator": contact.initiator or (Initiator.CUSTOMER if inbound else Initiator.COMPANY),
        "kind": contact.kind,
        "purpose": contact.purpose,
        "agent": contact.agent,
        "touchpoint": touchpoint,
        "started_at": started,
        "ended_at": ended,
        "duration_seconds": seconds,
        "subject": contact.subject[:250],
        "content": contact.content,
        "outcome": contact.outcome[:200],
        "cost": contact_cost(contact.channel, seconds, touchpoint),
        "identifier_used": contact.identifiers[0].raw[:200] if contact.identifiers else "",
        "external_id": contact.external_id[:250],
        "meta": contact.meta,
    }
    try:
        with transaction.atomic():
            interaction = Interaction.objects.create(**values)
    except IntegrityError:
        # The same contact arrived twice at once; the other delivery recorded it.
        again = _existing(contact)
        if again is None:
            raise
        return Recorded(again, created=False)
    _advance(thread, interaction)
    events.publish(
        "interactions.recorded",
        {
            "interaction_id": interaction.pk,
            "customer_id": customer.pk,
            "thread_id": thread.pk,
            "channel": interaction.channel,
            "direction": interaction.direction,
            "customer_created": customer_created,
        },
    )
    return Recorded(interaction, created=True, customer_created=customer_created)


@transaction.atomic
def set_breakpoint(
    thread: Thread,
    *,
    user: Any,
    state: str | None = None,
    next_step: str | None = None,
    due: dt.datetime | None = None,
    clear_due: bool = False,
) -> Thread:
    """Say where a conversation stands and what happens next (the breakpoint)."""
    if state is not None and state not in ThreadState.values:
        raise DomainError(
            "interactions.state_unknown", _("Unknown conversation state."), status=422
        )
    if state is not None:
        thread.state = state
        thread.closed_at = timezone.now() if state == ThreadState.CLOSED else None
    if next_step is not None:
        thread.next_step = next_step.strip()[:300]
    if due is not None or clear_due:
        thread.next_step_due = due
    thread.save()
    events.publish(
        "interactions.breakpoint_set",
        {"thread_id": thread.pk, "customer_id": thread.customer_id, "state": thread.state},
    )
    return thread


@transaction.atomic
def log_manual(
    customer: Customer,
    *,
    user: Any,
    channel: str,
    direction: str,
    subject: str,
    content: str,
    outcome: str = "",
    duration_seconds: int = 0,
    started_at: dt.datetime | None = None,
    next_step: str = "",
    next_step_due: dt.datetime | None = None,
) -> Interaction:
    """An agent writes down a visit, a letter, a fax or a call the switch did not see."""
    if channel not in MANUAL_CHANNELS:
        raise DomainError(
            "interactions.channel_not_manual",
            _("This channel records its contacts by itself."),
            status=422,
        )
    recorded = record_interaction(
        Contact(
            channel=channel,
            direction=direction,
            customer=customer,
            subject=subject,
            content=content,
            outcome=outcome,
            duration_seconds=duration_seconds,
            started_at=started_at,
            agent=user,
            source="manual",
        )
    )
    interaction = recorded.interaction
    if (next_step or next_step_due) and interaction.thread is not None:
        set_breakpoint(interaction.thread, user=user, next_step=next_step, due=next_step_due)
    return interaction
