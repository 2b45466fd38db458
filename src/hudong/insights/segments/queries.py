"""Permission-checked reads of segments. Members are always the user's visible customers.

A user sees the segments they own and the shared ones (superusers: all); a user who may see no
customer sees no segment. Whatever the segment, its members are intersected with the
customers the reader may see (:func:`hudong.customers.queries.visible_customers`).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Q, QuerySet

from hudong.core import scoping
from hudong.core.errors import NotFound, PermissionDeniedError
from hudong.core.models.access import Scope
from hudong.customers.models import Customer
from hudong.customers.queries import visible_customers
from hudong.insights.models.segments import Segment, SegmentKind, SegmentMember, SegmentSnapshot
from hudong.insights.segments.language import compile_filter

SAMPLE = 20


def visible_segments(user: Any) -> QuerySet[Segment]:
    if scoping.scope_for(user, "customers") == Scope.NONE:
        return Segment.objects.none()
    qs = Segment.objects.select_related("owner")
    if user.is_superuser:
        return qs
    return qs.filter(Q(owner=user) | Q(is_shared=True))


def get_segment(user: Any, segment_id: int) -> Segment:
    segment = visible_segments(user).filter(pk=segment_id).first()
    if segment is None:
        raise NotFound("segments.not_found")
    return segment


def may_edit(user: Any, segment: Segment) -> bool:
    return bool(user.is_superuser) or (segment.owner_id is not None and segment.owner_id == user.pk)


def get_for_update(user: Any, segment_id: int) -> Segment:
    """A segment the user may change: theirs (or any, for a superuser)."""
    segment = get_segment(user, segment_id)
    if not may_edit(user, segment):
        raise PermissionDeniedError("segments.not_owner", _not_owner_message())
    return segment


def _not_owner_message() -> Any:
    from django.utils.translation import gettext_lazy as _

    return _("Only the segment's owner can change it.")


def filtered(user: Any, filter_text: str, now: dt.datetime | None = None) -> QuerySet[Customer]:
    """The customers ``user`` may see that match ``filter_text`` (errors say where)."""
    return visible_customers(user).filter(compile_filter(filter_text, now))


def count(user: Any, filter_text: str) -> int:
    """How many customers in the user's scope match: the live count of the editor."""
    return filtered(user, filter_text).count()


def current_list(segment: Segment) -> SegmentSnapshot | None:
    """The snapshot that holds a static segment's members (None before the first member)."""
    return SegmentSnapshot.objects.filter(segment=segment, run__isnull=True).order_by("id").first()


def members(user: Any, segment: Segment) -> QuerySet[Customer]:
    """The segment's members the user may see: the filter now (dynamic) or the list (static)."""
    if segment.kind == SegmentKind.STATIC:
        snapshot = current_list(segment)
        if snapshot is None:
            return visible_customers(user).none()
        ids = SegmentMember.objects.filter(snapshot=snapshot).values("customer_id")
        return visible_customers(user).filter(pk__in=ids)
    return filtered(user, segment.filter)


def with_value(qs: QuerySet[Customer]) -> QuerySet[Customer]:
    """Members as the pages and the API list them: best CLV first, the value row alongside."""
    return qs.select_related("value").order_by(F("value__clv").desc(nulls_last=True), "pk")


def sample(user: Any, filter_text: str, size: int = SAMPLE) -> tuple[int, list[Customer]]:
    """The count and the first ``size`` matching customers in the user's scope."""
    qs = filtered(user, filter_text)
    return qs.count(), list(with_value(qs)[:size])


def snapshots(user: Any, segment: Segment, limit: int = 30) -> list[dict[str, Any]]:
    """Each run's count, oldest first, counted within the user's scope."""
    if segment.kind == SegmentKind.STATIC:
        return []  # a static segment's one snapshot is its list, not a history
    rows = list(
        SegmentSnapshot.objects.filter(segment=segment).order_by("-taken_at", "-id")[:limit]
    )
    everyone = scoping.scope_for(user, "customers") == Scope.ALL
    visible = visible_customers(user).values("pk")
    out = []
    for snap in reversed(rows):
        n = snap.count
        if not everyone:
            n = SegmentMember.objects.filter(snapshot=snap, customer_id__in=visible).count()
        out.append({"id": snap.pk, "run_id": snap.run_id, "taken_at": snap.taken_at, "count": n})
    return out
