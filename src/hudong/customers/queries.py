"""Permission-checked reads of customers. Everything a user sees goes through here."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from hudong.core import audit, scoping
from hudong.core.errors import NotFound
from hudong.customers import quality
from hudong.customers.models import Customer, MatchCandidate, MergeRecord
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


def get_customer(
    user: Any, customer_id: int, *, via: str, queryset: QuerySet[Customer] | None = None
) -> Customer:
    """One customer the user may see, with the view recorded; else ``customers.not_found``.
    ``queryset`` adds what the caller reads along (related rows, prefetches)."""
    qs = (
        visible_customers(user)
        if queryset is None
        else scoping.visible(user, "customers", queryset)
    )
    customer = qs.filter(pk=customer_id, merged_into__isnull=True).first()
    if customer is None:
        raise NotFound("customers.not_found")
    audit.record_view(customer, customer_id=customer.pk, via=via)
    return customer


def get_for_update(user: Any, customer_id: int) -> Customer:
    customer = visible_customers(user).filter(pk=customer_id).first()
    if customer is None:
        raise NotFound("customers.not_found")
    return customer


def mergeable_ids(user: Any) -> QuerySet[Customer]:
    """Customers the user may merge (see and hold the merge privilege over)."""
    return scoping.visible(user, "merges_allowed").filter(
        pk__in=visible_customers(user).values("pk")
    )


def review_queue(user: Any, status: str = "pending") -> QuerySet[MatchCandidate]:
    """Possible duplicates the user may decide on: both records within their merge scope."""
    allowed = mergeable_ids(user).values("pk")
    qs = MatchCandidate.objects.filter(left__in=allowed, right__in=allowed)
    if status:
        qs = qs.filter(status=status)
    return qs.select_related("left", "right", "left__region", "right__region")


def get_candidate(user: Any, candidate_id: int) -> MatchCandidate:
    candidate = review_queue(user, status="").filter(pk=candidate_id).first()
    if candidate is None:
        raise NotFound("customers.candidate_not_found")
    return candidate


def merges(user: Any) -> QuerySet[MergeRecord]:
    """Merges whose kept record the user may merge: the history they can undo."""
    allowed = mergeable_ids(user).values("pk")
    return MergeRecord.objects.filter(survivor__in=allowed).select_related("survivor", "merged")


def merge_record(user: Any, merge_id: int) -> MergeRecord:
    record = merges(user).filter(pk=merge_id).first()
    if record is None:
        raise NotFound("customers.merge_not_found")
    return record


def worklist(user: Any) -> QuerySet[Customer]:
    """The data-quality work list over the customers the user may see."""
    return quality.worklist(visible_customers(user))


def merged_redirect(user: Any, customer_id: int) -> int | None:
    """For an old link to a record merged away: the record it lives on in now, if visible."""
    target = (
        scoping.visible(user, "customers")
        .filter(pk=customer_id, merged_into__isnull=False)
        .values_list("merged_into_id", flat=True)
        .first()
    )
    while target is not None:
        row = Customer.objects.filter(pk=target).values_list("merged_into_id", flat=True).first()
        if row is None:
            break
        target = row
    if target is None or not visible_customers(user).filter(pk=target).exists():
        return None
    return int(target)
