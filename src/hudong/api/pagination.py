"""Bounded limit/offset pagination: a client cannot ask the database for an absurd page."""

from __future__ import annotations

from ninja import Field, Schema
from ninja.pagination import LimitOffsetPagination

MAX_LIMIT = 500
MAX_OFFSET = 10_000_000


class Page(LimitOffsetPagination):
    class Input(Schema):
        limit: int = Field(50, ge=1, le=MAX_LIMIT)
        offset: int = Field(0, ge=0, le=MAX_OFFSET)

    def __init__(self, **kwargs: object) -> None:
        super().__init__(max_limit=MAX_LIMIT, **kwargs)  # type: ignore[arg-type]
