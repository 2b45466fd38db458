"""Shared API field types: reject what would corrupt storage instead of failing with a 500."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from django.utils import timezone
from pydantic import AfterValidator, Field

DB_ID_MAX = 2**63 - 1


def no_control_chars(value: str) -> str:
    if any(ord(c) < 32 and c not in "\t\n\r" for c in value):
        raise ValueError("control characters are not allowed")
    if any(0xD800 <= ord(c) <= 0xDFFF for c in value):
        raise ValueError("unpaired surrogates are not allowed")
    return value


CleanStr = Annotated[str, AfterValidator(no_control_chars)]
Id = Annotated[int, Field(ge=1, le=DB_ID_MAX)]


def _instant(value: dt.datetime) -> dt.datetime:
    """An instant every database stores: a naive time is in the site's time zone, an offset
    must be a real one (±14 h; PostgreSQL refuses more), and the result is in UTC."""
    if value.tzinfo is None:
        value = timezone.make_aware(value)
    offset = value.utcoffset()
    if offset is None or abs(offset) > MAX_OFFSET:
        raise ValueError("the UTC offset must be between -14:00 and +14:00")
    try:
        return value.astimezone(dt.UTC)
    except OverflowError as exc:
        raise ValueError("the date is out of range") from exc


MAX_OFFSET = dt.timedelta(hours=14)
Instant = Annotated[dt.datetime, AfterValidator(_instant)]
