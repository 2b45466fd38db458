"""Interaction endpoints: the timeline, conversations and their breakpoints, manual logging,
consent and contact policy, outbound messages, touchpoints and costs. Thin: parse, call one
query or action, render."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status
from pydantic import AfterValidator

from hudong.api.types import CleanStr, Id, Instant
from hudong.core import audit
from hudong.core.errors import NotFound
from hudong.customers import queries as customer_queries
from hudong.interactions import actions, consent, costs, outbound, policy, queries
from hudong.interactions.models import ANY_CHANNEL

router = Router(tags=["interactions"])

CHANNELS = "phone|email|sms|webchat|webform|wechat|face|postal|fax"
CHANNEL = f"^({CHANNELS})$"
CHANNEL_OR_BLANK = f"^({CHANNELS}|)$"
MANUAL = "^(phone|face|postal|fax)$"
PURPOSE = "^(service|marketing)$"
STATE = "^(open|waiting_customer|waiting_us|closed)$"


class InteractionOut(Schema):
    id: int
    customer_id: int
    thread_id: int | None
    channel: str
    direction: str
    initiator: str
    kind: str
    purpose: str
    agent_id: int | None
    started_at: dt.datetime
    ended_at: dt.datetime | None
    duration_seconds: int
    subject: str
    content: str
    outcome: str
    cost: Decimal


class TimelineFilter(Schema):
    channel: str = Field("", pattern=CHANNEL_OR_BLANK)
    before_id: Id | None = None


@router.get("/customers/{customer_id}/interactions", response=list[InteractionOut])
def timeline(request: HttpRequest, customer_id: Id, filters: Query[TimelineFilter]) -> Any:
    """The customer's contacts on every channel, newest first (25 per page; pass the last
    id as ``before_id`` for the next page). The read is audited."""
    customer = customer_queries.get_customer(
        request.user, customer_id, via=f"API GET {request.path}"
    )
    return queries.timeline(
        request.user, customer, channel=filters.channel, before_id=filters.before_id
    )


class ManualIn(Schema):
    channel: str = Field(..., pattern=MANUAL)
    direction: str = Field("in", pattern="^(in|out)$")
    subject: CleanStr = Field(..., min_length=1, max_length=250)
    content: CleanStr = Field("", max_length=20000)
    outcome: CleanStr = Field("", max_length=200)
    duration_seconds: int = Field(0, ge=0, le=86400)
    started_at: Instant | None = None
    next_step: CleanStr = Field("", max_length=300)
    next_step_due: Instant | None = None


@router.post("/customers/{customer_id}/interactions", response={201: InteractionOut})
def log_manual(request: HttpRequest, customer_id: Id, payload: ManualIn) -> Any:
    """Write down a visit, a letter, a fax or a call the switch did not see."""
    customer = customer_queries.get_for_update(request.user, customer_id)
    interaction = actions.log_manual(customer, user=request.user, **payload.dict())
    return Status(201, interaction)


class ThreadOut(Schema):
    id: int
    customer_id: int
    channel: str
    subject: str
    state: str
    next_step: str
    next_step_due: dt.datetime | None
    assigned_to_id: int | None
    opened_at: dt.datetime
    last_activity_at: dt.datetime
    first_response_at: dt.datetime | None
    closed_at: dt.datetime | None


class BreakpointIn(Schema):
    state: str | None = Field(None, pattern=STATE)
    next_step: CleanStr | None = Field(None, max_length=300)
    next_step_due: Instant | None = None


@router.get("/threads/{thread_id}", response=ThreadOut)
def get_thread(request: HttpRequest, thread_id: Id) -> Any:
    """A conversation and its breakpoint (the read is audited)."""
    thread = queries.get_thread(request.user, thread_id)
    audit.record_view(thread, customer_id=thread.customer_id, via=f"API GET {request.path}")
    return thread


@router.patch("/threads/{thread_id}", response=ThreadOut)
def set_breakpoint(request: HttpRequest, thread_id: Id, payload: BreakpointIn) -> Any:
    """Where the conversation stands and what happens next; the next contact opens here."""
    thread = queries.get_thread(request.user, thread_id)
    given = payload.dict(exclude_unset=True)
    return actions.set_breakpoint(
        thread,
        user=request.user,
        state=given.get("state"),
        next_step=given.get("next_step"),
        due=given.get("next_step_due"),
        clear_due="next_step_due" in given and given["next_step_due"] is None,
    )


class ConsentOut(Schema):
    id: int
    channel: str
    purpose: str
    granted: bool
    source: str
    note: str
    identifier_kind: str
    at: dt.datetime


class ConsentIn(Schema):
    purpose: str = Field(..., pattern=PURPOSE)
    granted: bool
    channel: str = Field(ANY_CHANNEL, pattern=f"^(any|{CHANNELS})$")
    source: CleanStr = Field(..., min_length=1, max_length=100)
    note: CleanStr = Field("", max_length=250)


@router.get("/customers/{customer_id}/consent", response=list[ConsentOut])
def consent_ledger(request: HttpRequest, customer_id: Id) -> Any:
    """Every grant and withdrawal that speaks for this customer, newest first."""
    customer = customer_queries.get_customer(
        request.user, customer_id, via=f"API GET {request.path}"
    )
    return policy.consent_entries(customer, "")


@router.post("/customers/{customer_id}/consent", response={201: ConsentOut})
def record_consent(request: HttpRequest, customer_id: Id, payload: ConsentIn) -> Any:
    """Add a grant or a withdrawal to the ledger (earlier entries are never changed)."""
    customer = customer_queries.get_for_update(request.user, customer_id)
    entry = consent.record(customer, user=request.user, **payload.dict())
    return Status(201, entry)


class PolicyOut(Schema):
    preferred_channels: list[str]
    quiet_hours: str
    marketing_per_week: int
    marketing: dict[str, bool]
    service: dict[str, bool]
    recommended_channel: str


def _local_time(value: dt.time | None) -> dt.time | None:
    """Quiet hours are wall-clock times in the customer's own time zone: an offset is refused."""
    if value is not None and value.tzinfo is not None:
        raise ValueError("give the time without a UTC offset (the customer's local time)")
    return value


