"""Permission-checked reads of customers. Everything a user sees goes through here."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from hudong.core import audit, scoping
from hudong.core.errors import NotFound
from hudong.customers.models import Customer, Identifier
from hudong.customers.normalize import normalize


def visible_customers(user: Any) -> QuerySet[Customer]:
    return scoping.visible(user, "customers").select_related("region", "owner")


def search(user: Any, text: str) -> QuerySet[Customer]:
    """Customers visible to ``user`` whose name or any identifier matches ``text``; the caller
    slices the page it shows."""
    qs = visible_customers(user)
    text = text.strip()
    if not text:
        return qs
    keys = {text, text.lower()}
    for kind in ("phone", "email"):
        try:
            keys.add(normalize(kind, text))
        except Exception:  # not that kind of identifier: fine
            continue
    by_identifier = Identifier.objects.filter(normalized__in=keys).values("customer_id")
    match = Q(pk__in=by_identifier) | Q(name__icontains=text) | Q(name_latin__icontains=text)
    return qs.filter(match)


def get_customer(user: Any, customer_id: int, *, via: str) -> Customer:
    """One customer the user may see, with the view recorded; else ``customers.not_found``."""
    customer = visible_customers(user).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound("customers.not_found")
    audit.record_view(customer, customer_id=customer.pk, via=via)
    return customer


def get_for_update(user: Any, customer_id: int) -> Customer:
    customer = visible_customers(user).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound("customers.not_found")
    return customer
