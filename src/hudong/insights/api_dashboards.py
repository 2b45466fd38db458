"""Dashboard endpoints: the dashboards, each one's chart series with the same filters and
scoping as the pages, and the customers behind a point. Thin: parse, call one query, render."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from hudong.core.errors import NotFound
from hudong.insights.kpis import drill, pages, registry
from hudong.insights.kpis.scope import View

router = Router(tags=["insights"])

MONTH = r"^\d{4}-\d{2}$"


class DashboardOut(Schema):
    key: str
    title: str
    charts: list[str]


class SeriesOut(Schema):
    name: str
    data: list[float | int | None]
    drill: list[str | None]


class ChartOut(Schema):
    key: str
    title: str
    kind: str
    unit: str
    labels: list[str]
    series: list[SeriesOut]


class DashboardDataOut(Schema):
    key: str
    title: str
    run_id: int | None
    filters: dict[str, str]
    charts: list[ChartOut]


class DashboardFilter(Schema):
    from_month: str = Field("", alias="from", pattern=f"({MONTH})|^$")
    to_month: str = Field("", alias="to", pattern=f"({MONTH})|^$")
    region: str = Field("", max_length=32)


class DrillFilter(DashboardFilter):
    point: str = Field(..., min_length=1, max_length=60)
    page: int = Field(1, ge=1, le=10_000)


class CustomerRow(Schema):
    id: int
    name: str
    region: str
    tier: str | None


class DrillOut(Schema):
    chart: str
    point: str
    page: int
    more: bool
    customers: list[CustomerRow]


def _params(f: DashboardFilter) -> dict[str, str]:
    return {"from": f.from_month, "to": f.to_month, "region": f.region}


@router.get("/dashboards", response=list[DashboardOut])
def list_dashboards(request: HttpRequest) -> Any:
    """The dashboards and their charts (anyone who may open the dashboards)."""
    View.of(request.user, {})
    return [
        {
            "key": b.key,
            "title": str(b.title),
            "charts": [c.key for c in registry.charts_of(b)],
        }
        for b in registry.dashboards()
    ]


@router.get("/dashboards/{key}", response=DashboardDataOut)
def dashboard_data(request: HttpRequest, key: str, filters: Query[DashboardFilter]) -> Any:
    """Every chart of a dashboard as series, for ``from``/``to`` (YYYY-MM) and ``region``
    (a code); a region outside the caller's scope is ``insights.region_not_found``."""
    board = pages.get_dashboard(key)
    view = View.of(request.user, _params(filters))
    out = []
    for chart in registry.charts_of(board):
        spec = chart.build(view).as_json()
        out.append({"key": chart.key, "title": str(chart.title), "kind": chart.kind, **spec})
    return {
        "key": board.key,
        "title": str(board.title),
        "run_id": view.run.pk if view.run else None,
        "filters": view.filters.params(),
        "charts": out,
    }


@router.get("/dashboards/charts/{chart_key}/customers", response=DrillOut)
def drill_customers(request: HttpRequest, chart_key: str, filters: Query[DrillFilter]) -> Any:
    """The customers behind one point of a chart (its ``drill`` token), 50 a page."""
    chart = pages.get_chart(chart_key)
    if chart.drill is None:
        raise NotFound("insights.chart_not_found")
    view = View.of(request.user, _params(filters))
    rows, more = drill.page(chart.drill(view, filters.point), filters.page)
    return {
        "chart": chart.key,
        "point": filters.point,
        "page": filters.page,
        "more": more,
        "customers": [
            {
                "id": c.pk,
                "name": c.name,
                "region": c.region.code,
                "tier": getattr(getattr(c, "value", None), "tier", None),
            }
            for c in rows
        ],
    }
