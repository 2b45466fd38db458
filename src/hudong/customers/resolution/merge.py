"""Lossless merge and unmerge of two customer records.

A merge keeps one record (the survivor), fills its blank fields from the other by the
survivorship rules, re-points every row of every app that refers to the other record (found
through the foreign keys to ``Customer``, so later apps need no code here), and marks the other
record ``merged_into`` the survivor. Rows that cannot move because the survivor already has
their twin (the same attribute key, the same shared identifier) are resolved by a conflict rule
and kept in full. The ``MergeRecord`` stores everything changed, so ``unmerge`` puts back
exactly what was there: the same rows, with the same ids and values.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.core import audit, events
from hudong.core.errors import DomainError
from hudong.core.models.audit import AuditAction
from hudong.customers.models import (
    Attribute,
    Customer,
    Identifier,
    MatchCandidate,
    MatchStatus,
    MergeRecord,
)

# Field → rule. "fill": the survivor's value unless blank, else the other's. "max"/"min"/"any":
# the larger, the smaller, logical or. Fields not named keep the survivor's value.
SURVIVORSHIP: dict[str, str] = {
    "name_latin": "fill",
    "gender": "fill",
    "birth_date": "fill",
    "owner_id": "fill",
    "organization_id": "fill",
    "job_title": "fill",
    "industry": "fill",
    "credit_limit": "max",
    "is_target_account": "any",
    "created_at": "min",
}

# Foreign keys to Customer that describe the records themselves, not their data.
_NOT_MOVED = {
    (Customer, "merged_into"),
    (MatchCandidate, "left"),
    (MatchCandidate, "right"),
    (MergeRecord, "survivor"),
    (MergeRecord, "merged"),
}

# model → rule deciding, for the merged record's rows, which would collide with the survivor's.
# A rule returns (rows to delete, {survivor row pk: new values}) for the given rows.
Conflict = Callable[[Customer, Customer], tuple[list[models.Model], dict[int, dict[str, Any]]]]
_CONFLICTS: dict[type[models.Model], Conflict] = {}


def register_conflict(model: type[models.Model]) -> Callable[[Conflict], Conflict]:
    """Let a higher app say how its rows that must stay unique per customer are merged."""

    def decorate(rule: Conflict) -> Conflict:
        _CONFLICTS[model] = rule
        return rule

    return decorate


@register_conflict(Attribute)
def _attributes(survivor: Customer, merged: Customer) -> tuple[list[Any], dict[int, Any]]:
    """One value per key: the more recently verified one wins."""
    theirs = {a.key: a for a in Attribute.objects.filter(customer=survivor)}
    drop: list[Any] = []
    updates: dict[int, dict[str, Any]] = {}
    for attr in Attribute.objects.filter(customer=merged, key__in=list(theirs)):
        kept = theirs[attr.key]
        if attr.verified_at > kept.verified_at:
            updates[kept.pk] = {
                f: getattr(attr, f) for f in ("category", "value", "source", "verified_at")
            }
        drop.append(attr)
    return drop, updates


@register_conflict(Identifier)
def _identifiers(survivor: Customer, merged: Customer) -> tuple[list[Any], dict[int, Any]]:
    """A shared identifier (the household phone) both records carry is kept once."""
    theirs = set(Identifier.objects.filter(customer=survivor).values_list("kind", "normalized"))
    twins = [
        i for i in Identifier.objects.filter(customer=merged) if (i.kind, i.normalized) in theirs
    ]
    return twins, {}


def references() -> Iterator[tuple[type[models.Model], models.ForeignKey]]:
    """Every foreign key to Customer whose rows follow the customer in a merge."""
    for rel in Customer._meta.related_objects:
        fk = rel.field
        if not (rel.one_to_many or rel.one_to_one) or not fk.concrete:
            continue
        model = rel.related_model
        if (model, fk.name) in _NOT_MOVED or model._meta.proxy:
            continue
        yield model, fk  # type: ignore[misc]


def _pick(rule: str, kept: Any, other: Any) -> Any:
    if rule == "fill":
        return kept if kept not in (None, "") else other
    if rule == "max":
        return max(kept, other)
    if rule == "min":
        return min(kept, other)
    if rule == "any":
        return bool(kept or other)
    return kept


def _check_pair(survivor: Customer, merged: Customer) -> None:
    if survivor.pk == merged.pk:
        raise DomainError("customers.merge_same", _("A record cannot be merged into itself."))
    if survivor.merged_into_id or merged.merged_into_id:
        raise DomainError(
            "customers.merge_already_merged",
            _("One of these records has already been merged."),
            status=409,
        )
    if survivor.kind != merged.kind:
        raise DomainError(
            "customers.merge_kind_mismatch",
            _("A person and an organization cannot be merged."),
            status=422,
        )


@transaction.atomic
def merge(
    survivor: Customer,
    merged: Customer,
    *,
    user: Any = None,
    reason: str = "manual",
    candidate: MatchCandidate | None = None,
) -> MergeRecord:
    """Merge ``merged`` into ``survivor``. Access is the caller's business (see actions)."""
    survivor = Customer.objects.select_for_update().get(pk=survivor.pk)
    merged = Customer.objects.select_for_update().get(pk=merged.pk)
    _check_pair(survivor, merged)
    before: dict[str, Any] = {
        "survivor": audit.snapshot(survivor),
        "merged": audit.snapshot(merged),
        "moved": [],
        "deleted": [],
        "updated": [],
    }
    for model, fk in references():
        label = model._meta.label
        rule = _CONFLICTS.get(model)
        if rule is not None:
            drop, updates = rule(survivor, merged)
            for pk, values in updates.items():
                row = model._default_manager.get(pk=pk)
                before["updated"].append([label, audit.snapshot(row)])
                model._default_manager.filter(pk=pk).update(**values)
            for row in drop:
                before["deleted"].append([label, audit.snapshot(row)])
            model._default_manager.filter(pk__in=[r.pk for r in drop]).delete()
        pks = list(model._default_manager.filter(**{fk.name: merged}).values_list("pk", flat=True))
        if pks:
            model._default_manager.filter(pk__in=pks).update(**{fk.name: survivor})
            before["moved"].append([label, fk.name, pks])
    changes = {
        field: _pick(rule, getattr(survivor, field), getattr(merged, field))
        for field, rule in SURVIVORSHIP.items()
    }
    changes = {k: v for k, v in changes.items() if v != getattr(survivor, k)}
    if changes:
        Customer.objects.filter(pk=survivor.pk).update(**changes)
    Customer.objects.filter(pk=merged.pk).update(merged_into=survivor)
    record = MergeRecord.objects.create(
        survivor=survivor,
        merged=merged,
        reason=reason,
        candidate=candidate,
        before=before,
        created_by=user if getattr(user, "is_authenticated", False) else None,
    )
    if candidate is not None:
        candidate.status = MatchStatus.AUTO_MERGED if reason == "auto" else MatchStatus.MERGED
        candidate.decided_by = record.created_by
        candidate.decided_at = timezone.now()
        candidate.save(update_fields=["status", "decided_by", "decided_at"])
    summary = {"merge": record.pk, "merged": merged.pk, "fields": sorted(changes)}
    audit.record(AuditAction.MERGE, survivor, before=None, after=summary, customer_id=survivor.pk)
    audit.record(AuditAction.MERGE, merged, before=None, after=summary, customer_id=merged.pk)
    events.publish(
        "customers.merged",
        {"merge_id": record.pk, "survivor_id": survivor.pk, "merged_id": merged.pk},
    )
    return record


