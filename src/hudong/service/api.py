"""Case endpoints: the queue, opening a case, one case, its workflow, notes and assignment.
Thin: parse, call one query or action, render. Errors are problem JSON with stable codes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from ninja import Field, Query, Router, Schema, Status

from hudong.api.types import CleanStr, Id
from hudong.core.errors import DomainError, NotFound
from hudong.core.models import Team
from hudong.customers import queries as customer_queries
from hudong.interactions import queries as interaction_queries
from hudong.service import actions, queries
from hudong.service.models import CaseCategory

router = Router(tags=["service"])

STATUS = "^(new|acknowledged|in_progress|waiting_customer|resolved|closed)$"
SEVERITY = "^(low|medium|high|critical)$"


class CaseOut(Schema):
    id: int
    number: str
    customer_id: int
    category: str
    subject: str
    description: str
    severity: str
    priority: int
    status: str
    source: str
    channel: str
    interaction_id: int | None
    assignee_id: int | None
    team_id: int | None
    created_at: dt.datetime
    acknowledged_at: dt.datetime | None
    first_response_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    reopened_count: int
    sla_policy_id: int | None
    first_response_due: dt.datetime | None
    resolution_due: dt.datetime | None
    paused_at: dt.datetime | None
    paused_seconds: int
    sla_warned_at: dt.datetime | None
    first_response_breached_at: dt.datetime | None
    resolution_breached_at: dt.datetime | None
    sla_state: str

    @staticmethod
    def resolve_category(obj: Any) -> str:
        return str(obj.category.code)


class NoteOut(Schema):
    id: int
    case_id: int
    author_id: int | None
    body: str
    internal: bool
    created_at: dt.datetime
    interaction_id: int | None
    delivery: str

    @staticmethod
    def resolve_delivery(obj: Any) -> str:
        return obj.outbound.status if obj.outbound_id else ""


class QueueIn(Schema):
    status: str = Field("", pattern=f"^(all|{STATUS[2:-2]}|)$")
    category: str = Field("", max_length=50)
    assignee: str = Field("", pattern=r"^(me|none|\d{1,18}|)$")
    priority: int | None = Field(None, ge=1, le=4)
    sla: str = Field("", pattern="^(at_risk|breached|)$")


@router.get("/cases", response=list[CaseOut])
def list_cases(request: HttpRequest, filters: Query[QueueIn]) -> Any:
    """The case queue (open cases unless ``status`` says otherwise), most urgent first, then
    the oldest; 50 at most."""
    return queries.queue(request.user, queries.QueueFilter(**filters.dict()))


class CaseIn(Schema):
    category: str = Field(..., min_length=1, max_length=50)
    subject: CleanStr = Field(..., min_length=1, max_length=200)
    description: CleanStr = Field("", max_length=20000)
    severity: str = Field("medium", pattern=SEVERITY)
    interaction_id: Id | None = None
    # blank: "interaction" when opened from a contact, else "agent"
    source: str = Field("", pattern="^(agent|web_form|interaction|)$")


def _category(code: str) -> CaseCategory:
    found = CaseCategory.objects.filter(code=code, active=True).first()
    if found is None:
        raise DomainError("cases.category_not_found", _("Unknown category."), status=422)
    return found


@router.post("/customers/{customer_id}/cases", response={201: CaseOut})
def create_case(request: HttpRequest, customer_id: Id, payload: CaseIn) -> Any:
    """Open a case for the customer, optionally from one of their contacts."""
    customer = customer_queries.get_for_update(request.user, customer_id)
    interaction = (
        interaction_queries.get_interaction(request.user, payload.interaction_id)
        if payload.interaction_id
        else None
    )
    case = actions.open_case(
        customer,
        user=request.user,
        category=_category(payload.category),
        subject=payload.subject,
        description=payload.description,
        severity=payload.severity,
        interaction=interaction,
        source="" if payload.source == "interaction" and not interaction else payload.source,
    )
    return Status(201, queries.get_case(request.user, case.pk))


@router.get("/customers/{customer_id}/cases", response=list[CaseOut])
def customer_cases(request: HttpRequest, customer_id: Id) -> Any:
    """The customer's open cases, most urgent first."""
    customer = customer_queries.get_customer(
        request.user, customer_id, via=f"API GET {request.path}"
    )
    return queries.open_cases(request.user, customer)


@router.get("/cases/{case_id}", response=CaseOut)
def get_case(request: HttpRequest, case_id: Id) -> Any:
    """One case (the read is audited)."""
    return queries.get_case(request.user, case_id, via=f"API GET {request.path}")


class TransitionIn(Schema):
    status: str = Field(..., pattern=STATUS)


@router.post("/cases/{case_id}/transition", response=CaseOut)
def transition_case(request: HttpRequest, case_id: Id, payload: TransitionIn) -> Any:
    """Move the case along its workflow; a move the workflow does not allow answers 409
    ``cases.bad_transition``."""
    case = queries.get_case(request.user, case_id)
    actions.transition(case, payload.status, request.user)
    return queries.get_case(request.user, case_id)


@router.get("/cases/{case_id}/notes", response=list[NoteOut])
def case_notes(request: HttpRequest, case_id: Id) -> Any:
    """Internal notes and replies, oldest first."""
    return queries.notes(queries.get_case(request.user, case_id))


class NoteIn(Schema):
    body: CleanStr = Field(..., min_length=1, max_length=20000)
    internal: bool = True


@router.post("/cases/{case_id}/notes", response={201: NoteOut})
def add_note(request: HttpRequest, case_id: Id, payload: NoteIn) -> Any:
    """An internal note (``internal``: true), or a reply sent to the customer on their
    channel through the contact policy (``delivery`` tells what the policy did with it)."""
    case = queries.get_case(request.user, case_id)
    if payload.internal:
        note = actions.add_internal_note(case, request.user, payload.body)
    else:
        note = actions.reply(case, request.user, payload.body)
    return Status(201, note)


class AssignIn(Schema):
    to: Id | None = None
    team: Id | None = None


@router.post("/cases/{case_id}/assign", response=CaseOut)
def assign_case(request: HttpRequest, case_id: Id, payload: AssignIn) -> Any:
    """Give the case to a person (``to``), or let round robin pick within ``team`` (else the
    case's team, else yours)."""
    case = queries.get_case(request.user, case_id)
    to = None
    if payload.to is not None:
        to = get_user_model().objects.filter(pk=payload.to).first()
        if to is None:
            raise NotFound("cases.assignee_not_found")
    team = None
    if payload.team is not None:
        team = Team.objects.filter(pk=payload.team).first()
        if team is None:
            raise NotFound("cases.team_not_found")
    actions.assign(case, request.user, to=to, team=team)
    return queries.get_case(request.user, case_id)
