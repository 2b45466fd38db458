"""Every write of segments and tags: one atomic function per use case, each audited.

Who may do what: anyone who sees customers may create a segment (it is theirs); only its owner
(or a superuser) changes, deletes or fills it. Members and tags are only ever added to
customers the acting user may see.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.core import audit, scoping
from hudong.core.errors import DomainError, PermissionDeniedError
from hudong.core.models.access import Scope
from hudong.core.models.audit import AuditAction
from hudong.customers.models import Customer
from hudong.customers.queries import visible_customers
from hudong.insights.models import InsightsRun
from hudong.insights.models.segments import (
    TAG_PATTERN,
    CustomerTag,
    Segment,
    SegmentKind,
    SegmentMember,
    SegmentSnapshot,
)
from hudong.insights.segments import queries
from hudong.insights.segments.language import compile_filter

BATCH = 2000
AUDIT_IDS = 1000  # customer ids kept on an audit row of a bulk change
_TAG = re.compile(TAG_PATTERN)

CustomerIds = QuerySet[Customer] | QuerySet[Any] | Iterable[int]


def _require_customers(user: Any) -> None:
    if scoping.scope_for(user, "customers") == Scope.NONE:
        raise PermissionDeniedError("segments.denied")


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise DomainError("segments.name_required", _("A segment needs a name."), status=422)
    if len(name) > 100:
        raise DomainError("segments.name_too_long", _("At most 100 characters."), status=422)
    return name


def _clean_kind(kind: str) -> str:
    if kind not in SegmentKind.values:
        raise DomainError("segments.bad_kind", _("A segment is dynamic or static."), status=422)
    return kind


@transaction.atomic
def create(
    user: Any,
    *,
    name: str,
    filter: str = "",
    description: str = "",
    kind: str = SegmentKind.DYNAMIC,
    is_shared: bool = False,
) -> Segment:
    """A new segment owned by ``user``. A static segment created with a filter starts with the
    customers in the user's scope that match it now."""
    _require_customers(user)
    kind = _clean_kind(kind)
    compile_filter(filter)  # errors say where, before anything is saved
    segment = Segment.objects.create(
        name=_clean_name(name),
        filter=filter.strip(),
        description=description.strip(),
        kind=kind,
        owner=user,
        is_shared=is_shared,
    )
    audit.record(
        AuditAction.CREATE, segment, before=None, after=audit.snapshot(segment), customer_id=None
    )
    if kind == SegmentKind.STATIC and segment.filter:
        add_static_members(segment, queries.filtered(user, segment.filter).values("pk"), user)
    return segment


@transaction.atomic
def update(user: Any, segment: Segment, **changes: Any) -> Segment:
    """Change name, description, filter or sharing (the kind is fixed once created)."""
    if not queries.may_edit(user, segment):
        raise PermissionDeniedError(
            "segments.not_owner", _("Only the segment's owner can change it.")
        )
    before = audit.snapshot(segment)
    if "kind" in changes and changes.pop("kind") not in (None, segment.kind):
        raise DomainError(
            "segments.kind_fixed", _("A segment's kind cannot change; create another."), status=422
        )
    if "name" in changes and changes["name"] is not None:
        segment.name = _clean_name(changes["name"])
    if "filter" in changes and changes["filter"] is not None:
        compile_filter(changes["filter"])
        segment.filter = changes["filter"].strip()
    if "description" in changes and changes["description"] is not None:
        segment.description = changes["description"].strip()
    if "is_shared" in changes and changes["is_shared"] is not None:
        segment.is_shared = bool(changes["is_shared"])
    segment.save()
    after = audit.snapshot(segment)
    changed = {k: v for k, v in after.items() if before.get(k) != v and k != "updated_at"}
    if changed:
        audit.record(
            AuditAction.UPDATE,
            segment,
            before={k: before[k] for k in changed},
            after=changed,
            customer_id=None,
        )
    return segment


