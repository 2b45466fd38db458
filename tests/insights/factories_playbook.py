"""Value rows and complaints for the playbook tests, with explicit numbers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from hudong.insights.models import CustomerValue
from hudong.interactions.models import Interaction


def value(customer: Any, tier: str = "C", **fields: Any) -> CustomerValue:
    """The customer's CustomerValue row as a run would leave it."""
    money = {k: Decimal(str(v)) for k, v in fields.items() if k.startswith(("revenue", "profit"))}
    rest = {k: v for k, v in fields.items() if k not in money}
    return CustomerValue.objects.create(
        customer=customer, tier=tier, computed_at=timezone.now(), **money, **rest
    )


def contact(
    customer: Any,
    *,
    days_ago: float = 10,
    outcome: str = "",
    purpose: str = "service",
    cost: str = "0",
) -> Interaction:
    return Interaction.objects.create(
        customer=customer,
        channel="phone",
        direction="in",
        initiator="customer",
        purpose=purpose,
        outcome=outcome,
        cost=Decimal(cost),
        started_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def complaints(customer: Any, n: int, *, days_ago: float = 10) -> None:
    for _ in range(n):
        contact(customer, days_ago=days_ago, outcome="complaint")
