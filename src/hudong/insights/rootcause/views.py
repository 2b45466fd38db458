"""The root-cause analysis page and its CSV export. Thin: parse, analyse, render."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from hudong.insights.rootcause import export, params
from hudong.insights.rootcause.analysis import Analysis, analyse, regions_for
from hudong.service.queries import categories


def _pareto_spec(rows: Any, name: str) -> dict[str, Any]:
    return {
        "labels": [r.label for r in rows],
        "unit": "",
        "series": [{"name": name, "data": [r.count for r in rows]}],
    }


def _daily_spec(a: Analysis) -> dict[str, Any]:
    return {
        "labels": a.days,
        "unit": "",
        "series": [{"name": name, "data": data} for name, data in a.daily.items()],
    }


@login_required
def page(request: HttpRequest) -> HttpResponse:
    f = params.parse(request.user, request.GET)
    a = analyse(request.user, f)
    context = {
        "a": a,
        "filters": f.params(),
        "qs": urlencode(f.params()),
        "regions": regions_for(request.user),
        "categories": categories(),
        "cause_spec": _pareto_spec(a.by_cause, _("Complaints")),
        "category_spec": _pareto_spec(a.by_category, _("Complaints")),
        "daily_spec": _daily_spec(a),
    }
    return render(request, "rootcause/page.html", context)


@login_required
def export_csv(request: HttpRequest) -> HttpResponse:
    f = params.parse(request.user, request.GET)
    return export.as_csv(analyse(request.user, f))
