"""Every write to customers: one atomic function per use case, with its domain event."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.core import events, scoping
from hudong.core.errors import DomainError, NotFound, PermissionDeniedError
from hudong.core.models import Region
from hudong.customers import quality
from hudong.customers.models import (
    AnswerKind,
    Attribute,
    Customer,
    DripQuestion,
    Identifier,
    MatchCandidate,
    MatchStatus,
    MergeRecord,
)
from hudong.customers.normalize import normalize
from hudong.customers.resolution import merge as merging

EDITABLE_FIELDS = {
    "name",
    "name_latin",
    "gender",
    "birth_date",
    "language",
    "job_title",
    "industry",
    "credit_limit",
    "currency",
    "is_target_account",
}


def _region(code: str) -> Region:
    region = Region.objects.filter(code=code).first()
    if region is None:
        raise DomainError("customers.region_unknown", _("Unknown region."), status=422)
    return region


NULLABLE_FIELDS = {"birth_date"}


def _check_place(user: Any, region: Region, owner_id: int | None) -> None:
    if user is not None and not scoping.may_place(
        user, "customers", region_id=region.pk, owner_id=owner_id
    ):
        raise PermissionDeniedError("customers.region_forbidden")


@transaction.atomic
def create_customer(
    *,
    user: Any,
    name: str,
    region_code: str,
    identifiers: list[tuple[str, str]] | None = None,
    **fields: Any,
) -> Customer:
    """Create a customer with its identifiers. An identifier already taken is refused.

    ``user`` is who asks (None for trusted system callers); they must be allowed to see a
    customer placed in that region, so nobody creates records they could not read back.
    """
    unknown = set(fields) - EDITABLE_FIELDS - {"kind", "source", "owner_id", "organization_id"}
    if unknown:
        raise DomainError("customers.field_unknown", _("Unknown field."), status=422)
    region = _region(region_code)
    if user is not None and scoping.scope_for(user, "customers") == "own":
        fields.setdefault("owner_id", user.pk)
    _check_place(user, region, fields.get("owner_id"))
    customer = Customer.objects.create(name=name, region=region, **fields)
    for kind, raw in identifiers or []:
        add_identifier(customer, kind, raw)
    events.publish("customers.customer_created", {"customer_id": customer.pk})
    return customer


@transaction.atomic
def update_customer(customer: Customer, changes: dict[str, Any], *, user: Any = None) -> Customer:
    """Apply field changes (audited by the model signal) and publish what changed."""
    unknown = set(changes) - EDITABLE_FIELDS - {"region_code"}
    if unknown:
        raise DomainError("customers.field_unknown", _("Unknown field."), status=422)
    blank = [k for k, v in changes.items() if v is None and k not in NULLABLE_FIELDS]
    if blank:
        raise DomainError(
            "customers.field_required", _("This field may not be empty."), status=422, fields=blank
        )
    if "region_code" in changes:
        region = _region(changes.pop("region_code"))
        _check_place(user, region, customer.owner_id)
        customer.region = region
        changes["region_id"] = region.pk
    for field, value in changes.items():
        setattr(customer, field, value)
    customer.save()
    events.publish(
        "customers.customer_updated",
        {"customer_id": customer.pk, "fields": sorted(changes)},
    )
    return customer


def add_identifier(
    customer: Customer, kind: str, raw: str, *, shared: bool = False, source: str = ""
) -> Identifier:
    key = normalize(kind, raw)
    try:
        with transaction.atomic():
            return Identifier.objects.create(
                customer=customer,
                kind=kind,
                value=raw.strip(),
                normalized=key,
                is_shared=shared,
                source=source,
            )
    except IntegrityError as exc:
        raise DomainError(
            "customers.identifier_taken",
            _("This identifier already belongs to another customer."),
            status=409,
        ) from exc


def _mergeable(user: Any, customer_id: int) -> Customer:
    """A current customer the user may both see and merge; else 404 (never says it exists)."""
    visible = scoping.visible(user, "customers").filter(pk=customer_id).first()
    if visible is None or not scoping.visible(user, "merges_allowed").filter(pk=customer_id):
        if visible is not None:
            raise PermissionDeniedError("customers.merge_forbidden")
        raise NotFound("customers.not_found")
    return visible


def merge_customers(
    user: Any, survivor_id: int, merged_id: int, *, candidate_id: int | None = None
) -> MergeRecord:
    """Merge two customers the user may see and is allowed to merge (both audited)."""
    survivor, merged = _mergeable(user, survivor_id), _mergeable(user, merged_id)
    candidate = None
    if candidate_id is not None:
        candidate = MatchCandidate.objects.filter(
            pk=candidate_id,
            left_id__in=[survivor_id, merged_id],
            right_id__in=[survivor_id, merged_id],
        ).first()
        if candidate is None:
            raise NotFound("customers.candidate_not_found")
    return merging.merge(survivor, merged, user=user, candidate=candidate, reason="manual")


def unmerge(user: Any, merge_id: int) -> Customer:
    """Undo a merge the user may see (they must be allowed to merge the kept record)."""
    record = MergeRecord.objects.filter(pk=merge_id).first()
    if record is None:
        raise NotFound("customers.merge_not_found")
    _mergeable(user, record.survivor_id)
    if not scoping.visible(user, "merges_allowed").filter(pk=record.merged_id).exists():
        raise NotFound("customers.merge_not_found")
    return merging.unmerge(record, user=user)


@transaction.atomic
def decide_candidate(
    user: Any, candidate_id: int, decision: str, survivor_id: int | None = None
) -> MatchCandidate:
    """The reviewer's answer on a possible duplicate: merge it, or remember "not the same"."""
    candidate = MatchCandidate.objects.select_for_update().filter(pk=candidate_id).first()
    if candidate is None:
        raise NotFound("customers.candidate_not_found")
    for cid in (candidate.left_id, candidate.right_id):
        _mergeable(user, cid)
    if candidate.status != MatchStatus.PENDING:
        raise DomainError(
            "customers.candidate_decided", _("This pair has already been decided."), status=409
        )
    if decision == "not_same":
        candidate.status = MatchStatus.NOT_SAME
        candidate.decided_by, candidate.decided_at = user, timezone.now()
        candidate.save(update_fields=["status", "decided_by", "decided_at"])
        return candidate
    if decision != "merge":
        raise DomainError("customers.decision_invalid", _("Unknown decision."), status=422)
    keep = survivor_id or candidate.left_id
    if keep not in (candidate.left_id, candidate.right_id):
        raise DomainError(
            "customers.survivor_invalid", _("Keep one of the two records."), status=422
        )
    other = candidate.right_id if keep == candidate.left_id else candidate.left_id
    merge_customers(user, keep, other, candidate_id=candidate.pk)
    candidate.refresh_from_db()
    return candidate


