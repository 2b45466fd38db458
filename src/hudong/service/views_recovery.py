"""The recovery section's forms on the case page: record an action, inform the customer, set
the outcome. Thin: parse, call one action, say what happened, back to the case page.

A rule the action refuses (a closed case, "recovered" without an action...) comes back as a
message on the case page, with its code, rather than an error page: the agent stays where the
form is. A case out of scope is still a 404 (the read comes first)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hudong.core.errors import DomainError
from hudong.service import queries, recovery
from hudong.service.forms_recovery import InformForm, OutcomeForm, RecoveryActionForm


def _refused(request: HttpRequest, exc: DomainError) -> None:
    messages.error(request, f"{exc.message} ({exc.code})")


def _invalid(request: HttpRequest, form: object) -> None:
    errors = getattr(form, "errors", {})
    text = "; ".join(f"{field}: {' '.join(e)}" for field, e in errors.items())
    messages.error(request, _("Please correct the form: %(errors)s") % {"errors": text})


@login_required
@require_POST
def add_action(request: HttpRequest, case_id: int) -> HttpResponse:
    case = queries.get_case(request.user, case_id)
    form = RecoveryActionForm(request.POST)
    if not form.is_valid():
        _invalid(request, form)
    else:
        data = form.cleaned_data
        try:
            recovery.record_action(
                case, request.user, kind=data["kind"], cost=data["cost"], note=data["note"]
            )
        except DomainError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("The recovery action is recorded."))
    return redirect("service:detail", case.pk)


@login_required
@require_POST
def informed(request: HttpRequest, case_id: int) -> HttpResponse:
    case = queries.get_case(request.user, case_id)
    form = InformForm(request.POST)
    if not form.is_valid():
        _invalid(request, form)
    else:
        try:
            note = recovery.inform_customer(case, request.user, form.cleaned_data["message"])
        except DomainError as exc:
            _refused(request, exc)
        else:
            if note is not None and note.outbound and note.outbound.status == "queued":
                messages.warning(
                    request,
                    _("The customer is marked as informed; the message waits for its time."),
                )
            else:
                messages.success(request, _("The customer is marked as informed."))
    return redirect("service:detail", case.pk)


@login_required
@require_POST
def outcome(request: HttpRequest, case_id: int) -> HttpResponse:
    case = queries.get_case(request.user, case_id)
    form = OutcomeForm(request.POST)
    if not form.is_valid():
        _invalid(request, form)
    else:
        try:
            recovery.set_outcome(case, request.user, form.cleaned_data["outcome"])
        except DomainError as exc:
            _refused(request, exc)
        else:
            messages.success(request, _("The recovery outcome is recorded."))
    return redirect("service:detail", case.pk)
