"""A simple value tier per customer, until the insights engine computes the real one.

The proxy is the customer's order total over the last twelve months against two configurable
cut-offs (A at or above ``HUDONG_TIER_A``, B at or above ``HUDONG_TIER_B``, C below). It is
deliberately cheap (one indexed aggregate per customer, or one grouped read for many) so the
screen pop, routing and channel choice can all ask for it.

The insights area, above this one, computes the real tier every night. It registers itself as
the tier *source* at start-up (:func:`use_source`); a customer it has a row for gets that tier,
a customer it has not reached yet (new today) gets the proxy. This keeps dependencies pointing
down: interactions never imports insights.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from decimal import Decimal

from django.conf import settings
from django.db.models import Sum
from django.utils import timezone

from hudong.commerce.models import Order
from hudong.customers.models import Customer

TIERS = ("A", "B", "C")
YEAR = dt.timedelta(days=365)

# Given customer ids, the tiers a higher area knows (ids it does not know are left out).
TierSource = Callable[[list[int]], dict[int, str]]
_source: TierSource | None = None


def use_source(source: TierSource | None) -> None:
    """Let a higher area (insights) answer tiers; ``None`` goes back to the proxy."""
    global _source
    _source = source


def _known(ids: list[int]) -> dict[int, str]:
    return _source(ids) if _source is not None and ids else {}


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
    known = _known([customer.pk])
    return known[customer.pk] if customer.pk in known else _cut(value_of(customer))


def value_tiers(customer_ids: Iterable[int]) -> dict[int, str]:
    """Tier of each customer in one grouped read (customers without orders are C)."""
    ids = list(customer_ids)
    known = _known(ids)
    tiers = dict.fromkeys(ids, "C")
    tiers.update(known)
    ids = [i for i in ids if i not in known]
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
