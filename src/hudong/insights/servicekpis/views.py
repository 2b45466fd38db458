"""Pages of the service measures: the sortable table of agent measures and the retention
report, each with a CSV export. Thin: parse, call one query, render."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from hudong.customers.exports import neutralise
from hudong.insights.servicekpis import queries
from hudong.insights.servicekpis.tables import AGENT_COLUMNS, agent_cells, retention_chart


def _csv(name: str, header: list[str], rows: Iterable[list[Any]]) -> HttpResponse:
    """A CSV file (UTF-8 with BOM, for spreadsheets); text cells neutralised."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([neutralise(h) for h in header])
    for row in rows:
        writer.writerow(["" if v is None else neutralise(str(v)) for v in row])
    response = HttpResponse("\ufeff" + out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    return response


@login_required
def agents(request: HttpRequest) -> HttpResponse:
    found = queries.agent_report(request.user, request.GET)
    base = {**found.period.params(), "group": found.group}
    columns = [
        {
            **col,
            "url": "?"
            + urlencode(
                {**base, "sort": col["key"] if found.sort != col["key"] else f"-{col['key']}"}
            ),
            "sorted": found.sort.lstrip("-") == col["key"],
            "descending": found.sort.startswith("-"),
        }
        for col in AGENT_COLUMNS
    ]
    context = {
        "report": found,
        "columns": columns,
        "rows": [{"row": r, "cells": agent_cells(r)} for r in found.rows],
        "csv": "?" + urlencode({**base, "sort": found.sort}),
    }
    return render(request, "service_kpis/agents.html", context)


@login_required
def agents_csv(request: HttpRequest) -> HttpResponse:
    found = queries.agent_report(request.user, request.GET)
    header = [str(c["label"]) for c in AGENT_COLUMNS]
    return _csv("agent-measures", header, (agent_cells(r) for r in found.rows))


@login_required
def retention(request: HttpRequest) -> HttpResponse:
    found = queries.retention_report(request.user, request.GET)
    params = {**found.period.params(), "days": str(found.days)}
    context = {
        "report": found,
        "spec": retention_chart(found),
        "csv": "?" + urlencode(params),
    }
    return render(request, "service_kpis/retention.html", context)


@login_required
def retention_csv(request: HttpRequest) -> HttpResponse:
    found = queries.retention_report(request.user, request.GET)
    header = [
        _("Group"),
        _("Customers"),
        _("Still buying"),
        _("Still buying (%)"),
        _("Closed cases"),
        _("Average recovery cost"),
    ]
    rows = [
        [g.label, g.customers, g.still_buying, g.rate, g.cases, g.average_cost]
        for g in found.groups
    ]
    return _csv("retention-after-complaints", header, rows)
