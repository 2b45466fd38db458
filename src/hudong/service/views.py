"""Case pages: the queue, one case with its workflow buttons and notes, opening a case.
Thin: parse, call one query or action, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hudong.customers import queries as customer_queries
from hudong.interactions import queries as interaction_queries
from hudong.service import actions, queries, sections, workflow
from hudong.service.forms import NoteForm, OpenCaseForm
from hudong.service.models import CaseStatus


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """Open cases in scope, most urgent first, then the oldest; filters in the query string."""
    params = request.GET
    status = params.get("status", "")
    status = status if status in CaseStatus.values or status == "all" else ""
    priority = params.get("priority", "")
    f = queries.QueueFilter(
        status=status,
        category=params.get("category", "")[:50],
        assignee=params.get("assignee", "") if params.get("assignee", "") else "",
        priority=int(priority) if priority in {"1", "2", "3", "4"} else None,
        sla=params.get("sla", "") if params.get("sla", "") in ("at_risk", "breached") else "",
    )
    return render(
        request,
        "service/queue.html",
        {
            "cases": queries.queue(request.user, f),
            "filter": f,
            "statuses": CaseStatus.choices,
            "categories": queries.categories(),
        },
    )


@login_required
def detail(request: HttpRequest, case_id: int) -> HttpResponse:
    case = queries.get_case(request.user, case_id, via=f"page {request.path}")
    notes = queries.notes(case)
    return render(
        request,
        "service/detail.html",
        {
            "case": case,
            "internal_notes": [n for n in notes if n.internal],
            "replies": [n for n in notes if not n.internal],
            "next": [(s, CaseStatus(s).label) for s in workflow.next_statuses(case.status)],
            "note_form": NoteForm(),
            "sections": sections.render_all(request, case),
        },
    )


@login_required
@require_POST
def transition(request: HttpRequest, case_id: int) -> HttpResponse:
    case = queries.get_case(request.user, case_id)
    actions.transition(case, request.POST.get("status", ""), request.user)
    messages.success(request, _("The case is updated."))
    return redirect("service:detail", case.pk)


@login_required
@require_POST
def add_note(request: HttpRequest, case_id: int) -> HttpResponse:
    case = queries.get_case(request.user, case_id)
    form = NoteForm(request.POST)
    if form.is_valid():
        if form.cleaned_data["internal"]:
            actions.add_internal_note(case, request.user, form.cleaned_data["body"])
            messages.success(request, _("The internal note is saved."))
        else:
            note = actions.reply(case, request.user, form.cleaned_data["body"])
            if note.outbound and note.outbound.status in ("sent", "delivered"):
                messages.success(request, _("The reply went to the customer."))
            else:
                messages.warning(request, _("The reply is saved; the contact policy held it back."))
    return redirect("service:detail", case.pk)


@login_required
@require_POST
def assign(request: HttpRequest, case_id: int) -> HttpResponse:
    """Round robin within the case's team (else the user's)."""
    case = queries.get_case(request.user, case_id)
    actions.assign(case, request.user)
    messages.success(request, _("The case is assigned."))
    return redirect("service:detail", case.pk)


@login_required
def open_case(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Open a case for the customer, from one of their recent contacts if chosen."""
    customer = customer_queries.get_for_update(request.user, customer_id)
    recent = interaction_queries.timeline(request.user, customer)
    initial = {}
    wanted = request.GET.get("interaction", "")
    if wanted.isdigit():
        initial["interaction"] = int(wanted)
    form = OpenCaseForm(request.POST or None, initial=initial, interactions=recent)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        interaction = (
            interaction_queries.get_interaction(request.user, data["interaction"])
            if data["interaction"]
            else None
        )
        case = actions.open_case(
            customer,
            user=request.user,
            category=data["category"],
            subject=data["subject"],
            description=data["description"],
            severity=data["severity"],
            interaction=interaction,
        )
        messages.success(request, _("Case %(number)s is open.") % {"number": case.number})
        return redirect("service:detail", case.pk)
    return render(request, "service/open.html", {"form": form, "customer": customer})
