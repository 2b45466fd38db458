"""The screen pop's read: a caller's number to the customer's whole 360 payload, fast.

A switch or a CTI integration asks ``GET /api/v1/identify?q=<number>`` for every call, and
the agent waits for the answer. Django's request cycle and the compilation of a dozen ORM
queries cost several times more than the reads themselves, so the common case (the number
names one customer the token's user may see) is answered here with prepared SQL
(:mod:`hudong.core.prepared`) by the same functions that build the API's payload:
:func:`identify`'s lookup, the 360 view's rows, the panels' prepared contexts, the audit row of
the view. Everything else (a name, a shared number, no match, a customer out of scope, a bad
token) returns None and takes the ordinary API route, which answers it with the same codes as
ever. A test compares both routes' answers field by field.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from hudong.api.auth import user_for_token
from hudong.api.types import no_control_chars
from hudong.core import scoping
from hudong.core.context import acting_as
from hudong.core.prepared import Prepared
from hudong.customers import view360
from hudong.customers.models import Customer, Identifier
from hudong.customers.normalize import guesses
from hudong.customers.resolution.identify import MAX_QUERY


def _lookup(kinds: tuple[str, ...]) -> Prepared[Identifier]:
    """One read of the identifier rows matching any of ``kinds`` with its key (the kinds a
    number could be: phone, WeChat id, loyalty card, ERP id)."""

    def build(*keys: str) -> QuerySet[Identifier]:
        match = Q()
        for kind, key in zip(kinds, keys, strict=True):
            match |= Q(kind=kind, normalized=key)
        return Identifier.objects.filter(match).order_by("id")

    return Prepared(build, text=True, values=len(kinds))


_LOOKUPS: dict[tuple[str, ...], Prepared[Identifier]] = {}
_CUSTOMER = Prepared(
    lambda cid: Customer.objects.filter(pk=cid, merged_into__isnull=True).select_related(
        "region", "owner", "organization"
    )
)


def _the_one(user: Any, text: str) -> tuple[Customer, str] | None:
    """The single customer ``text`` names through an unshared match, if ``user`` may see
    them; None for anything the ordinary route must decide."""
    owners: set[int] = set()
    kinds: set[str] = set()
    keys = guesses(text)
    if not keys:
        return None
    signature = tuple(keys)
    lookup = _LOOKUPS.get(signature) or _LOOKUPS.setdefault(signature, _lookup(signature))
    for row in lookup(*keys.values()):
        owners.add(row.customer_id)
        kinds.add(row.kind)
    if len(owners) != 1:
        return None
    found = _CUSTOMER(owners.pop())
    if not found:
        return None
    customer = found[0]
    visible = scoping.admits(
        user, "customers", region_id=customer.region_id, owner_id=customer.owner_id
    )
    return (customer, ",".join(sorted(kinds))) if visible is True else None


def answer(token: str, text: str, path: str) -> dict[str, Any] | None:
    """The identify answer for a found customer (the API's shape), or None: ask the API. The
    caller activates the request's language, as Django's locale middleware would."""
    try:
        no_control_chars(text)
    except ValueError:
        return None
    if not 1 <= len(text) <= MAX_QUERY:
        return None
    user = user_for_token(token)
    if user is None:
        return None
    via = f"API GET {path}"
    with acting_as(user, via):
        match = _the_one(user, text)
        if match is None:
            return None
        customer, matched_on = match
        view360.open_prepared(customer, via=via)
        return {
            "status": "found",
            "matched_on": matched_on,
            "customer": view360.payload(user, customer, prepared=True),
            "candidates": [
                {
                    "id": customer.pk,
                    "name": customer.name,
                    "name_latin": customer.name_latin,
                    "region": customer.region.code,
                }
            ],
        }