@transaction.atomic
def delete(user: Any, segment: Segment) -> None:
    if not queries.may_edit(user, segment):
        raise PermissionDeniedError(
            "segments.not_owner", _("Only the segment's owner can change it.")
        )
    audit.record(
        AuditAction.DELETE, segment, before=audit.snapshot(segment), after=None, customer_id=None
    )
    _drop_snapshots(SegmentSnapshot.objects.filter(segment=segment).values_list("pk", flat=True))
    segment.delete()


def _drop_snapshots(ids: Iterable[int]) -> None:
    """Delete snapshots and their members with two statements (no row-by-row cascade)."""
    ids = list(ids)
    if ids:
        SegmentMember.objects.filter(snapshot_id__in=ids).delete()
        SegmentSnapshot.objects.filter(pk__in=ids).delete()


# -- snapshots --------------------------------------------------------------------------------


def snapshot(
    segment: Segment, *, run: InsightsRun | None = None, now: dt.datetime | None = None
) -> SegmentSnapshot:
    """Store who is in a dynamic segment now, over every customer (the system's view; readers
    see it through their own scope). One ``INSERT … SELECT``: members never pass through Python."""
    q = compile_filter(segment.filter, now)
    base = Customer.objects.filter(merged_into__isnull=True).filter(q).order_by().values("pk")
    sql, params = base.query.sql_with_params()
    with transaction.atomic():
        snap = SegmentSnapshot.objects.create(segment=segment, run=run, taken_at=timezone.now())
        table = SegmentMember._meta.db_table
        with connection.cursor() as cur:
            cur.execute(
                f"INSERT INTO {table} (snapshot_id, customer_id) SELECT %s, m.* FROM ({sql}) m",
                [snap.pk, *params],
            )
        snap.count = SegmentMember.objects.filter(snapshot=snap).count()
        snap.save(update_fields=["count"])
    return snap


def prune(segment: Segment, keep: int) -> int:
    """Keep the last ``keep`` snapshots of a dynamic segment; returns how many were dropped."""
    old = list(
        SegmentSnapshot.objects.filter(segment=segment)
        .order_by("-taken_at", "-id")
        .values_list("pk", flat=True)[keep:]
    )
    _drop_snapshots(old)
    return len(old)


# -- static members ---------------------------------------------------------------------------


def _chunks(ids: CustomerIds) -> Iterator[list[int] | QuerySet[Any]]:
    if isinstance(ids, QuerySet):
        yield ids
        return
    batch: list[int] = []
    for value in ids:
        batch.append(int(value))
        if len(batch) >= BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _visible_ids(user: Any, ids: CustomerIds) -> Iterator[list[int]]:
    """The given customers the user may see, a batch at a time."""
    for chunk in _chunks(ids):
        found = visible_customers(user).filter(pk__in=chunk).order_by("pk")
        batch: list[int] = []
        for pk in found.values_list("pk", flat=True).iterator(chunk_size=BATCH):
            batch.append(pk)
            if len(batch) >= BATCH:
                yield batch
                batch = []
        if batch:
            yield batch


def _static_for_update(user: Any, segment: Segment) -> SegmentSnapshot:
    if segment.kind != SegmentKind.STATIC:
        raise DomainError(
            "segments.not_static", _("Only a static segment takes customers by hand."), status=422
        )
    if not queries.may_edit(user, segment):
        raise PermissionDeniedError(
            "segments.not_owner", _("Only the segment's owner can change it.")
        )
    current = queries.current_list(segment)
    if current is None:
        current = SegmentSnapshot.objects.create(segment=segment, run=None)
    return current


