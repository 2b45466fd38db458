"""Data quality (A5) and the drip dialogue (A6).

Every fact about a customer carries its source and when it was last verified. A fact older
than its freshness limit is stale: shown as such, counted against completeness, and asked
again. The key facts are the customer's phone and email, birth date and address, plus every
drip question marked as key data; completeness is the share of them that are present and
fresh. The drip dialogue proposes, at each contact, the first one or two questions (in the
admin's order) whose answer is missing or stale.
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from hudong.customers.models import Address, Customer, DripQuestion, Identifier

FIELD_KEYS = {"birth_date"}
IDENTIFIER_KEYS = {"email", "phone", "wechat"}


def stale_after_days() -> int:
    """The site's default freshness limit for a fact (``HUDONG_STALE_AFTER_DAYS``)."""
    return int(getattr(settings, "HUDONG_STALE_AFTER_DAYS", 365))


def cutoff(days: int | None = None, now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=days or stale_after_days())


def is_stale(verified_at: dt.datetime | None, days: int | None = None) -> bool:
    """Unverified facts count as stale: nobody has confirmed them."""
    return verified_at is None or verified_at < cutoff(days)


@dataclass(frozen=True)
class Fact:
    key: str
    present: bool
    stale: bool
    verified_at: dt.datetime | None = None

    @property
    def good(self) -> bool:
        return self.present and not self.stale


def _newest_identifier(customer: Customer, kind: str) -> Identifier | None:
    """The customer's identifier of ``kind`` confirmed (or, never confirmed, added) last, from
    prefetched rows: the one that says how fresh the customer's phone or email is."""
    rows = [i for i in customer.identifiers.all() if i.kind == kind]
    return max(rows, key=lambda i: i.verified_at or i.created_at) if rows else None


def _identifier_fact(customer: Customer, kind: str) -> Fact:
    newest = _newest_identifier(customer, kind)
    if newest is None:
        return Fact(kind, False, True)
    when = newest.verified_at or newest.created_at
    return Fact(kind, True, is_stale(when), when)


def facts(customer: Customer, questions: list[DripQuestion] | None = None) -> list[Fact]:
    """The key facts of ``customer``: present or not, fresh or stale (uses prefetched rows)."""
    questions = questions if questions is not None else active_questions()
    found = [_identifier_fact(customer, "phone"), _identifier_fact(customer, "email")]
    found.append(Fact("birth_date", customer.birth_date is not None, False))
    addresses = list(customer.addresses.all())
    newest = max((a.verified_at for a in addresses if a.verified_at), default=None)
    found.append(Fact("address", bool(addresses), bool(addresses) and is_stale(newest), newest))
    attributes = {a.key: a for a in customer.attributes.all()}
    seen = {f.key for f in found}
    for q in questions:
        if not q.is_key_data or q.key in seen:
            continue
        if q.key in IDENTIFIER_KEYS:
            found.append(_identifier_fact(customer, q.key))
            continue
        attr = attributes.get(q.key)
        stale = attr is not None and is_stale(attr.verified_at, q.stale_after_days)
        found.append(Fact(q.key, attr is not None, stale, attr.verified_at if attr else None))
    return found


@dataclass(frozen=True)
class Known:
    """What is on file for a question's key, shown beside a stale question so the agent asks
    the customer to confirm it instead of asking afresh for something the company has."""

    value: str
    verified_at: dt.datetime | None


def known(customer: Customer, key: str) -> Known | None:
    """The value on file for ``key`` (a field, the newest identifier of that kind, or an
    attribute), from prefetched rows; None when nothing is on file."""
    if key in FIELD_KEYS:
        value = getattr(customer, key, None)
        return Known(value.isoformat(), None) if value else None
    if key in IDENTIFIER_KEYS:
        newest = _newest_identifier(customer, key)
        return Known(newest.value, newest.verified_at) if newest is not None else None
    attr = next((a for a in customer.attributes.all() if a.key == key), None)
    return Known(attr.value, attr.verified_at) if attr is not None else None


def completeness(customer: Customer, questions: list[DripQuestion] | None = None) -> int:
    """Percent of the key facts that are present and fresh."""
    all_facts = facts(customer, questions)
    return round(100 * sum(f.good for f in all_facts) / len(all_facts)) if all_facts else 100


_QUESTIONS: tuple[float, list[DripQuestion]] | None = None
QUESTIONS_TTL = 30.0  # seconds: an admin's edit reaches every worker within this


def active_questions() -> list[DripQuestion]:
    """The active questions in the admin's order; read on every contact, so kept in memory
    briefly (edits in this process clear it at once, see ``forget_questions``)."""
    global _QUESTIONS
    now = time.monotonic()
    if _QUESTIONS is None or _QUESTIONS[0] < now:
        rows = list(DripQuestion.objects.filter(is_active=True).order_by("position", "id"))
        _QUESTIONS = (now + QUESTIONS_TTL, rows)
    return list(_QUESTIONS[1])


def forget_questions(**kwargs: Any) -> None:
    global _QUESTIONS
    _QUESTIONS = None


def stale_attributes(customer: Customer) -> set[str]:
    """Keys of the customer's attributes older than their limit (for the 360 view's badges)."""
    limits = {q.key: q.stale_after_days for q in active_questions()}
    return {a.key for a in customer.attributes.all() if is_stale(a.verified_at, limits.get(a.key))}


def proposals(
    customer: Customer, limit: int = 2, questions: list[DripQuestion] | None = None
) -> list[DripQuestion]:
    """The next one or two questions to ask this customer, in the admin's order: those whose
    answer is missing or stale."""
    questions = questions if questions is not None else active_questions()
    state = {f.key: f for f in facts(customer, [*questions])}
    attributes = {a.key: a for a in customer.attributes.all()}
    chosen: list[DripQuestion] = []
    for q in questions:
        fact = state.get(q.key)
        if fact is None:  # not key data: ask when missing or stale all the same
            attr = attributes.get(q.key)
            missing = attr is None or is_stale(attr.verified_at, q.stale_after_days)
        else:
            missing = not fact.good
        if missing:
            chosen.append(q)
        if len(chosen) >= limit:
            break
    return chosen


def worklist(customers: QuerySet[Customer], now: dt.datetime | None = None) -> QuerySet[Customer]:
    """Customers missing key data or holding stale data, most gaps first. ``customers`` is
    already scoped to what the user may see; the counting is done by the database."""
    limit = cutoff(now=now)
    fresh_phone = Identifier.objects.filter(
        Q(created_at__gte=limit) | Q(verified_at__gte=limit), customer=OuterRef("pk"), kind="phone"
    )
    has_email = Identifier.objects.filter(customer=OuterRef("pk"), kind="email")
    has_address = Address.objects.filter(customer=OuterRef("pk"))
    return (
        customers.annotate(
            has_phone=Exists(fresh_phone),
            has_email=Exists(has_email),
            has_address=Exists(has_address),
            stale_count=Count("attributes", filter=Q(attributes__verified_at__lt=limit)),
        )
        .filter(
            Q(has_phone=False)
            | Q(has_email=False)
            | Q(has_address=False)
            | Q(birth_date__isnull=True)
            | Q(stale_count__gt=0)
        )
        .order_by("-stale_count", "id")
    )


def gaps(row: Any) -> list[str]:
    """What a worklist row lacks, as keys for the page to translate."""
    missing = [k for k in ("phone", "email", "address") if not getattr(row, f"has_{k}")]
    if row.birth_date is None:
        missing.append("birth_date")
    if getattr(row, "stale_count", 0):
        missing.append("stale")
    return missing
