"""Agent forms of the complaint process on the case page: tick a checklist step, set the
customer's temperament, escalate to a supervisor. Thin: check scope, call one action, redirect.
A refusal (no supervisor, unknown step) comes back as a message on the case page."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hudong.core.errors import DomainError
from hudong.service import checklist, escalation, guidance, queries


@login_required
@require_POST
def step(request: HttpRequest, case_id: int, code: str) -> HttpResponse:
    case = queries.get_case(request.user, case_id)
    done = request.POST.get("done", "1") not in ("0", "false", "")
    checklist.set_done(case, code, done, request.user)
    messages.success(request, _("The checklist is updated."))
    return redirect("service:detail", case.pk)


@login_required
@require_POST
def temperament(request: HttpRequest, case_id: int) -> HttpResponse:
    case = queries.get_case(request.user, case_id)
    guidance.set_temperament(case, request.POST.get("temperament", ""), request.user)
    messages.success(request, _("The guidance follows the customer's temperament."))
    return redirect("service:detail", case.pk)


@login_required
@require_POST
def escalate(request: HttpRequest, case_id: int) -> HttpResponse:
    case = queries.get_case(request.user, case_id)
    try:
        escalation.escalate(case, request.user, request.POST.get("reason", ""))
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("service:detail", case.pk)
    messages.success(request, _("The case went to a supervisor."))
    return redirect("service:detail", case.pk)
