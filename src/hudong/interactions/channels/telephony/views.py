"""Agent pages of the telephony channel: the disposition form after a call, and the compact
360 view the screen pop opens in place. Thin: parse, call one action or query, render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.csp import CSP
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.csp import csp_override

from hudong.core import audit
from hudong.core.errors import DomainError, NotFound
from hudong.customers import panels, view360
from hudong.interactions import queries
from hudong.interactions.channels.telephony import actions
from hudong.interactions.channels.telephony.forms import DispositionForm
from hudong.interactions.models import Channel, Interaction


def _call(request: HttpRequest, interaction_id: int) -> Interaction:
    interaction = queries.get_interaction(request.user, interaction_id)
    if interaction.channel != Channel.PHONE:
        raise NotFound("telephony.call_not_found")
    return interaction


def _initial(interaction: Interaction) -> dict[str, object]:
    thread = interaction.thread
    due = thread.next_step_due if thread else None
    return {
        "outcome": interaction.outcome,
        "next_step": thread.next_step if thread else "",
        "next_step_due": timezone.localtime(due) if due else None,
        "state": thread.state if thread else "",
    }


@login_required
def disposition(request: HttpRequest, interaction_id: int) -> HttpResponse:
    interaction = _call(request, interaction_id)
    if request.method != "POST":  # showing the call is a view of personal data
        audit.record_view(
            interaction, customer_id=interaction.customer_id, via=f"page {request.path}"
        )
    form = DispositionForm(request.POST or None, initial=_initial(interaction))
    if request.method == "POST" and form.is_valid():
        try:
            actions.set_disposition(
                interaction,
                user=request.user,
                outcome=form.cleaned_data["outcome"],
                next_step=form.cleaned_data["next_step"],
                due=form.cleaned_data["next_step_due"],
                state=form.cleaned_data["state"],
            )
        except DomainError as exc:
            if exc.status == 404:
                raise
            form.add_error(None, str(exc.message))
        else:
            messages.success(request, _("The call's outcome is saved."))
            return redirect("customers:detail", interaction.customer_id)
    return render(
        request,
        "telephony/disposition.html",
        {"form": form, "interaction": interaction, "customer": interaction.customer},
        status=422 if request.method == "POST" else 200,
    )


# The screen pop shows this page inside the agent's current page (same origin only).
@xframe_options_sameorigin
@csp_override(
    {
        "default-src": [CSP.SELF],
        "style-src": [CSP.SELF],
        "img-src": [CSP.SELF, "data:"],
        "script-src": [CSP.NONE],
        "frame-ancestors": [CSP.SELF],
        "form-action": [CSP.SELF],
        "base-uri": [CSP.NONE],
        "object-src": [CSP.NONE],
    }
)
@login_required
def frame(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = view360.load(request.user, customer_id, via=f"screen pop {request.path}")
    shown = {"breakpoint", "timeline"}
    context = [p for p in panels.render_context(request.user, customer) if p["key"] in shown]
    return render(request, "telephony/frame.html", {"customer": customer, "panels": context})