LocalTime = Annotated[dt.time | None, AfterValidator(_local_time)]


class PolicyIn(Schema):
    preferred_channels: list[str] | None = Field(None, max_length=9)
    quiet_start: LocalTime = None
    quiet_end: LocalTime = None
    marketing_per_week: int | None = Field(None, ge=0, le=50)
    language: str | None = Field(None, pattern="^(zh-hans|en|)$")


def _policy_out(customer: Any) -> dict[str, Any]:
    return {**policy.summary(customer), "recommended_channel": costs.recommended_channel(customer)}


@router.get("/customers/{customer_id}/contact-policy", response=PolicyOut)
def get_policy(request: HttpRequest, customer_id: Id) -> Any:
    customer = customer_queries.get_customer(
        request.user, customer_id, via=f"API GET {request.path}"
    )
    return _policy_out(customer)


@router.patch("/customers/{customer_id}/contact-policy", response=PolicyOut)
def update_policy(request: HttpRequest, customer_id: Id, payload: PolicyIn) -> Any:
    """Preferred channels, quiet hours, the weekly marketing cap, the language."""
    customer = customer_queries.get_for_update(request.user, customer_id)
    consent.update_policy(customer, payload.dict(exclude_unset=True), user=request.user)
    return _policy_out(customer)


class DecisionOut(Schema):
    allowed: bool
    code: str
    send_at: dt.datetime | None


class DecisionFilter(Schema):
    channel: str = Field(..., pattern=CHANNEL)
    purpose: str = Field(..., pattern=PURPOSE)


@router.get("/customers/{customer_id}/contact-decision", response=DecisionOut)
def contact_decision(request: HttpRequest, customer_id: Id, filters: Query[DecisionFilter]) -> Any:
    """Would a message go out now? The same answer every outbound path gets."""
    customer = customer_queries.get_for_update(request.user, customer_id)
    return policy.decide(customer, filters.channel, filters.purpose)


class MessageIn(Schema):
    purpose: str = Field(..., pattern=PURPOSE)
    body: CleanStr = Field(..., min_length=1, max_length=20000)
    subject: CleanStr = Field("", max_length=250)
    channel: str = Field("", pattern=CHANNEL_OR_BLANK)
    thread_id: Id | None = None


class MessageOut(Schema):
    id: int
    channel: str
    purpose: str
    status: str
    reason: str
    send_after: dt.datetime
    sent_at: dt.datetime | None
    interaction_id: int | None


@router.post("/customers/{customer_id}/messages", response={202: MessageOut})
def send_message(request: HttpRequest, customer_id: Id, payload: MessageIn) -> Any:
    """Ask for a message to go out. The contact policy decides: it is sent, deferred (quiet
    hours, the weekly cap: ``send_after``) or refused (``reason`` holds the code)."""
    customer = customer_queries.get_for_update(request.user, customer_id)
    thread = queries.get_thread(request.user, payload.thread_id) if payload.thread_id else None
    if thread is not None and thread.customer_id != customer.pk:
        raise NotFound("interactions.thread_not_found")  # a reply belongs to its own customer
    message = outbound.send_now(
        customer,
        purpose=payload.purpose,
        body=payload.body,
        subject=payload.subject,
        channel=payload.channel,
        thread=thread,
        reply=thread is not None,
        user=request.user,
        origin="api",
    )
    return Status(202, message)


class TouchpointOut(Schema):
    code: str
    name: str
    channel: str
    department: str
    cost_per_contact: Decimal
    status: str
    contacts_30d: int


@router.get("/touchpoints", response=list[TouchpointOut])
def touchpoints(request: HttpRequest) -> Any:
    """The touchpoint catalogue with the contacts each saw in the last 30 days (those the
    caller may see)."""
    return costs.touchpoint_volumes(request.user)


class CostRow(Schema):
    key: str
    contacts: int
    cost: Decimal
    customers: int
    cost_per_customer: Decimal


@router.get("/reports/cost-to-serve", response=dict[str, list[CostRow]])
def cost_to_serve(request: HttpRequest, days: int = Query(90, ge=1, le=3660)) -> Any:
    """Interaction cost by channel and by value tier over the last ``days``."""
    return costs.cost_to_serve(request.user, days=days)
