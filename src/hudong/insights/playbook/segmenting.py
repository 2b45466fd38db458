"""The bridge to segments: a playbook list's customers added to a static segment."""

from __future__ import annotations

from typing import Any

from hudong.insights.models import Segment, SegmentKind
from hudong.insights.segments import actions, queries


def static_segments(user: Any) -> list[Segment]:
    """The static segments the user may add customers to (their own; any, for a superuser)."""
    qs = queries.visible_segments(user).filter(kind=SegmentKind.STATIC)
    if not user.is_superuser:
        qs = qs.filter(owner=user)
    return list(qs.order_by("name")[:200])


def add(user: Any, segment_id: int, customer_ids: list[int]) -> int:
    """Customers (already checked visible) onto a static segment the user may change; errors
    are the segments' own (``segments.not_found``, ``segments.not_static``...)."""
    segment = queries.get_segment(user, segment_id)
    return int(actions.add_static_members(segment, customer_ids, user))