@transaction.atomic
def add_static_members(segment: Segment, customer_ids: CustomerIds, user: Any) -> int:
    """Put customers on a static segment's list; returns how many were not on it yet.

    Only customers ``user`` may see are added; the others are ignored (as if unknown).
    ``customer_ids`` is a list of ids or a queryset of customers (or of their ids)."""
    current = _static_for_update(user, segment)
    added: list[int] = []
    for batch in _visible_ids(user, customer_ids):
        present = set(
            SegmentMember.objects.filter(snapshot=current, customer_id__in=batch).values_list(
                "customer_id", flat=True
            )
        )
        new = [pk for pk in dict.fromkeys(batch) if pk not in present]
        SegmentMember.objects.bulk_create(
            [SegmentMember(snapshot=current, customer_id=pk) for pk in new],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
        added.extend(new)
    if added:
        current.count = SegmentMember.objects.filter(snapshot=current).count()
        current.taken_at = timezone.now()
        current.save(update_fields=["count", "taken_at"])
        _audit_bulk(segment, "added", added)
        Segment.objects.filter(pk=segment.pk).update(updated_at=timezone.now())
    return len(added)


@transaction.atomic
def remove_static_members(segment: Segment, customer_ids: CustomerIds, user: Any) -> int:
    """Take customers (that ``user`` may see) off a static segment's list."""
    current = _static_for_update(user, segment)
    removed: list[int] = []
    for batch in _visible_ids(user, customer_ids):
        rows = SegmentMember.objects.filter(snapshot=current, customer_id__in=batch)
        gone = list(rows.values_list("customer_id", flat=True))
        rows.delete()
        removed.extend(gone)
    if removed:
        current.count = SegmentMember.objects.filter(snapshot=current).count()
        current.save(update_fields=["count"])
        _audit_bulk(segment, "removed", removed)
    return len(removed)


def _audit_bulk(instance: Any, what: str, ids: list[int]) -> None:
    audit.record(
        AuditAction.UPDATE,
        instance,
        before=None,
        after={what: len(ids), "customers": ids[:AUDIT_IDS]},
        customer_id=ids[0] if len(ids) == 1 else None,
    )


# -- tags -------------------------------------------------------------------------------------


def clean_tag(name: str) -> str:
    name = (name or "").strip().lower()
    if not _TAG.match(name):
        raise DomainError(
            "segments.bad_tag",
            _("A tag is 1 to 50 letters, digits, '-', '_', '.' or ':' without spaces."),
            status=422,
        )
    return name


@transaction.atomic
def tag(customers: CustomerIds, name: str, user: Any, *, source: str = "manual") -> int:
    """Tag the given customers the user may see; returns how many did not have the tag."""
    name = clean_tag(name)
    _require_customers(user)
    tagged: list[int] = []
    now = timezone.now()
    for batch in _visible_ids(user, customers):
        present = set(
            CustomerTag.objects.filter(name=name, customer_id__in=batch).values_list(
                "customer_id", flat=True
            )
        )
        new = [pk for pk in dict.fromkeys(batch) if pk not in present]
        CustomerTag.objects.bulk_create(
            [
                CustomerTag(
                    customer_id=pk,
                    name=name,
                    source=source[:50],
                    created_at=now,
                    created_by=user if user.is_authenticated else None,
                )
                for pk in new
            ],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
        tagged.extend(new)
    if tagged:
        _audit_tags(AuditAction.CREATE, name, tagged)
    return len(tagged)


@transaction.atomic
def untag(customers: CustomerIds, name: str, user: Any) -> int:
    """Remove the tag from the given customers the user may see; returns how many lost it."""
    name = clean_tag(name)
    _require_customers(user)
    removed: list[int] = []
    for batch in _visible_ids(user, customers):
        rows = CustomerTag.objects.filter(name=name, customer_id__in=batch)
        gone = list(rows.values_list("customer_id", flat=True))
        rows.delete()
        removed.extend(gone)
    if removed:
        _audit_tags(AuditAction.DELETE, name, removed)
    return len(removed)


def _audit_tags(action: str, name: str, ids: list[int]) -> None:
    """One audit row per call (the tag rows themselves say who tagged whom, and when)."""
    row = CustomerTag(name=name, customer_id=ids[0])
    row.pk = 0  # the call, not one row
    data = {"tag": name, "customers": ids[:AUDIT_IDS], "count": len(ids)}
    audit.record(
        action,
        row,
        before=None if action == AuditAction.CREATE else data,
        after=data if action == AuditAction.CREATE else None,
        customer_id=ids[0] if len(ids) == 1 else None,
    )
