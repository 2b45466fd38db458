"""Writes to the consent ledger: grants and withdrawals, by agents, forms, links and keywords.

Unsubscribe links carry a signed token (customer, channel, purpose) so a click needs no login
and cannot be forged for someone else. SMS keywords ("TD", "退订", "T", "STOP") withdraw
marketing consent for the number they came from.
"""

from __future__ import annotations

from typing import Any

from django.core import signing
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from hudong.core import events
from hudong.core.errors import DomainError
from hudong.customers.models import Customer, Identifier
from hudong.customers.normalize import normalize
from hudong.interactions.models import ANY_CHANNEL, Channel, ConsentEntry, Purpose

UNSUBSCRIBE_KEYWORDS = frozenset({"TD", "退订", "T", "STOP", "UNSUBSCRIBE", "退订全部"})
_SALT = "hudong.interactions.unsubscribe"


def is_unsubscribe_keyword(text: str) -> bool:
    """Whether an inbound message is an opt-out ("td", " 退订 ", "Stop" all count)."""
    return text.strip().strip("。.!！").upper() in UNSUBSCRIBE_KEYWORDS


def _check(channel: str, purpose: str) -> None:
    if purpose not in Purpose.values:
        raise DomainError("interactions.purpose_unknown", _("Unknown purpose."), status=422)
    if channel != ANY_CHANNEL and channel not in Channel.values:
        raise DomainError("interactions.channel_unknown", _("Unknown channel."), status=422)


@transaction.atomic
def record(
    customer: Customer | None,
    *,
    purpose: str,
    granted: bool,
    source: str,
    channel: str = ANY_CHANNEL,
    identifier: tuple[str, str] | None = None,
    note: str = "",
    user: Any = None,
) -> ConsentEntry:
    """Add one grant or withdrawal to the ledger (never edits an earlier entry)."""
    _check(channel, purpose)
    kind, key = identifier or ("", "")
    entry = ConsentEntry.objects.create(
        customer=customer,
        identifier_kind=kind,
        identifier_key=key,
        channel=channel,
        purpose=purpose,
        granted=granted,
        source=source[:100],
        note=note[:250],
        recorded_by=user if getattr(user, "is_authenticated", False) else None,
    )
    events.publish(
        "interactions.consent_changed",
        {
            "customer_id": customer.pk if customer else None,
            "purpose": purpose,
            "channel": channel,
            "granted": granted,
        },
    )
    return entry


def withdraw_by_identifier(
    kind: str, raw: str, *, purpose: str = Purpose.MARKETING, channel: str, source: str
) -> ConsentEntry:
    """A withdrawal that arrived from an address (an SMS "退订" from a number): it binds the
    number itself, and its current owner if there is one."""
    key = normalize(kind, raw)
    owner = (
        Identifier.objects.filter(kind=kind, normalized=key, is_shared=False)
        .select_related("customer")
        .first()
    )
    customer = owner.customer if owner is not None else None
    return record(
        customer,
        purpose=purpose,
        granted=False,
        source=source,
        channel=channel,
        identifier=(kind, key),
    )


def unsubscribe_token(customer: Customer, channel: str = ANY_CHANNEL) -> str:
    return signing.dumps({"c": customer.pk, "ch": channel}, salt=_SALT, compress=True)


def unsubscribe(token: str) -> ConsentEntry:
    """Withdraw marketing consent from a signed unsubscribe link."""
    try:
        data = signing.loads(token, salt=_SALT)
    except signing.BadSignature as exc:
        raise DomainError(
            "interactions.unsubscribe_invalid", _("This unsubscribe link is not valid."), status=400
        ) from exc
    customer = Customer.objects.filter(pk=data.get("c")).first()
    if customer is None:
        raise DomainError(
            "interactions.unsubscribe_invalid", _("This unsubscribe link is not valid."), status=400
        )
    while customer.merged_into_id is not None:
        customer = Customer.objects.get(pk=customer.merged_into_id)
    # Bound to the customer's email address too, so it survives deletion and re-import.
    email = (
        Identifier.objects.filter(customer=customer, kind="email")
        .order_by("-is_primary", "id")
        .values_list("normalized", flat=True)
        .first()
    )
    return record(
        customer,
        purpose=Purpose.MARKETING,
        granted=False,
        source="unsubscribe-link",
        channel=data.get("ch") or ANY_CHANNEL,
        identifier=("email", email) if email else None,
    )


POLICY_FIELDS = {
    "preferred_channels",
    "quiet_start",
    "quiet_end",
    "marketing_per_week",
    "language",
}


@transaction.atomic
def update_policy(customer: Customer, changes: dict[str, Any], *, user: Any = None) -> Any:
    """Change how the customer wants to be contacted (audited through the model)."""
    from hudong.interactions.models import ContactPolicy

    unknown = set(changes) - POLICY_FIELDS
    if unknown:
        raise DomainError("interactions.field_unknown", _("Unknown field."), status=422)
    channels = changes.get("preferred_channels") or []
    if any(c not in Channel.values for c in channels):
        raise DomainError("interactions.channel_unknown", _("Unknown channel."), status=422)
    if ("quiet_start" in changes) != ("quiet_end" in changes):
        raise DomainError(
            "interactions.quiet_hours_incomplete",
            _("Quiet hours need both a start and an end."),
            status=422,
        )
    found, _created = ContactPolicy.objects.get_or_create(customer=customer)
    for name, value in changes.items():
        if name == "preferred_channels":
            value = list(dict.fromkeys(value or []))  # null clears the preference
        elif name == "language":
            value = value or ""
        setattr(found, name, value)
    found.save()
    events.publish("interactions.policy_changed", {"customer_id": customer.pk})
    return found
