"""API of the complaint process: a case's checklist, the customer's temperament and the
guidance, escalation to a supervisor (all scoped like every case route: a case outside the
caller's scope is 404), and the public complaint form (no authentication, same rules as the
web form: honeypot, minimum fill time from ``GET /complaints/form``, rate limits, 429
``complaints.rate_limited``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from hudong.api.types import CleanStr, Id
from hudong.service import checklist, escalation, guidance, public, queries

router = Router(tags=["service"])

TEMPERAMENT = "^(calm|emotional|stubborn)$"
STEP_CODE = r"^[-a-zA-Z0-9_]{1,30}$"


class StepOut(Schema):
    code: str
    label: str
    done: bool
    done_at: dt.datetime | None
    done_by: str


class ChecklistOut(Schema):
    done: int
    total: int
    steps: list[StepOut]


def _checklist(case: Any) -> ChecklistOut:
    p = checklist.progress(case)
    return ChecklistOut(done=p.done, total=p.total, steps=[StepOut(**vars(s)) for s in p.steps])


@router.get("/cases/{case_id}/checklist", response=ChecklistOut)
def case_checklist(request: HttpRequest, case_id: Id) -> Any:
    """The case's complaint checklist in order: done or pending, when and by whom (blank: a
    workflow move ticked it); standard steps labelled in the request's language."""
    return _checklist(queries.get_case(request.user, case_id))


class StepIn(Schema):
    done: bool = True


@router.post("/cases/{case_id}/checklist/{code}", response=ChecklistOut)
def set_checklist_step(request: HttpRequest, case_id: Id, code: str, payload: StepIn) -> Any:
    """Tick (``done``: true) or untick a step; an unknown step is 404
    ``checklist.step_not_found``. Answers the whole checklist."""
    case = queries.get_case(request.user, case_id)
    checklist.set_done(case, code[:30], payload.done, request.user)
    return _checklist(case)


class GuidanceOut(Schema):
    temperament: str
    title: str
    advice: list[str]
    general: list[str]


@router.get("/cases/{case_id}/guidance", response=GuidanceOut)
def case_guidance(request: HttpRequest, case_id: Id) -> Any:
    """How to handle this customer: advice for their temperament and the general steps."""
    return vars(guidance.for_case(queries.get_case(request.user, case_id)))


class TemperamentIn(Schema):
    temperament: str = Field(..., pattern=TEMPERAMENT)


@router.post("/cases/{case_id}/temperament", response=GuidanceOut)
def set_case_temperament(request: HttpRequest, case_id: Id, payload: TemperamentIn) -> Any:
    """Say how the customer comes across (calm, emotional, stubborn); answers the guidance."""
    case = queries.get_case(request.user, case_id)
    case = guidance.set_temperament(case, payload.temperament, request.user)
    return vars(guidance.for_case(case))


class EscalateIn(Schema):
    reason: CleanStr = Field(..., min_length=1, max_length=2000)


class EscalatedOut(Schema):
    id: int
    number: str
    assignee_id: int | None
    escalated_at: dt.datetime | None
    transfer_count: int


@router.post("/cases/{case_id}/escalate", response=EscalatedOut)
def escalate_case(request: HttpRequest, case_id: Id, payload: EscalateIn) -> Any:
    """Hand the case to a supervisor of its team who may see it; 409 ``cases.no_supervisor``
    when there is none, 409 ``cases.closed`` for a resolved or closed case."""
    case = queries.get_case(request.user, case_id)
    return escalation.escalate(case, request.user, payload.reason)


# --- the public form -----------------------------------------------------------------------


class CategoryOut(Schema):
    code: str
    name: str


class ComplaintFormOut(Schema):
    form_token: str
    min_fill_seconds: int
    categories: list[CategoryOut]


@router.get("/complaints/form", auth=None, response=ComplaintFormOut)
def complaint_form(request: HttpRequest) -> Any:
    """What a complaint form needs: the categories to choose from and a form token to send
    back (sent sooner than ``min_fill_seconds`` after it was issued, it is refused)."""
    return {
        "form_token": public.form_token(),
        "min_fill_seconds": public.min_fill_seconds(),
        "categories": [{"code": c.code, "name": c.name} for c in public.categories()],
    }


class ComplaintIn(Schema):
    name: CleanStr = Field(..., max_length=public.MAX_NAME)
    phone: CleanStr = Field("", max_length=50)
    email: CleanStr = Field("", max_length=200)
    category: str = Field(..., max_length=50)
    order_number: CleanStr = Field("", max_length=public.MAX_ORDER)
    subject: CleanStr = Field(..., max_length=public.MAX_SUBJECT)
    description: CleanStr = Field("", max_length=public.MAX_TEXT)
    website: str = Field("", max_length=200, description="Leave empty (a trap for robots).")
    form_token: str = Field(..., max_length=200)


class FiledOut(Schema):
    number: str
    status: str
    status_token: str
    status_url: str


@router.post("/complaints", auth=None, response={201: FiledOut})
def file_complaint(request: HttpRequest, payload: ComplaintIn) -> Any:
    """File a complaint without an account; answers the case number and the signed status
    link. Refusals: 422 (``complaints.rejected``, ``complaints.too_fast``,
    ``complaints.form_expired``, ``complaints.contact_missing``...), 429
    ``complaints.rate_limited``."""
    filed = public.submit(
        public.Submission(**payload.dict(), client_ip=request.META.get("REMOTE_ADDR") or None)
    )
    url = request.build_absolute_uri(reverse("public:status", args=[filed.token]))
    return Status(
        201,
        {
            "number": filed.case.number,
            "status": filed.case.status,
            "status_token": filed.token,
            "status_url": url,
        },
    )


class EntryOut(Schema):
    at: dt.datetime
    from_customer: bool
    text: str


class ComplaintStatusOut(Schema):
    number: str
    status: str
    status_label: str
    category: str
    subject: str
    opened_at: dt.datetime
    messages: list[EntryOut]


@router.get("/complaints/status/{token}", auth=None, response=ComplaintStatusOut)
def complaint_status(request: HttpRequest, token: str) -> Any:
    """The case a signed status link names: its status and the messages exchanged (never
    internal notes). A tampered or expired token is 404 ``complaints.link_invalid`` /
    ``complaints.link_expired``."""
    case = public.case_for_token(token[:500])
    return {
        "number": case.number,
        "status": case.status,
        "status_label": str(case.get_status_display()),
        "category": case.category.name,
        "subject": case.subject,
        "opened_at": case.created_at,
        "messages": [vars(e) for e in public.conversation(case)],
    }
