"""The 360 view as data: one customer with everything an agent needs at first sight.

The page and the API both read it from here, so they show the same thing. The customer's own
facts come from this app; every other area (orders, credit, later the timeline, cases and
value) contributes a panel through :mod:`hudong.customers.panels`.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet, prefetch_related_objects

from hudong.core import audit, scoping
from hudong.core.prepared import Prepared
from hudong.customers import panels, quality, queries
from hudong.customers.models import (
    Address,
    Attribute,
    Customer,
    CustomerKind,
    DripQuestion,
    Identifier,
)

IDENTIFIER_ORDER = ("kind", "id")
_PREFETCH = (
    Prefetch("identifiers", queryset=Identifier.objects.order_by(*IDENTIFIER_ORDER)),
    "addresses",
    "attributes",
)
# The same rows as prepared reads (the screen pop), in the order the prefetches give them.
_PREPARED: dict[str, Prepared[Any]] = {
    "identifiers": Prepared(
        lambda cid: Identifier.objects.filter(customer_id=cid).order_by(*IDENTIFIER_ORDER)
    ),
    "addresses": Prepared(lambda cid: Address.objects.filter(customer_id=cid)),
    "attributes": Prepared(lambda cid: Attribute.objects.filter(customer_id=cid)),
}


def load(user: Any, customer_id: int, *, via: str) -> Customer:
    """The customer with identifiers, addresses and attributes prefetched; the view audited.
    Out of scope or missing: ``customers.not_found``."""
    related = Customer.objects.select_related("region", "owner", "organization")
    return queries.get_customer(
        user, customer_id, via=via, queryset=related.prefetch_related(*_PREFETCH)
    )


def open_found(customer: Customer, *, via: str) -> Customer:
    """The 360 view of a customer that ``identify()`` already found within the user's scope:
    the same prefetches as :func:`load` without reading the record again."""
    prefetch_related_objects([customer], *_PREFETCH)
    audit.record_view(customer, customer_id=customer.pk, via=via)
    return customer


def open_prepared(customer: Customer, *, via: str) -> Customer:
    """:func:`open_found` with the related rows read through prepared SQL (the screen pop)."""
    for name, query in _PREPARED.items():
        _attach(customer, name, query(customer.pk))
    audit.record_view(customer, customer_id=customer.pk, via=via)
    return customer


def _attach(customer: Customer, name: str, rows: list[Any]) -> None:
    """Hand ``rows`` to ``customer.<name>.all()`` as a prefetch would (no query on access)."""
    related: QuerySet[Any] = QuerySet(model=Customer._meta.get_field(name).related_model)
    related._result_cache = rows  # type: ignore[attr-defined]
    related._prefetch_done = True  # type: ignore[attr-defined]
    cache = customer.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[name] = related


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def knowledge(customer: Customer, questions: list[DripQuestion]) -> dict[str, Any]:
    """Identifiers, addresses and attributes with their source and freshness."""
    limits = {q.key: q.stale_after_days for q in questions}
    return {
        "identifiers": [
            {
                "kind": i.kind,
                "value": i.value,
                "normalized": i.normalized,
                "is_shared": i.is_shared,
                "source": i.source,
                "verified_at": _iso(i.verified_at),
            }
            for i in customer.identifiers.all()
        ],
        "addresses": [
            {
                "kind": a.kind,
                "text": str(a),
                "postal_code": a.postal_code,
                "source": a.source,
                "verified_at": _iso(a.verified_at),
                "stale": quality.is_stale(a.verified_at),
            }
            for a in customer.addresses.all()
        ],
        "attributes": [
            {
                "category": a.category,
                "key": a.key,
                "value": a.value,
                "source": a.source,
                "verified_at": _iso(a.verified_at),
                "stale": quality.is_stale(a.verified_at, limits.get(a.key)),
            }
            for a in customer.attributes.all()
        ],
    }


# An organization's current contact people (each checked against the reader's scope).
_CONTACTS = Prepared(
    lambda oid: Customer.objects.filter(organization_id=oid, merged_into__isnull=True)
)


def _contacts(user: Any, customer: Customer, prepared: bool) -> list[Customer]:
    if customer.kind != CustomerKind.ORGANIZATION:
        return []
    if prepared:
        rows = _CONTACTS(customer.pk)
        verdicts = [
            scoping.admits(user, "customers", region_id=c.region_id, owner_id=c.owner_id)
            for c in rows
        ]
        if None not in verdicts:
            return [c for c, seen in zip(rows, verdicts, strict=True) if seen]
    return list(queries.visible_customers(user).filter(organization=customer))


def _known(found: quality.Known | None) -> dict[str, Any] | None:
    if found is None:
        return None
    return {"value": found.value, "verified_at": _iso(found.verified_at)}


def payload(user: Any, customer: Customer, *, prepared: bool = False) -> dict[str, Any]:
    """The whole 360 view as JSON-ready data (``prepared``: see :func:`panels.payload`)."""
    questions = quality.active_questions()
    org = customer.organization
    contacts = _contacts(user, customer, prepared)
    return {
        "id": customer.pk,
        "kind": customer.kind,
        "name": customer.name,
        "name_latin": customer.name_latin,
        "gender": customer.gender,
        "birth_date": _iso(customer.birth_date),
        "language": customer.language,
        "region": customer.region.code,
        "owner": customer.owner.get_username() if customer.owner else None,
        "organization": org and {"id": org.pk, "name": org.name},
        "job_title": customer.job_title,
        "contacts": [{"id": c.pk, "name": c.name, "job_title": c.job_title} for c in contacts],
        "credit_limit": str(customer.credit_limit),
        "currency": customer.currency,
        **knowledge(customer, questions),
        "completeness": quality.completeness(customer, questions),
        "questions": [
            {
                "key": q.key,
                "text": q.text,
                "answer_kind": q.answer_kind,
                "choices": [
                    {"value": value, "label": label}
                    for value, label in q.options(customer.language)
                ],
                "known": _known(quality.known(customer, q.key)),
            }
            for q in quality.proposals(customer, questions=questions)
        ],
        "panels": panels.payload(user, customer, prepared=prepared),
    }
