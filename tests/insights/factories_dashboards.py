"""A small shop in two regions whose dashboard numbers a person can count by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from hudong.core.models import Role
from hudong.interactions.models import Interaction
from tests.factories import CustomerFactory, OrderFactory, RegionFactory, make_user

AS_OF = dt.datetime(2026, 6, 15, 12, 0, tzinfo=dt.UTC)
RANGE = {"from": "2026-01", "to": "2026-06"}


def at(y: int, m: int, d: int, h: int = 10) -> dt.datetime:
    return dt.datetime(y, m, d, h, 0, tzinfo=dt.UTC)


def order(customer: Any, when: dt.datetime, total: str, status: str = "delivered") -> Any:
    return OrderFactory(customer=customer, ordered_at=when, total=Decimal(total), status=status)


def contact(customer: Any, when: dt.datetime, channel: str, cost: str) -> Any:
    return Interaction.objects.create(
        customer=customer,
        channel=channel,
        direction="in",
        initiator="customer",
        started_at=when,
        cost=Decimal(cost),
    )


def shop() -> dict[str, Any]:
    """east: e1 (three orders), e2 (one), e3 (none, created in April); west: w1 (two kept and
    one cancelled), w2 (two orders a day apart, owned by a sales user)."""
    east, west = RegionFactory(code="east", name="East"), RegionFactory(code="west", name="West")
    sales = make_user(Role.SALES, west, username="sales-west")
    e1 = CustomerFactory(region=east, name="东一", created_at=at(2026, 1, 10))
    e2 = CustomerFactory(region=east, name="=HYPERLINK(1)", created_at=at(2026, 3, 15))
    e3 = CustomerFactory(region=east, name="东三", created_at=at(2026, 4, 1))
    w1 = CustomerFactory(region=west, name="西一", created_at=at(2026, 2, 1))
    w2 = CustomerFactory(region=west, name="西二", owner=sales, created_at=at(2026, 4, 5))
    order(e1, at(2026, 3, 5), "100.00")
    order(e1, at(2026, 4, 2), "200.00")
    order(e1, at(2026, 4, 20), "50.00")
    order(e2, at(2026, 3, 20), "80.00")
    order(w1, at(2026, 3, 10), "300.00")
    order(w1, at(2026, 4, 10), "999.00", status="cancelled")
    order(w1, at(2026, 5, 10), "120.00")
    order(w2, at(2026, 4, 6), "60.00")
    order(w2, at(2026, 4, 7), "40.00")
    order(e1, at(2026, 7, 1), "70.00")  # after the run's date: never counted
    contact(e1, at(2026, 4, 3), "phone", "6.00")
    contact(e1, at(2026, 4, 4), "email", "0.50")
    contact(e3, at(2026, 4, 1, 10), "phone", "4.00")  # the contact that created e3
    contact(w2, at(2026, 5, 1), "sms", "0.10")
    return {
        "east": east, "west": west, "sales": sales,
        "e1": e1, "e2": e2, "e3": e3, "w1": w1, "w2": w2,
    }  # fmt: skip
