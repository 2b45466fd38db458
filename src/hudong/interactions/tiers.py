"""A simple value tier per customer, until the insights engine computes the real one.

The proxy is the customer's order total over the last twelve months against two configurable
cut-offs (A at or above ``HUDONG_TIER_A``, B at or above ``HUDONG_TIER_B``, C below). It is
deliberately cheap (one indexed aggregate per customer, or one grouped read for many) so the
screen pop, routing and channel choice can all ask for it. When the insights issue writes
``CustomerValue`` rows, this module is the one place to switch over.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from hudong.commerce.models import Order
from hudong.customers.models import Customer

TIERS = ("A", "B", "C")
YEAR = dt.timedelta(days=365)


def _cut(total: Decimal) -> str:
    if total >= Decimal(settings.HUDONG_TIER_A):
        return "A"
    if total >= Decimal(settings.HUDONG_TIER_B):
        return "B"
    return "C"


def _orders_since() -> dt.datetime:
    return timezone.now() - YEAR


def value_of(customer: Customer) -> Decimal:
    """Order total of the last twelve months (cancelled orders excluded)."""
    total = (
        Order.objects.filter(customer=customer, ordered_at__gte=_orders_since())
        .exclude(status="cancelled")
        .aggregate(s=Sum("total"))["s"]
    )
    return total or Decimal(0)


def value_tier(customer: Customer) -> str:
    return _cut(value_of(customer))


def value_tiers(customer_ids: Iterable[int]) -> dict[int, str]:
    """Tier of each customer in one grouped read (customers without orders are C)."""
    ids = list(customer_ids)
    tiers = dict.fromkeys(ids, "C")
    for start in range(0, len(ids), 5000):
        chunk = ids[start : start + 5000]
        rows = (
            Order.objects.filter(customer_id__in=chunk, ordered_at__gte=_orders_since())
            .exclude(status="cancelled")
            .values("customer_id")
            .annotate(s=Sum("total"))
        )
        for row in rows:
            tiers[row["customer_id"]] = _cut(row["s"] or Decimal(0))
    return tiers
