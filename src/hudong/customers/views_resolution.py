"""Pages of identity resolution and data quality: the review queue with its side-by-side
comparison, the merge history with undo, the data-quality work list. Thin."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hudong.core import jobs
from hudong.core.errors import PermissionDeniedError
from hudong.core.models import Job, JobStatus
from hudong.customers import actions, quality, queries, view360
from hudong.customers.models import Customer

COMPARED = ["name", "name_latin", "gender", "birth_date", "region", "organization", "job_title"]


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status", "pending")
    if status not in {"pending", "not_same", "merged", "auto_merged", "unmerged"}:
        status = "pending"
    page = Paginator(queries.review_queue(request.user, status), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "customers/duplicates.html", {"page": page, "status": status})


def _label(field: str) -> str:
    return str(capfirst(getattr(Customer._meta.get_field(field), "verbose_name", field)))


def _shown(customer: Customer, field: str) -> object:
    """A field as a person reads it: choices by their label."""
    display = getattr(customer, f"get_{field}_display", None)
    return (
        display() if display is not None and getattr(customer, field) else getattr(customer, field)
    )


def _side(request: HttpRequest, customer_id: int) -> dict[str, object]:
    customer = view360.load(request.user, customer_id, via=f"page {request.path}")
    return {
        "customer": customer,
        "facts": [(_label(f), _shown(customer, f)) for f in COMPARED],
        "identifiers": list(customer.identifiers.all()),
        "addresses": list(customer.addresses.all()),
        "orders": customer.orders.count() if hasattr(customer, "orders") else 0,
    }


@login_required
def compare(request: HttpRequest, candidate_id: int) -> HttpResponse:
    """Both records side by side, with the evidence, and the three decisions."""
    candidate = queries.get_candidate(request.user, candidate_id)
    left, right = _side(request, candidate.left_id), _side(request, candidate.right_id)
    rows = [
        (field, lv, rv, lv != rv)
        for (field, lv), (_f, rv) in zip(left["facts"], right["facts"], strict=True)  # type: ignore[call-overload]
    ]
    context = {"candidate": candidate, "left": left, "right": right, "rows": rows}
    return render(request, "customers/compare.html", context)


@login_required
@require_POST
def decide(request: HttpRequest, candidate_id: int) -> HttpResponse:
    decision = request.POST.get("decision", "")
    keep = request.POST.get("keep") or None
    candidate = actions.decide_candidate(
        request.user,
        candidate_id,
        decision,
        int(keep) if keep and (keep.isascii() and keep.isdigit()) else None,
    )
    if candidate.status == "not_same":
        messages.success(request, _("Remembered: these are two different customers."))
    else:
        messages.success(request, _("Merged. The merge can be undone from the merge history."))
    return redirect("customers:duplicates")


@login_required
def merge_history(request: HttpRequest) -> HttpResponse:
    page = Paginator(queries.merges(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "customers/merges.html", {"page": page})


@login_required
@require_POST
def undo_merge(request: HttpRequest, merge_id: int) -> HttpResponse:
    restored = actions.unmerge(request.user, merge_id)
    messages.success(request, _("Merge undone: both records are back as they were."))
    return redirect("customers:detail", restored.pk)


@login_required
@require_POST
def run_detection(request: HttpRequest) -> HttpResponse:
    """Start a duplicate-detection run in the background and watch its progress."""
    if not queries.mergeable_ids(request.user).exists():
        raise PermissionDeniedError("customers.merge_forbidden")
    # One run at a time: a second click (or a second supervisor) joins the run under way.
    running = Job.objects.filter(
        kind="customers.resolution", status__in=[JobStatus.QUEUED, JobStatus.RUNNING]
    ).first()
    if running is not None:
        messages.info(request, _("Duplicate detection is already running."))
        return (
            redirect("web:job", running.pk)
            if running.created_by_id == request.user.pk
            else redirect("customers:duplicates")
        )
    job = jobs.start("customers.resolution", user=request.user)
    return redirect("web:job", job.pk)


@login_required
def worklist(request: HttpRequest) -> HttpResponse:
    page = Paginator(queries.worklist(request.user), 50).get_page(request.GET.get("page"))
    rows = [(c, quality.gaps(c)) for c in page.object_list]
    return render(request, "customers/worklist.html", {"page": page, "rows": rows})
