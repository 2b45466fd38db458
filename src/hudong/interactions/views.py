"""Interaction pages: the timeline filter, manual logging, the breakpoint form, contact policy
and consent, the touchpoint catalogue and the cost-to-serve report. Thin: parse, call one
query or action, render."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hudong.customers import queries as customer_queries
from hudong.interactions import actions, consent, costs, policy, queries
from hudong.interactions.forms import BreakpointForm, ConsentForm, ManualForm, PolicyForm
from hudong.interactions.models import Channel


@login_required
def timeline(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The timeline panel's list, filtered by channel (htmx swaps it in place)."""
    customer = customer_queries.get_customer(request.user, customer_id, via=f"page {request.path}")
    channel = request.GET.get("channel", "")
    channel = channel if channel in Channel.values else ""
    items = queries.timeline(request.user, customer, channel=channel)
    return render(
        request,
        "interactions/timeline_items.html",
        {"interactions": items, "channel": channel, "customer_id": customer.pk},
    )


@login_required
def log_contact(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Write down a visit, a letter, a fax or a call by hand."""
    customer = customer_queries.get_for_update(request.user, customer_id)
    form = ManualForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.log_manual(
            customer,
            user=request.user,
            channel=data["channel"],
            direction=data["direction"],
            subject=data["subject"],
            content=data["content"],
            outcome=data["outcome"],
            duration_seconds=data["duration_minutes"] * 60,
            next_step=data["next_step"],
            next_step_due=data["next_step_due"],
        )
        messages.success(request, _("The contact is on the timeline."))
        return redirect("customers:detail", customer.pk)
    return render(request, "interactions/log.html", {"form": form, "customer": customer})


@login_required
def breakpoint(request: HttpRequest, thread_id: int) -> HttpResponse:
    """Say where a conversation stands and what happens next."""
    thread = queries.get_thread(request.user, thread_id)
    initial = {
        "state": thread.state,
        "next_step": thread.next_step,
        "next_step_due": thread.next_step_due,
    }
    form = BreakpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        actions.set_breakpoint(
            thread,
            user=request.user,
            state=data["state"],
            next_step=data["next_step"],
            due=data["next_step_due"],
            clear_due=data["next_step_due"] is None,
        )
        messages.success(request, _("The conversation's next step is saved."))
        return redirect("customers:detail", thread.customer_id)
    return render(request, "interactions/breakpoint.html", {"form": form, "thread": thread})


def _policy_initial(customer: Any) -> dict[str, Any]:
    found = getattr(customer, "contact_policy", None)
    if found is None:
        return {}
    return {
        "preferred_channels": found.preferred_channels,
        "quiet_start": found.quiet_start,
        "quiet_end": found.quiet_end,
        "marketing_per_week": found.marketing_per_week,
    }


@login_required
def contact_policy(request: HttpRequest, customer_id: int) -> HttpResponse:
    """The customer's contact policy and consent ledger, and the forms to change them."""
    customer = customer_queries.get_customer(request.user, customer_id, via=f"page {request.path}")
    policy_form = PolicyForm(initial=_policy_initial(customer))
    return render(
        request,
        "interactions/contact_policy.html",
        {
            "customer": customer,
            "policy_form": policy_form,
            "consent_form": ConsentForm(),
            "summary_panel": {"policy": policy.summary(customer), "customer_id": customer.pk},
            "ledger": policy.consent_entries(customer, "")[:50],
            "recommended": costs.recommended_channel(customer),
        },
    )


@login_required
@require_POST
def save_policy(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customer_queries.get_for_update(request.user, customer_id)
    form = PolicyForm(request.POST)
    if form.is_valid():
        consent.update_policy(customer, form.cleaned_data, user=request.user)
        messages.success(request, _("The contact policy is saved."))
    else:
        for error in form.errors.get("__all__", []):
            messages.error(request, str(error))
    return redirect("interactions:contact_policy", customer.pk)


@login_required
@require_POST
def save_consent(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = customer_queries.get_for_update(request.user, customer_id)
    form = ConsentForm(request.POST)
    if form.is_valid():
        consent.record(customer, user=request.user, **form.cleaned_data)
        messages.success(request, _("The consent ledger has a new entry."))
    else:
        messages.error(request, _("Please complete every consent field."))
    return redirect("interactions:contact_policy", customer.pk)


@login_required
def touchpoints(request: HttpRequest) -> HttpResponse:
    rows = costs.touchpoint_volumes(request.user)
    chart = {
        "labels": [r["name"] for r in rows],
        "series": [
            {"name": _("Contacts in the last 30 days"), "data": [r["contacts_30d"] for r in rows]}
        ],
    }
    return render(request, "interactions/touchpoints.html", {"rows": rows, "chart": chart})


@login_required
def cost_to_serve(request: HttpRequest) -> HttpResponse:
    try:
        days = max(1, min(int(request.GET.get("days", "90")), 3660))
    except ValueError:
        days = 90
    report = costs.cost_to_serve(request.user, days=days)
    charts = {
        "channel": {
            "labels": [Channel(r["key"]).label for r in report["by_channel"]],
            "series": [
                {"name": _("Cost"), "data": [float(r["cost"]) for r in report["by_channel"]]}
            ],
        },
        "tier": {
            "labels": [r["key"] for r in report["by_tier"]],
            "series": [
                {
                    "name": _("Cost per customer"),
                    "data": [float(r["cost_per_customer"]) for r in report["by_tier"]],
                }
            ],
        },
    }
    since = dt.date.today() - dt.timedelta(days=days)
    return render(
        request,
        "interactions/cost_to_serve.html",
        {"report": report, "charts": charts, "days": days, "since": since},
    )
