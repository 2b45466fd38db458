"""Customer pages: search list and the customer (360) page. Thin: parse, query, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hudong.customers import panels, queries


@login_required
def customer_list(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "")[:200].replace("\x00", "")
    customers = list(queries.search(request.user, q)[:50])
    return render(request, "customers/list.html", {"customers": customers, "q": q})


@login_required
def customer_detail(request: HttpRequest, customer_id: int) -> HttpResponse:
    customer = queries.get_customer(request.user, customer_id, via=f"page {request.path}")
    context = {
        "customer": customer,
        "identifiers": list(customer.identifiers.all()),
        "addresses": list(customer.addresses.all()),
        "attributes": list(customer.attributes.all()),
        "contacts": list(queries.visible_customers(request.user).filter(organization=customer)),
        "panels": panels.render_context(request.user, customer),
    }
    return render(request, "customers/detail.html", context)
