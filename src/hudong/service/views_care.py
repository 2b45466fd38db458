"""Care task pages: the work list, a customer's care tasks, and take / done / skip.
Thin: parse, call one query or action, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hudong.core import scoping
from hudong.core.errors import DomainError
from hudong.core.models import Role
from hudong.customers import queries as customer_queries
from hudong.service import care_actions, care_queries
from hudong.service.forms_care import DoneForm, SkipForm


def _back(request: HttpRequest) -> HttpResponse:
    """Back to where the form was (a same-site ``next``), else the work list."""
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}):
        return redirect(target)
    return redirect("care:list")


@login_required
def work_list(request: HttpRequest) -> HttpResponse:
    """My open care tasks, the ones nobody has taken yet that I may take, and for a
    supervisor the calls their team has open."""
    profile = scoping.profile_of(request.user)
    supervises = profile is not None and profile.role == Role.SUPERVISOR and profile.team_id
    return render(
        request,
        "service/care_list.html",
        {
            "mine": care_queries.tasks(request.user, mine=True),
            "unassigned": care_queries.tasks(request.user, unassigned=True),
            "team": care_queries.tasks(request.user, team=True) if supervises else None,
        },
    )


@login_required
def customer_tasks(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Every care task of one customer, open and closed."""
    customer = customer_queries.get_customer(request.user, customer_id, via=f"page {request.path}")
    return render(
        request,
        "service/care_customer.html",
        {
            "customer": customer,
            "tasks": care_queries.tasks(request.user, customer_id=customer.pk, status=""),
        },
    )


@login_required
@require_POST
def take(request: HttpRequest, task_id: int) -> HttpResponse:
    task = care_queries.get_task(request.user, task_id)
    try:
        care_actions.take(task, request.user)
        messages.success(request, _("The care task is yours."))
    except DomainError as e:
        messages.error(request, str(e.message))
    return _back(request)


@login_required
@require_POST
def done(request: HttpRequest, task_id: int) -> HttpResponse:
    task = care_queries.get_task(request.user, task_id)
    form = DoneForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what came of the care call."))
        return _back(request)
    data = form.cleaned_data
    try:
        care_actions.done(
            task,
            request.user,
            data["outcome"],
            log_call=data["log_call"],
            duration_seconds=(data["duration_minutes"] or 0) * 60,
        )
        messages.success(request, _("The care task is done."))
    except DomainError as e:
        messages.error(request, str(e.message))
    return _back(request)


@login_required
@require_POST
def skip(request: HttpRequest, task_id: int) -> HttpResponse:
    task = care_queries.get_task(request.user, task_id)
    form = SkipForm(request.POST)
    reason = form.cleaned_data["reason"] if form.is_valid() else ""
    try:
        care_actions.skip(task, request.user, reason)
        messages.success(request, _("The care task is skipped."))
    except DomainError as e:
        messages.error(request, str(e.message))
    return _back(request)
