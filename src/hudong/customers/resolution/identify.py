"""identify(): whatever a caller typed or a switch delivered, to the customer it belongs to.

An identifier that is not shared names one customer. A shared one (a household or switchboard
number) names several, all returned as candidates. With no identifier match, a name in
characters, traditional characters or pinyin returns the customers of that name as candidates.
Everything is filtered by what the asking user may see; ``user=None`` is a trusted system caller.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Q, QuerySet

from hudong.core import scoping
from hudong.customers.models import Customer, Identifier
from hudong.customers.names import fold, has_cjk, latin_tokens
from hudong.customers.normalize import guesses

MAX_CANDIDATES = 20
MAX_QUERY = 200  # the longest text identify is asked (the API refuses longer ones)


@dataclass
class Identification:
    """``found`` with ``customer``; ``ambiguous`` with ``candidates``; or ``none``."""

    status: str
    customer: Customer | None = None
    candidates: list[Customer] = field(default_factory=list)
    matched_on: str = ""  # "phone", "email"..., or "name"


def _base(user: Any) -> QuerySet[Customer]:
    qs = Customer.objects.all() if user is None else scoping.visible(user, "customers")
    return qs.filter(merged_into__isnull=True).select_related("region", "owner", "organization")


def by_identifiers(pairs: Iterable[tuple[str, str]]) -> QuerySet[Identifier]:
    """The identifier rows whose (kind, normalised key) is one of ``pairs``."""
    match = Q()
    for kind, key in pairs:
        match |= Q(kind=kind, normalized=key)
    return Identifier.objects.filter(match) if match else Identifier.objects.none()


def name_filter(text: str) -> Q | None:
    """Customers whose name matches ``text`` in characters (simplified or traditional) or pinyin,
    from the start of the name: "张伟", "張偉", "zhang wei", "zhangw", "Wei Zhang"."""
    if has_cjk(text):
        key = fold(text)
        return Q(name_key__startswith=key) if key else None
    tokens = latin_tokens(text)
    if not tokens or sum(map(len, tokens)) < 2:
        return None
    joined = "".join(tokens)
    match = Q(name_pinyin__startswith=joined)
    if len(tokens) > 1:  # Latin names come in either order: Wei Zhang = Zhang Wei
        match |= Q(name_pinyin__startswith="".join(reversed(tokens)))
    return match


def identify(text: str, *, user: Any = None) -> Identification:
    """The customer behind ``text`` (an identifier in any spelling, or a name)."""
    keys = guesses(text)
    if keys:
        rows = by_identifiers(keys.items()).values_list("customer_id", "kind", "is_shared")
        owners = {cid for cid, _kind, _shared in rows}
        if owners:
            kinds = sorted({kind for _cid, kind, _shared in rows})
            found = list(_base(user).filter(pk__in=owners)[:MAX_CANDIDATES])
            return _result(found, ",".join(kinds))
    condition = name_filter(text)
    if condition is None:
        return Identification("none")
    return _result(list(_base(user).filter(condition).order_by("id")[:MAX_CANDIDATES]), "name")


def _result(found: list[Customer], matched_on: str) -> Identification:
    if not found:
        return Identification("none")
    if len(found) == 1:
        return Identification("found", customer=found[0], candidates=found, matched_on=matched_on)
    return Identification("ambiguous", candidates=found, matched_on=matched_on)