def _restore(model: type[models.Model], row: dict[str, Any]) -> dict[str, Any]:
    """Stored JSON values back to field values (dates and times were written as ISO text)."""
    values: dict[str, Any] = {}
    for f in model._meta.concrete_fields:
        value = row.get(f.attname)
        if value is not None and isinstance(f, models.DateTimeField):
            value = dt.datetime.fromisoformat(value)
        elif value is not None and isinstance(f, models.DateField):
            value = dt.date.fromisoformat(value)
        values[f.attname] = value
    return values


@transaction.atomic
def unmerge(record: MergeRecord, *, user: Any = None) -> Customer:
    """Undo a merge: the merged record, its rows and the survivor's fields as they were."""
    from django.apps import apps

    record = MergeRecord.objects.select_for_update().get(pk=record.pk)
    if record.undone_at is not None:
        raise DomainError(
            "customers.unmerge_done", _("This merge has already been undone."), status=409
        )
    survivor = Customer.objects.select_for_update().get(pk=record.survivor_id)
    if survivor.merged_into_id:
        raise DomainError(
            "customers.unmerge_blocked",
            _("The kept record was merged again since; undo that merge first."),
            status=409,
        )
    before = record.before
    for label, row in before["updated"]:
        model = apps.get_model(label)
        values = _restore(model, row)
        model._default_manager.filter(pk=values.pop("id")).update(**values)
    for label, field, pks in before["moved"]:
        model = apps.get_model(label)
        model._default_manager.filter(pk__in=pks).update(**{field: record.merged_id})
    for label, row in before["deleted"]:
        model = apps.get_model(label)
        model._default_manager.bulk_create([model(**_restore(model, row))])
    for key in ("survivor", "merged"):
        values = _restore(Customer, before[key])
        Customer.objects.filter(pk=values.pop("id")).update(**values)
    record.undone_at = timezone.now()
    record.undone_by = user if getattr(user, "is_authenticated", False) else None
    record.save(update_fields=["undone_at", "undone_by"])
    MatchCandidate.objects.filter(merges=record).update(status=MatchStatus.UNMERGED)
    merged = Customer.objects.get(pk=record.merged_id)
    summary = {"merge": record.pk, "merged": merged.pk}
    for customer in (survivor, merged):
        audit.record(
            AuditAction.UNMERGE, customer, before=summary, after=None, customer_id=customer.pk
        )
    events.publish(
        "customers.unmerged",
        {"merge_id": record.pk, "survivor_id": survivor.pk, "merged_id": merged.pk},
    )
    return merged