def _parse_answer(question: DripQuestion, raw: str) -> Any:
    text = (raw or "").strip()
    if not text:
        raise DomainError("customers.answer_empty", _("Please enter an answer."), status=422)
    if question.answer_kind == AnswerKind.DATE:
        try:
            return dt.date.fromisoformat(text.replace("/", "-"))
        except ValueError as exc:
            raise DomainError(
                "customers.answer_invalid", _("Enter a date as YYYY-MM-DD."), status=422
            ) from exc
    if question.answer_kind == AnswerKind.CHOICE and not question.accepts(text):
        raise DomainError("customers.answer_invalid", _("Choose one of the answers."), status=422)
    if len(text) > 500:
        raise DomainError("customers.answer_invalid", _("The answer is too long."), status=422)
    return text


@transaction.atomic
def answer_question(customer: Customer, key: str, raw: str, *, user: Any = None) -> str:
    """Store the customer's answer to a drip question, stamped with its source and today's
    date: a field (birth date), an identifier (email, phone, WeChat id) or an attribute."""
    question = DripQuestion.objects.filter(key=key, is_active=True).first()
    if question is None:
        raise NotFound("customers.question_not_found")
    value = _parse_answer(question, raw)
    now = timezone.now()
    source = "drip"
    if key in quality.FIELD_KEYS:
        update_customer(customer, {key: value}, user=user)
    elif key in quality.IDENTIFIER_KEYS:
        taken = customer.identifiers.filter(kind=key, normalized=normalize(key, value)).first()
        if taken is not None:
            taken.verified_at = now
            taken.save(update_fields=["verified_at"])
        else:
            ident = add_identifier(customer, key, value, source=source)
            ident.verified_at = now
            ident.save(update_fields=["verified_at"])
    else:
        attr, _created = Attribute.objects.get_or_create(
            customer=customer,
            key=key,
            defaults={"category": question.category, "value": value, "verified_at": now},
        )
        attr.category, attr.value, attr.source, attr.verified_at = (
            question.category,
            str(value),
            source,
            now,
        )
        attr.save()
    events.publish("customers.question_answered", {"customer_id": customer.pk, "key": key})
    return str(value)
