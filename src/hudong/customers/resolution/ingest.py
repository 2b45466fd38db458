"""Deterministic resolution when a record arrives (an import row, a channel contact, the API).

The record's identifiers are normalised; those that are not shared point at the customers who
already own them. None: a new customer is created. One: that customer is the one. Several: the
record proves they are one person (this phone is A's, this email is B's, and they arrived
together), so the others are merged into the oldest, losslessly. Shared identifiers (a
household landline) are attached but never used to find or merge anyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from hudong.customers.models import Customer, Identifier, MergeRecord
from hudong.customers.normalize import normalize
from hudong.customers.resolution import merge as merging


@dataclass(frozen=True)
class Incoming:
    kind: str
    raw: str
    shared: bool = False


@dataclass
class Ingested:
    customer: Customer
    created: bool
    merges: list[MergeRecord] = field(default_factory=list)
    added: int = 0


def owners(keys: list[tuple[str, str]]) -> list[Customer]:
    """Current customers owning any of these (kind, key) pairs as unshared identifiers."""
    from hudong.customers.resolution.identify import by_identifiers

    ids = by_identifiers(keys).filter(is_shared=False).values("customer_id")
    return list(Customer.objects.filter(pk__in=ids, merged_into__isnull=True).order_by("id"))


@transaction.atomic
def ingest(
    identifiers: list[Incoming],
    *,
    create: dict[str, Any],
    user: Any = None,
    source: str = "",
) -> Ingested:
    """Find or create the customer these identifiers belong to.

    ``create`` holds what a new customer is made of (``name``, ``region_code`` and other
    fields of :func:`hudong.customers.actions.create_customer`). Invalid identifiers raise
    ``customers.identifier_invalid`` before anything is written.
    """
    from hudong.customers import actions

    keyed = [(i, normalize(i.kind, i.raw)) for i in identifiers]
    unshared = sorted({(i.kind, key) for i, key in keyed if not i.shared})
    found = owners(unshared)
    if not found:
        customer = actions.create_customer(user=user, source=source, **create)
        result = Ingested(customer, created=True)
    else:
        customer, others = found[0], found[1:]
        result = Ingested(customer, created=False)
        for other in others:
            result.merges.append(merging.merge(customer, other, reason="deterministic"))
    have = set(
        Identifier.objects.filter(customer=result.customer).values_list("kind", "normalized")
    )
    for incoming, key in keyed:
        if (incoming.kind, key) in have:
            continue
        actions.add_identifier(
            result.customer, incoming.kind, incoming.raw, shared=incoming.shared, source=source
        )
        have.add((incoming.kind, key))
        result.added += 1
    return result
