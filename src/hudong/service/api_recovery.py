"""Service recovery and the satisfaction survey over the API. Thin: parse, call one query or
action, render. Errors are problem JSON with stable codes (``recovery.*``, ``csat.*``)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from hudong.api.types import CleanStr, Id
from hudong.service import csat, queries, recovery

router = Router(tags=["service"])

KIND = "^(apology|refund|coupon|replacement|gift)$"
OUTCOME = "^(recovered|partial|not_recovered)$"


class RecoveryActionOut(Schema):
    id: int
    kind: str
    cost: Decimal
    note: str
    created_by_id: int | None
    created_at: dt.datetime


class RecoveryOut(Schema):
    case_id: int
    actions: list[RecoveryActionOut]
    total_cost: Decimal
    customer_informed_at: dt.datetime | None
    outcome: str


def _recovery(case_id: int, request: HttpRequest) -> RecoveryOut:
    case = queries.get_case(request.user, case_id)
    s = recovery.summary(case)
    return RecoveryOut(
        case_id=case.pk,
        actions=[RecoveryActionOut.from_orm(a) for a in s.actions],
        total_cost=s.total_cost,
        customer_informed_at=s.customer_informed_at,
        outcome=s.outcome,
    )


@router.get("/cases/{case_id}/recovery", response=RecoveryOut)
def get_recovery(request: HttpRequest, case_id: Id) -> Any:
    """The case's recovery actions (oldest first), their total cost in CNY, when the customer
    was informed, and the outcome ("" until recorded)."""
    return _recovery(case_id, request)


class RecoveryActionIn(Schema):
    kind: str = Field(..., pattern=KIND)
    # CNY; the action checks 0 <= cost <= HUDONG_RECOVERY_MAX_COST (recovery.bad_cost)
    cost: Decimal = Field(Decimal("0"), max_digits=14, decimal_places=2)
    note: CleanStr = Field("", max_length=500)


@router.post("/cases/{case_id}/recovery", response={201: RecoveryActionOut})
def add_recovery_action(request: HttpRequest, case_id: Id, payload: RecoveryActionIn) -> Any:
    """Record a recovery action and its cost. A closed case answers 409
    ``recovery.case_closed``."""
    case = queries.get_case(request.user, case_id)
    action = recovery.record_action(
        case, request.user, kind=payload.kind, cost=payload.cost, note=payload.note
    )
    return Status(201, action)


class InformedIn(Schema):
    message: CleanStr = Field("", max_length=2000)


@router.post("/cases/{case_id}/recovery/informed", response=RecoveryOut)
def customer_informed(request: HttpRequest, case_id: Id, payload: InformedIn) -> Any:
    """Mark the customer as informed of what is done for them; with ``message``, tell them now
    as a case reply (a message the policy refuses answers 409 ``recovery.message_not_sent``)."""
    case = queries.get_case(request.user, case_id)
    recovery.inform_customer(case, request.user, payload.message)
    return _recovery(case_id, request)


class OutcomeIn(Schema):
    outcome: str = Field(..., pattern=OUTCOME)


@router.put("/cases/{case_id}/recovery/outcome", response=RecoveryOut)
def set_recovery_outcome(request: HttpRequest, case_id: Id, payload: OutcomeIn) -> Any:
    """Record the outcome once the case is resolved; "recovered" needs an action and the
    customer informed (422 ``recovery.needs_action`` / ``recovery.needs_informed``)."""
    case = queries.get_case(request.user, case_id)
    recovery.set_outcome(case, request.user, payload.outcome)
    return _recovery(case_id, request)


class CsatOut(Schema):
    id: int
    case_id: int
    sent_at: dt.datetime
    channel: str
    delivery: str
    score: int | None
    comment: str
    answered_at: dt.datetime | None

    @staticmethod
    def resolve_delivery(obj: Any) -> str:
        return obj.outbound.status if obj.outbound_id else ""


@router.get("/cases/{case_id}/csat", response=list[CsatOut])
def case_csat(request: HttpRequest, case_id: Id) -> Any:
    """The case's satisfaction surveys, newest first (one per closing)."""
    case = queries.get_case(request.user, case_id)
    return list(case.surveys.select_related("outbound").order_by("-sent_at", "-id"))


class CsatAnswerIn(Schema):
    score: int = Field(..., ge=1, le=5)
    comment: CleanStr = Field("", max_length=2000)


class CsatAnswerOut(Schema):
    score: int
    answered_at: dt.datetime


@router.post("/csat/{token}", response=CsatAnswerOut, auth=None)
def answer_csat(request: HttpRequest, token: str, payload: CsatAnswerIn) -> Any:
    """Public (no login; the signed token from the survey link is the authority): the
    customer's answer. The first answer stands (409 ``csat.already_answered``); a tampered
    link answers 400 ``csat.link_invalid``, an expired one 410 ``csat.link_expired``."""
    return csat.answer(token, payload.score, payload.comment)
