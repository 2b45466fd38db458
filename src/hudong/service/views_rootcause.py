"""The root-cause form of the case page. Thin: parse, call the action, go back to the case."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hudong.core.errors import DomainError
from hudong.service import queries, rootcause


def _id(value: str) -> int | None:
    """A posted id, or None when blank; anything else is refused, not a 500."""
    value = value.strip()
    if not value:
        return None
    if not value.isdigit() or len(value) > 18:
        raise DomainError(
            "cases.bad_link", _("Pick the order, shipment and product from the lists.")
        )
    return int(value)


@login_required
@require_POST
def set_root_cause(request: HttpRequest, case_id: int) -> HttpResponse:
    case = queries.get_case(request.user, case_id)
    post = request.POST
    try:
        rootcause.set_root_cause(
            case,
            post.get("root_cause", "")[:50],
            request.user,
            order=_id(post.get("order", "")),
            shipment=_id(post.get("shipment", "")),
            product=_id(post.get("product", "")),
        )
    except DomainError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("The root cause is recorded."))
    return redirect("service:detail", case.pk)
