"""Permission-checked reads of customers. Everything a user sees goes through here."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from hudong.core import audit, scoping
from hudong.core.errors import NotFound
from hudong.customers.models import Customer
from hudong.customers.normalize import guesses
from hudong.customers.resolution.identify import by_identifiers, name_filter


def visible_customers(user: Any) -> QuerySet[Customer]:
    """Current customers the user may see (records merged into another are left out)."""
    qs = scoping.visible(user, "customers").filter(merged_into__isnull=True)
    return qs.select_related("region", "owner")


def search(user: Any, text: str) -> QuerySet[Customer]:
    """Customers visible to ``user`` whose identifier (in any spelling) or name (characters,
    traditional characters or pinyin) matches ``text``; the caller slices the page it shows."""
    qs = visible_customers(user)
    text = text.strip()
    if not text:
        return qs
    keys = guesses(text)
    match = Q(pk__in=by_identifiers(keys.items()).values("customer_id")) if keys else Q(pk__in=[])
    by_name = name_filter(text)
    if by_name is not None:
        match |= by_name
    if not keys and by_name is None:
        match |= Q(name__icontains=text)
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
