"""Builders for the segment tests: a value row, a complaint, an order of a category."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone

from hudong.commerce.models import OrderLine
from hudong.customers.models import Address, Attribute, Customer
from hudong.insights.models import CustomerValue
from hudong.interactions.models import Interaction
from tests.factories import CategoryFactory, OrderFactory, ProductFactory


def valued(customer: Customer, **fields: Any) -> CustomerValue:
    """Give a customer the value row a run would have written."""
    defaults: dict[str, Any] = {"computed_at": timezone.now(), "tier": "C"}
    defaults.update(fields)
    return CustomerValue.objects.update_or_create(customer=customer, defaults=defaults)[0]


def complaint(customer: Customer, days_ago: int = 1) -> Interaction:
    return Interaction.objects.create(
        customer=customer,
        channel="phone",
        direction="in",
        initiator="customer",
        outcome="complaint",
        started_at=timezone.now() - dt.timedelta(days=days_ago),
    )


def bought(customer: Customer, category_code: str, days_ago: int = 3, **order: Any) -> Any:
    category = CategoryFactory(code=category_code)
    product = ProductFactory(category=category)
    placed = OrderFactory(
        customer=customer, ordered_at=timezone.now() - dt.timedelta(days=days_ago), **order
    )
    OrderLine.objects.create(
        order=placed, product=product, quantity=1, unit_price=Decimal("99"), unit_cost=Decimal("60")
    )
    return placed


def lives_in(customer: Customer, city: str, *, default: bool = True) -> Address:
    return Address.objects.create(customer=customer, city=city, is_default=default)


def attribute(customer: Customer, key: str, value: str) -> Attribute:
    return Attribute.objects.create(customer=customer, key=key, value=value)
