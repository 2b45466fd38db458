"""What contacts cost and where they should happen (B4, B6).

Each interaction carries its cost (the touchpoint's price, else the channel's per contact plus
agent minutes). From that: the volume and cost of each touchpoint, the cost to serve per
channel and per value tier, and a recommended channel per customer — personal contact for the
top tier, self-service for the bottom — that the 360 view shows and outbound messages follow
when the customer has not said what they prefer.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import Count, Q, Sum
from django.utils import timezone

from hudong.core import scoping
from hudong.customers.models import Customer
from hudong.interactions import tiers
from hudong.interactions.models import Interaction, Touchpoint


def recommended_channels(customer: Customer, tier: str | None = None) -> list[str]:
    """The channels the customer's tier is served on, best first."""
    tier = tier or tiers.value_tier(customer)
    return list(settings.HUDONG_TIER_CHANNELS.get(tier, settings.HUDONG_TIER_CHANNELS["C"]))


def recommended_channel(customer: Customer, tier: str | None = None) -> str:
    return recommended_channels(customer, tier)[0]


def touchpoint_volumes(user: Any, days: int = 30) -> list[dict[str, Any]]:
    """Every touchpoint with the contacts it saw recently, counted over what ``user`` may see."""
    since = timezone.now() - dt.timedelta(days=days)
    seen = scoping.visible(user, "interactions", Interaction.objects.all())
    counts = dict(
        seen.filter(started_at__gte=since, touchpoint__isnull=False)
        .values_list("touchpoint_id")
        .annotate(n=Count("id"))
        .values_list("touchpoint_id", "n")
    )
    return [
        {
            "code": t.code,
            "name": t.name,
            "channel": t.channel,
            "department": t.department,
            "cost_per_contact": t.cost_per_contact,
            "status": t.status,
            "contacts_30d": counts.get(t.pk, 0),
        }
        for t in Touchpoint.objects.order_by("channel", "code")
    ]


def _row(key: str, contacts: int, cost: Decimal, customers: int) -> dict[str, Any]:
    cent = Decimal("0.01")
    per = (cost / customers).quantize(cent) if customers else Decimal(0).quantize(cent)
    return {
        "key": key,
        "contacts": contacts,
        "cost": Decimal(cost).quantize(cent),
        "customers": customers,
        "cost_per_customer": per,
    }


def cost_to_serve(user: Any, *, days: int = 90) -> dict[str, list[dict[str, Any]]]:
    """Contacts and their cost by channel and by value tier, over what ``user`` may see."""
    since = timezone.now() - dt.timedelta(days=days)
    seen = scoping.visible(user, "interactions", Interaction.objects.all()).filter(
        started_at__gte=since
    )
    by_channel = [
        _row(r["channel"], r["n"], r["cost"] or Decimal(0), r["people"])
        for r in seen.values("channel")
        .annotate(n=Count("id"), cost=Sum("cost"), people=Count("customer", distinct=True))
        .order_by("channel")
    ]
    per_customer = list(
        seen.values("customer_id").annotate(n=Count("id"), cost=Sum("cost")).order_by()
    )
    tier_of = tiers.value_tiers(r["customer_id"] for r in per_customer)
    sums: dict[str, list[Any]] = defaultdict(lambda: [0, Decimal(0), 0])
    for r in per_customer:
        acc = sums[tier_of[r["customer_id"]]]
        acc[0] += r["n"]
        acc[1] += r["cost"] or Decimal(0)
        acc[2] += 1
    by_tier = [_row(t, *sums[t]) for t in tiers.TIERS]
    return {"by_channel": by_channel, "by_tier": by_tier}


def cost_of_customer(customer: Customer, *, days: int = 365) -> Decimal:
    """What serving this customer cost over the last ``days`` (the 360 view shows it)."""
    since = timezone.now() - dt.timedelta(days=days)
    total = Interaction.objects.filter(Q(customer=customer) & Q(started_at__gte=since)).aggregate(
        s=Sum("cost")
    )["s"]
    return total or Decimal(0)
