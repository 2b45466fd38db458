"""Segment pages: the list, the editor with its live count, the members and their history.
Thin: parse, call one query or action, render."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from hudong.core.errors import DomainError
from hudong.insights.models.segments import Segment, SegmentKind
from hudong.insights.segments import actions, exports, fields, queries
from hudong.insights.segments.language import MAX_LENGTH

PER_PAGE = 50
LIVE_SAMPLE = 5

EXAMPLES = [
    "tier in (A, B) and clv >= 1000",
    "gold or mvc",
    'not drag and region = "east"',
    "r_score >= 4 and f_score >= 4",
    'city = "上海" and kind = organization',
    'attr.hobby = "tea" or tag = "vip"',
    'bought category "electronics" within 365 days',
    "no order in 180 days",
    "complained at least 2 times in 365 days",
]


class SegmentForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("name"), max_length=100)
    description = forms.CharField(
        label=gettext_lazy("description"),
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    filter = forms.CharField(
        label=gettext_lazy("filter"), max_length=MAX_LENGTH, required=False, widget=forms.Textarea
    )
    kind = forms.ChoiceField(label=gettext_lazy("kind"), choices=SegmentKind.choices)
    is_shared = forms.BooleanField(label=gettext_lazy("shared with everyone"), required=False)


def _clean_filter(request: HttpRequest) -> str:
    return request.GET.get("filter", "")[:MAX_LENGTH].replace("\x00", "")


@login_required
def segment_list(request: HttpRequest) -> HttpResponse:
    segments = list(queries.visible_segments(request.user))
    return render(request, "insights/segments/list.html", {"segments": segments})


@login_required
def segment_count(request: HttpRequest, segment_id: int) -> HttpResponse:
    """A list row's member count in the user's scope (htmx loads it after the page)."""
    segment = queries.get_segment(request.user, segment_id)
    try:
        n = queries.members(request.user, segment).count()
    except DomainError as exc:  # a saved filter that no longer compiles
        return render(request, "insights/segments/count_error.html", {"error": exc})
    return HttpResponse(f'<span data-count="{n}">{n}</span>')


@login_required
def live_count(request: HttpRequest) -> HttpResponse:
    """What the editor shows while the filter is typed: the count in the user's scope and a few
    members, or the error and where it is."""
    text = _clean_filter(request)
    context: dict[str, Any] = {"filter": text}
    try:
        context["count"], sample = queries.sample(request.user, text, LIVE_SAMPLE)
        context["sample"] = sample
    except DomainError as exc:
        column = int(exc.extra.get("column", 0) or 0)
        context.update(error=exc, code=exc.code, column=column, pointer=" " * max(column - 1, 0))
    return render(request, "insights/segments/live_count.html", context)


def _editor(request: HttpRequest, segment: Segment | None) -> HttpResponse:
    initial = (
        {
            "name": segment.name,
            "description": segment.description,
            "filter": segment.filter,
            "kind": segment.kind,
            "is_shared": segment.is_shared,
        }
        if segment is not None
        else {"kind": SegmentKind.DYNAMIC, "filter": request.GET.get("filter", "")[:MAX_LENGTH]}
    )
    form = SegmentForm(request.POST or None, initial=initial)
    if segment is not None:
        form.fields["kind"].disabled = True
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if segment is None:
                segment = actions.create(request.user, **data)
                messages.success(request, _("The segment is saved."))
            else:
                data.pop("kind", None)
                actions.update(request.user, segment, **data)
                messages.success(request, _("The segment is updated."))
            return redirect("segments:detail", segment.pk)
        except DomainError as exc:
            if exc.status in (403, 404):
                raise
            field = "filter" if exc.code.startswith("segments.") and "column" in exc.extra else None
            form.add_error(field, str(exc.message))
    return render(
        request,
        "insights/segments/editor.html",
        {
            "form": form,
            "segment": segment,
            "fields": fields.names(),
            "examples": EXAMPLES,
        },
    )


@login_required
def segment_new(request: HttpRequest) -> HttpResponse:
    return _editor(request, None)


@login_required
def segment_edit(request: HttpRequest, segment_id: int) -> HttpResponse:
    return _editor(request, queries.get_for_update(request.user, segment_id))


@login_required
def segment_detail(request: HttpRequest, segment_id: int) -> HttpResponse:
    """The members the user may see (paginated) and the segment's size after each run."""
    segment = queries.get_segment(request.user, segment_id)
    try:
        members = queries.with_value(queries.members(request.user, segment))
        page = Paginator(members, PER_PAGE).get_page(request.GET.get("page"))
        error = None
    except DomainError as exc:  # a saved filter that no longer compiles (a category removed)
        page, error = None, exc
    history = queries.snapshots(request.user, segment)
    chart = {
        "labels": [timezone.localtime(s["taken_at"]).strftime("%Y-%m-%d %H:%M") for s in history],
        "series": [{"name": _("Members"), "data": [s["count"] for s in history]}],
    }
    return render(
        request,
        "insights/segments/detail.html",
        {
            "segment": segment,
            "page": page,
            "error": error,
            "history": history,
            "chart": chart,
            "may_edit": queries.may_edit(request.user, segment),
        },
    )


@login_required
@require_POST
def segment_delete(request: HttpRequest, segment_id: int) -> HttpResponse:
    segment = queries.get_for_update(request.user, segment_id)
    actions.delete(request.user, segment)
    messages.success(request, _("The segment is deleted."))
    return redirect("segments:list")


@login_required
def segment_export(request: HttpRequest, segment_id: int, fmt: str) -> HttpResponseBase:
    if fmt not in ("csv", "xlsx"):
        raise Http404
    segment = queries.get_segment(request.user, segment_id)
    try:
        queries.members(request.user, segment)
    except DomainError as exc:
        raise Http404 from exc
    return exports.download(request.user, segment, fmt)
