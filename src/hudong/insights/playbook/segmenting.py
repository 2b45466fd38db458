"""The bridge to segments: a playbook list's customers added to a static segment."""

from __future__ import annotations

import importlib
from typing import Any

from django.utils.translation import gettext_lazy as _

from hudong.core.errors import DomainError, NotFound


def _segments() -> tuple[Any, Any, Any] | None:
    try:
        actions = importlib.import_module("hudong.insights.segments.actions")
        queries = importlib.import_module("hudong.insights.segments.queries")
        models = importlib.import_module("hudong.insights.models")
    except ImportError:
        return None
    if not hasattr(actions, "add_static_members") or not hasattr(models, "Segment"):
        return None
    return actions, queries, models


def available() -> bool:
    return _segments() is not None


def static_segments(user: Any) -> list[Any]:
    """The static segments the user may add customers to."""
    found = _segments()
    if found is None:
        return []
    _actions, queries, _models = found
    return list(queries.visible_segments(user).filter(kind="static").order_by("name")[:200])


def add(user: Any, segment_id: int, customer_ids: list[int]) -> int:
    found = _segments()
    if found is None:
        raise DomainError(
            "playbook.segments_unavailable", _("Segments are not available."), status=404
        )
    actions, _queries, _models = found
    segment = next((s for s in static_segments(user) if s.pk == segment_id), None)
    if segment is None:
        raise NotFound("playbook.segment_not_found")
    return int(actions.add_static_members(segment, customer_ids, user))
