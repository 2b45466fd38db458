"""Customer pages: search list and the customer (360) page. Thin: parse, query, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from hudong.core.errors import DomainError
from hudong.customers import actions, panels, quality, queries, view360


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:200].replace("\x00", "")
    customers = list(queries.search(request.user, q)[:50])
    return render(request, "customers/list.html", {"customers": customers, "q": q})


def _detail_context(request: HttpRequest, customer_id: int) -> dict[str, object]:
    customer = view360.load(request.user, customer_id, via=f"page {request.path}")
    questions = quality.active_questions()
    return {
        "customer": customer,
        "identifiers": list(customer.identifiers.all()),
        "addresses": list(customer.addresses.all()),
        "attributes": list(customer.attributes.all()),
        "stale": quality.stale_attributes(customer),
        "completeness": quality.completeness(customer, questions),
        "questions": [
            (q, q.options(customer.language), quality.known(customer, q.key))
            for q in quality.proposals(customer, questions=questions)
        ],
        "contacts": list(queries.visible_customers(request.user).filter(organization=customer))
        if customer.kind == "organization"
        else [],
        "panels": panels.render_context(request.user, customer),
    }


@login_required
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    merged = queries.merged_redirect(request.user, customer_id)
    if merged is not None:
        return redirect("customers:detail", merged)
    return render(request, "customers/detail.html", _detail_context(request, customer_id))


@login_required
@require_POST
def answer(request: HttpRequest, customer_id: int) -> HttpResponse:
    """Save a drip answer; htmx gets the refreshed questions panel, a plain form a redirect."""
    customer = queries.get_for_update(request.user, customer_id)
    error = None
    try:
        actions.answer_question(
            customer,
            request.POST.get("key", "")[:100],
            request.POST.get("value", "")[:500],
            user=request.user,
        )
    except DomainError as exc:
        if exc.status == 404:
            raise
        error = exc
    if not request.headers.get("HX-Request"):
        return redirect("customers:detail", customer_id)
    context = _detail_context(request, customer_id)
    context["error"] = error
    return render(request, "customers/panel_questions.html", context)
