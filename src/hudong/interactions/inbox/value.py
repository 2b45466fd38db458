"""Customer value for ordering and routing the inbox: a PROXY until the insights issue lands.

The proxy is the one of :mod:`hudong.interactions.tiers` (order total of the last twelve
months, cancelled orders excluded, cut at ``HUDONG_TIER_A`` / ``HUDONG_TIER_B``); this module
re-exports its per-customer functions and adds the same figure as a correlated subquery, so the
queue is ordered by value in the database (one indexed range read of ``Order(customer,
ordered_at)`` per open conversation) instead of loading every customer's orders in Python.
When ``CustomerValue`` rows exist, both places switch together.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    Case,
    DecimalField,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from hudong.commerce.models import Order, OrderStatus
from hudong.interactions.tiers import TIERS, YEAR, value_of, value_tier, value_tiers

__all__ = [
    "TIERS",
    "TOP_TIER",
    "annotate_tier",
    "annotate_value",
    "value_of",
    "value_tier",
    "value_tiers",
]

TOP_TIER = TIERS[0]
MONEY = DecimalField(max_digits=16, decimal_places=2)


def _cutoffs() -> tuple[Decimal, Decimal]:
    return Decimal(settings.HUDONG_TIER_A), Decimal(settings.HUDONG_TIER_B)


def _orders_of_the_year() -> QuerySet[Any]:
    since = timezone.now() - YEAR
    return (
        Order.objects.filter(customer_id=OuterRef("customer_id"), ordered_at__gte=since)
        .exclude(status=OrderStatus.CANCELLED)
        .order_by()
        .values("customer_id")
        .annotate(s=Sum("total"))
    )


def annotate_value(qs: QuerySet[Any], customer_field: str = "customer_id") -> QuerySet[Any]:
    """Add ``value_12m`` (the proxy figure) to each row of ``qs``, whose ``customer_field``
    holds the customer id."""
    total = _orders_of_the_year().values("s")[:1]
    if customer_field != "customer_id":
        total = total.filter(customer_id=OuterRef(customer_field))
    return qs.annotate(
        value_12m=Coalesce(
            Subquery(total, output_field=MONEY), Value(Decimal(0)), output_field=MONEY
        )
    )


def annotate_tier(qs: QuerySet[Any], customer_field: str = "customer_id") -> QuerySet[Any]:
    """Add ``tier_rank`` (0 = top tier; see :func:`tier_of_rank`) to each row of ``qs``.

    The tier is decided inside one correlated subquery (the sum is computed once per row, an
    index range read of ``Order(customer, ordered_at)``), so ordering a queue by it costs one
    small aggregate per waiting conversation, not three.
    """
    tier_a, tier_b = _cutoffs()
    rank = (
        _orders_of_the_year()
        .annotate(
            r=Case(
                When(s__gte=tier_a, then=Value(0)),
                When(s__gte=tier_b, then=Value(1)),
                default=Value(2),
                output_field=IntegerField(),
            )
        )
        .values("r")[:1]
    )
    if customer_field != "customer_id":
        rank = rank.filter(customer_id=OuterRef(customer_field))
    return qs.annotate(
        tier_rank=Coalesce(
            Subquery(rank, output_field=IntegerField()), Value(2), output_field=IntegerField()
        )
    )


def tier_of_rank(rank: int) -> str:
    return TIERS[rank]
