"""The event the switch posts, validated before anything is written.

A switch sends times with or without an offset; a time without one is read in the server's
time zone (``TIME_ZONE``), as a switch on the premises keeps local time.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from hudong.api.types import Instant
from hudong.core.errors import DomainError
from hudong.interactions.channels.telephony.signing import window_seconds

MAX_BODY_BYTES = 16 * 1024


class CtiEvent(BaseModel):
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True)

    event_id: str = Field(min_length=1, max_length=100)
    call_id: str = Field(min_length=1, max_length=100)
    type: Literal["ringing", "answered", "ended"]
    timestamp: Instant  # when the switch sent the event (the replay window)
    caller: str = Field(default="", max_length=40)
    callee: str = Field(default="", max_length=40)
    direction: Literal["in", "out"] = "in"
    extension: str = Field(default="", max_length=20)
    started_at: Instant | None = None
    answered_at: Instant | None = None
    ended_at: Instant | None = None
    duration: int | None = Field(default=None, ge=0, le=7 * 24 * 3600)

    @property
    def number(self) -> str:
        """The customer's number: who called us, or whom we called."""
        return self.callee if self.direction == "out" else self.caller


def _errors(exc: ValidationError) -> list[dict[str, object]]:
    return [
        {"loc": [str(p) for p in e["loc"]], "msg": str(e["msg"]), "type": e["type"]}
        for e in exc.errors()
    ]


def parse(body: bytes, *, now: dt.datetime | None = None) -> CtiEvent:
    """The event in ``body`` (already authenticated), refused if malformed or out of window."""
    try:
        data = json.loads(body)
    except (UnicodeDecodeError, ValueError) as exc:
        raise DomainError(
            "telephony.malformed", _("The event is not valid JSON."), status=422
        ) from exc
    if not isinstance(data, dict):
        raise DomainError("telephony.malformed", _("The event must be a JSON object."), status=422)
    try:
        event = CtiEvent.model_validate(data)
    except ValidationError as exc:
        raise DomainError(
            "telephony.malformed",
            _("The event is missing fields or has invalid ones."),
            status=422,
            errors=_errors(exc),
        ) from exc
    age = ((now or timezone.now()) - event.timestamp).total_seconds()
    if abs(age) > window_seconds():
        raise DomainError(
            "telephony.stale",
            _("The event's timestamp is outside the accepted window."),
            status=401,
        )
    return event
