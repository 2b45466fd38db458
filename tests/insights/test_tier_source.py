"""Routing, channel choice and the screen pop use the computed tier once a run has made one."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from hudong.insights.models import CustomerValue
from hudong.interactions import tiers
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db


def test_a_computed_tier_wins_over_the_order_total_proxy() -> None:
    # Given a customer whose last-year orders make them C by the proxy...
    customer = CustomerFactory()
    OrderFactory(customer=customer, total=Decimal("10.00"))
    assert tiers.value_tier(customer) == "C"
    # ...when the nightly run finds them in tier A (their margin, not their turnover)
    CustomerValue.objects.create(customer=customer, tier="A", computed_at=timezone.now())

    # Then every area asks and gets A
    assert tiers.value_tier(customer) == "A"
    assert tiers.value_tiers([customer.pk]) == {customer.pk: "A"}


def test_a_customer_the_run_has_not_reached_gets_the_proxy() -> None:
    # Given a customer created after the last run, with a big order today
    rich = CustomerFactory()
    OrderFactory(
        customer=rich, total=Decimal("99999.00"), ordered_at=timezone.now() - dt.timedelta(hours=1)
    )
    other = CustomerFactory()
    CustomerValue.objects.create(customer=other, tier="B", computed_at=timezone.now())

    assert tiers.value_tiers([rich.pk, other.pk]) == {rich.pk: "A", other.pk: "B"}
