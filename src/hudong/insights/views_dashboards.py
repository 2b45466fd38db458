"""Dashboard pages: the dashboards, the customers behind a point, exports, and the insights
runs with a "Run now" button. Thin: parse, call one query, render."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from hudong.core import jobs
from hudong.core.errors import NotFound
from hudong.insights.kpis import drill, exports, pages, registry
from hudong.insights.kpis.scope import View


def _page_number(request: HttpRequest) -> int:
    raw = request.GET.get("page", "1")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) < 6 else 1


@login_required
def index(request: HttpRequest) -> HttpResponse:
    boards = registry.dashboards()
    if not boards:
        raise NotFound("insights.dashboard_not_found")
    return redirect("dashboards:show", boards[0].key)


@login_required
def show(request: HttpRequest, key: str) -> HttpResponse:
    board = pages.get_dashboard(key)
    view = View.of(request.user, request.GET)
    blocks = [pages.chart_block(c, view) for c in registry.charts_of(board)]
    context: dict[str, Any] = {
        "board": board,
        "boards": registry.dashboards(),
        "view": view,
        "filters": view.filters.params(),
        "qs": urlencode(view.filters.params()),
        "regions": pages.regions_for(view),
        "blocks": blocks,
        "may_run": pages.may_run(request.user),
    }
    return render(request, "insights/dashboards/show.html", context)


@login_required
def drill_down(request: HttpRequest, chart_key: str) -> HttpResponse:
    chart = pages.get_chart(chart_key)
    if chart.drill is None:
        raise NotFound("insights.chart_not_found")
    view = View.of(request.user, request.GET)
    token = request.GET.get("point", "")[:60]
    number = _page_number(request)
    rows, more = drill.page(chart.drill(view, token), number)
    context = {
        "chart": chart,
        "token": token,
        "view": view,
        "rows": rows,
        "number": number,
        "more": more,
        "query": view.filters.params(),
        "qs": urlencode({**view.filters.params(), "point": token}),
    }
    return render(request, "insights/dashboards/customers.html", context)


@login_required
def drill_export(request: HttpRequest, chart_key: str) -> HttpResponseBase:
    chart = pages.get_chart(chart_key)
    if chart.drill is None:
        raise NotFound("insights.chart_not_found")
    view = View.of(request.user, request.GET)
    token = request.GET.get("point", "")[:60]
    return exports.drill_csv(request.user, chart, token, chart.drill(view, token))


@login_required
def chart_export(request: HttpRequest, chart_key: str, fmt: str) -> HttpResponse:
    chart = pages.get_chart(chart_key)
    view = View.of(request.user, request.GET)
    data = chart.build(view)
    label = _("Label")
    if fmt == "xlsx":
        return exports.chart_xlsx(chart, data, label)
    return exports.chart_csv(chart, data, label)


@login_required
def runs(request: HttpRequest) -> HttpResponse:
    found = pages.runs_for(request.user)
    job = None
    raw = request.GET.get("job", "")
    if raw.isascii() and raw.isdigit() and len(raw) < 12:
        try:
            job = jobs.visible(request.user, int(raw))
        except NotFound:
            job = None
    context = {"runs": found, "job": job, "result": jobs.shown_result(job) if job else {}}
    return render(request, "insights/dashboards/runs.html", context)


@login_required
@require_POST
def run_now(request: HttpRequest) -> HttpResponse:
    job = pages.start_run(request.user)
    return redirect(f"{reverse('dashboards:runs')}?job={job.pk}")
