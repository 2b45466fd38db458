"""Prepared querysets give what the ORM gives, and the in-memory scope check agrees with the
database's: the screen pop's fast read stands on both."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.db.models import Q

from hudong.commerce.models import Order, Shipment
from hudong.core import scoping
from hudong.core.models import AccessRule, Role
from hudong.core.models.access import Scope
from hudong.core.prepared import Prepared
from hudong.customers.models import Customer, Identifier
from tests.factories import (
    CustomerFactory,
    IdentifierFactory,
    ShipmentFactory,
    TeamFactory,
    make_user,
)

pytestmark = pytest.mark.django_db

_SHIPMENTS = Prepared(
    lambda cid: (
        Shipment.objects.filter(order__customer_id=cid)
        .select_related("carrier", "order")
        .order_by("-shipped_at")
    )
)
_BY_KEY = Prepared(
    lambda key: Identifier.objects.filter(kind="phone", normalized=key).order_by("id"), text=True
)


def _fields(obj: Any) -> dict[str, Any]:
    return {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}


def test_a_prepared_read_gives_the_orms_instances_with_their_related_rows(
    customer_a: Any,
) -> None:
    # Given two shipments of the customer (with money and times to convert) and one of another
    for days in (1, 2):
        ShipmentFactory(
            order__customer=customer_a,
            order__total=Decimal("88.10"),
            shipped_at=dt.datetime(2026, 3, days, 9, 30, tzinfo=dt.UTC),
        )
    ShipmentFactory()
    # When both read the customer's shipments
    fast = _SHIPMENTS(customer_a.pk)
    slow = _SHIPMENTS.orm(customer_a.pk)
    # Then they are the same rows, in the same order, with the same values and related objects
    assert [_fields(s) for s in fast] == [_fields(s) for s in slow]
    assert len(fast) == 2 and fast[0].shipped_at > fast[1].shipped_at
    assert fast[0].shipped_at.tzinfo is not None
    assert [(s.order.number, s.order.total, s.carrier.name) for s in fast] == [
        (s.order.number, s.order.total, s.carrier.name) for s in slow
    ]
    assert fast[0].order.total == Decimal("88.10")


def test_the_same_prepared_read_serves_other_ids_and_text_keys(customer_a: Any) -> None:
    other = CustomerFactory()
    ShipmentFactory(order__customer=other)
    assert _SHIPMENTS(customer_a.pk) == []
    assert [s.order.customer_id for s in _SHIPMENTS(other.pk)] == [other.pk]
    row = IdentifierFactory(customer=customer_a, value="13800138000")
    assert [i.pk for i in _BY_KEY("+8613800138000")] == [row.pk]
    assert _BY_KEY("+8613900139000") == []


def test_a_prepared_read_takes_several_values_in_their_places(customer_a: Any) -> None:
    phone = IdentifierFactory(customer=customer_a, value="13800138000")
    email = IdentifierFactory(customer=customer_a, kind="email", normalized="a@example.com")
    either = Prepared(
        lambda k1, k2: Identifier.objects.filter(
            Q(kind="phone", normalized=k1) | Q(kind="email", normalized=k2)
        ).order_by("id"),
        text=True,
        values=2,
    )
    assert [i.pk for i in either("+8613800138000", "a@example.com")] == [phone.pk, email.pk]
    assert [i.pk for i in either("a@example.com", "+8613800138000")] == []
    assert [i.pk for i in either("+8600000000000", "a@example.com")] == [email.pk]


def test_a_queryset_it_cannot_run_faithfully_is_refused_when_first_used() -> None:
    with pytest.raises(ImproperlyConfigured):
        Prepared(lambda cid: Order.objects.filter(customer_id=cid).values("id"))(1)
    with pytest.raises(ImproperlyConfigured):  # the value never reaches the SQL
        Prepared(lambda cid: Order.objects.all()[:5])(1)
    with pytest.raises(ImproperlyConfigured):
        Prepared(lambda cid: Customer.objects.filter(pk=cid).prefetch_related("orders"))(1)


@pytest.mark.parametrize("scope", [s.value for s in Scope])
def test_the_in_memory_scope_check_agrees_with_the_database(
    scope: str, region_a: Any, region_b: Any
) -> None:
    # Given a rule of this scope and customers in and out of the user's region, ownership
    # and team
    team = TeamFactory()
    user = make_user(Role.AGENT, region_a, username="checker", team=team)
    mate = make_user(Role.AGENT, region_b, username="mate", team=team)
    AccessRule.objects.update_or_create(
        role=Role.AGENT, resource="customers", defaults={"scope": scope}
    )
    scoping.forget_rules()
    rows = [
        CustomerFactory(region=region_a),
        CustomerFactory(region=region_b),
        CustomerFactory(region=region_b, owner=user),
        CustomerFactory(region=region_b, owner=mate),
    ]
    seen = set(scoping.visible(user, "customers").values_list("pk", flat=True))
    # Then memory says what the database says, or declines (a team needs the database)
    for row in rows:
        verdict = scoping.admits(user, "customers", region_id=row.region_id, owner_id=row.owner_id)
        if scope == Scope.TEAM:
            assert verdict is None
        else:
            assert verdict == (row.pk in seen), (scope, row)
