"""What a dashboard page shows: each chart's spec, its table with drill-down links, its
exports; and who may watch and start insights runs. Used by the pages and the API."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from hudong.core import audit, jobs, scoping
from hudong.core.errors import NotFound, PermissionDeniedError
from hudong.core.models import Job, Region, Role
from hudong.core.models.audit import AuditAction
from hudong.insights.kpis import (
    charts,  # noqa: F401  (registers the dashboards)
    registry,
)
from hudong.insights.kpis.registry import Chart, ChartData, Dashboard
from hudong.insights.kpis.scope import REGION, View
from hudong.insights.models import InsightsRun


def get_dashboard(key: str) -> Dashboard:
    board = registry.dashboard(key)
    if board is None:
        raise NotFound("insights.dashboard_not_found")
    return board


def get_chart(key: str) -> Chart:
    found = registry.chart(key)
    if found is None:
        raise NotFound("insights.chart_not_found")
    return found


def drill_url(chart: Chart, view: View, token: str | None) -> str | None:
    if not token or chart.drill is None:
        return None
    query = urlencode({**view.filters.params(), "point": token})
    return f"{reverse('dashboards:drill', args=[chart.key])}?{query}"


def chart_block(chart: Chart, view: View) -> dict[str, Any]:
    """Everything the page needs to draw one chart and its table."""
    data: ChartData = chart.build(view)
    query = urlencode(view.filters.params())
    base = reverse("dashboards:drill", args=[chart.key])
    rows = []
    for i, label in enumerate(data.labels):
        cells = []
        for s in data.series:
            token = s.drill[i] if i < len(s.drill) else None
            cells.append({"value": s.data[i], "url": drill_url(chart, view, token)})
        rows.append({"label": label, "cells": cells})
    return {
        "chart": chart,
        "spec": data.as_json(),
        "headers": [s.name for s in data.series],
        "unit": data.unit,
        "rows": rows,
        "drill_base": f"{base}?{query}&" if chart.drill else "",
        "csv": f"{reverse('dashboards:chart_csv', args=[chart.key])}?{query}",
        "xlsx": f"{reverse('dashboards:chart_xlsx', args=[chart.key])}?{query}",
    }


def regions_for(view: View) -> list[Region]:
    """The regions the filter offers: only their own to a user of one region."""
    if view.access.mode == REGION:
        return list(Region.objects.filter(pk__in=[view.access.region_id]))
    return list(Region.objects.order_by("name"))


def may_run(user: Any) -> bool:
    """Analysts and administrators watch and start insights runs."""
    if getattr(user, "is_superuser", False):
        return True
    profile = scoping.profile_of(user)
    return profile is not None and profile.role in (Role.ANALYST, Role.ADMIN)


def runs_for(user: Any, limit: int = 20) -> list[InsightsRun]:
    if not may_run(user):
        raise PermissionDeniedError("insights.runs_denied")
    return list(InsightsRun.objects.select_related("created_by")[:limit])


def start_run(user: Any) -> Job:
    """An insights run now, as a job the starter watches; audited."""
    if not may_run(user):
        raise PermissionDeniedError("insights.runs_denied")
    job = jobs.start("insights.run", user=user)
    audit.record(AuditAction.CREATE, job, before=None, after={"kind": job.kind}, customer_id=None)
    return job
