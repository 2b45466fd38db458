"""Telephony API: the switch posts call events; an agent's tools post a disposition.

``POST /api/v1/cti/events`` is called by the switch, not a user: it authenticates by the HMAC
signature of the body (:mod:`~hudong.interactions.channels.telephony.signing`), so it takes no
token and no session. Everything else uses the API's usual authentication.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Router, Schema

from hudong.api.types import Instant
from hudong.core.errors import DomainError
from hudong.interactions import queries
from hudong.interactions.channels.telephony import actions, schemas, signing

router = Router(tags=["Telephony"])


class EventAck(Schema):
    status: str  # "accepted" or "duplicate"
    call_id: str
    popped: bool
    interaction_id: int | None = None


class DispositionIn(Schema):
    outcome: str
    next_step: str = ""
    next_step_due: Instant | None = None
    state: str = ""


class DispositionOut(Schema):
    interaction_id: int
    outcome: str
    thread_id: int | None
    state: str | None
    next_step: str | None
    next_step_due: dt.datetime | None


def _body(request: HttpRequest) -> bytes:
    """The raw body, refused before it is read when the switch announces too much."""
    announced = request.headers.get("Content-Length", "0") or "0"
    if not (announced.isascii() and announced.isdigit()) or int(announced) > schemas.MAX_BODY_BYTES:
        raise DomainError("telephony.too_large", _("The event is too large."), status=413)
    body = request.body
    if len(body) > schemas.MAX_BODY_BYTES:
        raise DomainError("telephony.too_large", _("The event is too large."), status=413)
    return body


@router.post(
    "/cti/events",
    auth=None,
    response={200: EventAck},
    summary="A call event from the switch (HMAC-signed)",
)
def receive_event(request: HttpRequest) -> dict[str, Any]:
    body = _body(request)
    signing.verify(body, request.headers.get(signing.HEADER, ""))
    handled = actions.handle_event(schemas.parse(body))
    return {
        "status": "duplicate" if handled.duplicate else "accepted",
        "call_id": handled.call.call_id,
        "popped": handled.popped,
        "interaction_id": handled.interaction_id,
    }


@router.post(
    "/cti/calls/{interaction_id}/disposition",
    response={200: DispositionOut},
    summary="Record a call's outcome and the conversation's next step",
)
def disposition(request: HttpRequest, interaction_id: int, data: DispositionIn) -> dict[str, Any]:
    interaction = queries.get_interaction(request.user, interaction_id)
    actions.set_disposition(
        interaction,
        user=request.user,
        outcome=data.outcome,
        next_step=data.next_step,
        due=data.next_step_due,
        state=data.state,
    )
    thread = interaction.thread
    return {
        "interaction_id": interaction.pk,
        "outcome": interaction.outcome,
        "thread_id": thread.pk if thread else None,
        "state": thread.state if thread else None,
        "next_step": thread.next_step if thread else None,
        "next_step_due": thread.next_step_due if thread else None,
    }
