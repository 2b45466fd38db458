"""Segment endpoints: saved segments, a preview of any filter, members and snapshot history.
Thin: parse, call one query or action, render. Every count and member is within the caller's
scope; filter errors are problem JSON with ``segments.syntax``, ``segments.unknown_field`` or
``segments.bad_value`` and the column."""

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from hudong.api.pagination import Page
from hudong.api.types import CleanStr, Id
from hudong.insights.segments import actions, queries
from hudong.insights.segments.language import MAX_LENGTH

router = Router(tags=["segments"])

KIND = "^(dynamic|static)$"


class SegmentOut(Schema):
    id: int
    name: str
    description: str
    filter: str
    kind: str
    owner_id: int | None
    is_shared: bool
    created_at: dt.datetime
    updated_at: dt.datetime


class SegmentDetailOut(SegmentOut):
    count: int = Field(..., description="Members in the caller's scope, now")


class SegmentIn(Schema):
    name: CleanStr = Field(..., min_length=1, max_length=100)
    description: CleanStr = Field("", max_length=2000)
    filter: CleanStr = Field("", max_length=MAX_LENGTH)
    kind: str = Field("dynamic", pattern=KIND)
    is_shared: bool = False


class SegmentPatch(Schema):
    name: CleanStr | None = Field(None, min_length=1, max_length=100)
    description: CleanStr | None = Field(None, max_length=2000)
    filter: CleanStr | None = Field(None, max_length=MAX_LENGTH)
    is_shared: bool | None = None


class FilterIn(Schema):
    filter: CleanStr = Field("", max_length=MAX_LENGTH)


class MemberOut(Schema):
    id: int
    name: str
    tier: str | None
    clv: Decimal | None
    profit: Decimal | None
    last_order_at: dt.datetime | None

    @staticmethod
    def _value(obj: Any, name: str) -> Any:
        value = getattr(obj, "value", None)  # None when no run has valued the customer yet
        return getattr(value, name, None) if value is not None else None

    @staticmethod
    def resolve_tier(obj: Any) -> Any:
        return MemberOut._value(obj, "tier")

    @staticmethod
    def resolve_clv(obj: Any) -> Any:
        return MemberOut._value(obj, "clv")

    @staticmethod
    def resolve_profit(obj: Any) -> Any:
        return MemberOut._value(obj, "profit")

    @staticmethod
    def resolve_last_order_at(obj: Any) -> Any:
        return MemberOut._value(obj, "last_order_at")


class PreviewOut(Schema):
    count: int
    sample: list[MemberOut]


class SnapshotOut(Schema):
    id: int
    run_id: int | None
    taken_at: dt.datetime
    count: int


class CustomerIdsIn(Schema):
    customer_ids: list[Id] = Field(..., min_length=1, max_length=10_000)


class AddedOut(Schema):
    added: int


def _detail(request: HttpRequest, segment: Any) -> Any:
    segment.count = queries.members(request.user, segment).count()
    return segment


@router.get("/segments", response=list[SegmentOut])
@paginate(Page)
def list_segments(request: HttpRequest) -> Any:
    """The caller's segments and the shared ones."""
    return queries.visible_segments(request.user)


@router.post("/segments", response={201: SegmentDetailOut})
def create_segment(request: HttpRequest, payload: SegmentIn) -> Any:
    segment = actions.create(request.user, **payload.dict())
    return Status(201, _detail(request, segment))


@router.post("/segments/preview", response=PreviewOut)
def preview_segment(request: HttpRequest, payload: FilterIn) -> Any:
    """How many customers in the caller's scope match a filter, and the first 20 (by CLV)."""
    count, sample = queries.sample(request.user, payload.filter)
    return {"count": count, "sample": sample}


@router.get("/segments/preview", response=PreviewOut)
def preview_segment_get(request: HttpRequest, filters: Query[FilterIn]) -> Any:
    """The same preview for a filter in the query string (``?filter=…``)."""
    count, sample = queries.sample(request.user, filters.filter)
    return {"count": count, "sample": sample}


@router.get("/segments/{segment_id}", response=SegmentDetailOut)
def get_segment(request: HttpRequest, segment_id: Id) -> Any:
    return _detail(request, queries.get_segment(request.user, segment_id))


@router.patch("/segments/{segment_id}", response=SegmentDetailOut)
def update_segment(request: HttpRequest, segment_id: Id, payload: SegmentPatch) -> Any:
    segment = queries.get_segment(request.user, segment_id)
    segment = actions.update(request.user, segment, **payload.dict(exclude_unset=True))
    return _detail(request, segment)


@router.delete("/segments/{segment_id}", response={204: None})
def delete_segment(request: HttpRequest, segment_id: Id) -> Any:
    actions.delete(request.user, queries.get_segment(request.user, segment_id))
    return Status(204, None)


@router.get("/segments/{segment_id}/members", response=list[MemberOut])
@paginate(Page)
def segment_members(request: HttpRequest, segment_id: Id) -> Any:
    """The members the caller may see, best CLV first."""
    segment = queries.get_segment(request.user, segment_id)
    return queries.with_value(queries.members(request.user, segment))


@router.post("/segments/{segment_id}/members", response=AddedOut)
def add_segment_members(request: HttpRequest, segment_id: Id, payload: CustomerIdsIn) -> Any:
    """Add customers to a static segment (those outside the caller's scope are ignored)."""
    segment = queries.get_segment(request.user, segment_id)
    return {"added": actions.add_static_members(segment, payload.customer_ids, request.user)}


@router.get("/segments/{segment_id}/snapshots", response=list[SnapshotOut])
def segment_snapshots(request: HttpRequest, segment_id: Id) -> Any:
    """The member count after each of the last runs, counted within the caller's scope."""
    segment = queries.get_segment(request.user, segment_id)
    return queries.snapshots(request.user, segment)
