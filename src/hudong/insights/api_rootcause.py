"""The root-cause analysis over the API (D5): the same figures, filters and scope as the page.
Thin: parse, analyse, render."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from hudong.insights.rootcause import params
from hudong.insights.rootcause.analysis import analyse

router = Router(tags=["insights"])

DATE = r"^(\d{4}-\d{2}-\d{2})?$"


class FiltersIn(Schema):
    from_: str = Field("", alias="from", pattern=DATE)
    to: str = Field("", pattern=DATE)
    region: str = Field("", max_length=50)
    category: str = Field("", max_length=50)


class ParetoOut(Schema):
    key: str
    label: str
    count: int
    share: float
    cumulative: float


class LiftOut(Schema):
    key: str
    label: str
    complaints: int
    volume: int
    complaint_share: float
    volume_share: float
    lift: float | None
    p_value: float | None
    significant: bool


class DimensionOut(Schema):
    key: str
    complaints: int
    volume: int
    rows: list[LiftOut]


class AnalysisOut(Schema):
    start: str
    end: str
    region: str
    category: str
    complaints: int
    by_root_cause: list[ParetoOut]
    by_category: list[ParetoOut]
    over_representation: list[DimensionOut]
    days: list[str]
    daily_by_category: dict[str, list[int]]


@router.get("/insights/root-cause", response=AnalysisOut)
def root_cause(request: HttpRequest, filters: Query[FiltersIn]) -> Any:
    """Complaints (cases in your scope opened from ``from`` to ``to``, default the last 90 days)
    by root cause and by category (Pareto), the over-representation of carriers, warehouses,
    products and agents (share of complaints against share of volume, lift, one-sided binomial
    p-value, flagged when p < 0.01 with at least 5 complaints), and daily complaints by category.
    Errors: 400 ``rootcause.bad_date`` / ``rootcause.bad_range``, 404
    ``rootcause.region_not_found`` / ``rootcause.category_not_found``."""
    raw = {"from": filters.from_, "to": filters.to, "region": filters.region}
    f = params.parse(request.user, {**raw, "category": filters.category})
    a = analyse(request.user, f)
    return {
        "start": f.start.isoformat(),
        "end": f.end.isoformat(),
        "region": f.region,
        "category": f.category,
        "complaints": a.complaints,
        "by_root_cause": a.by_cause,
        "by_category": a.by_category,
        "over_representation": [
            {"key": d.key, "complaints": d.complaints, "volume": d.volume, "rows": d.rows}
            for d in a.dimensions
        ],
        "days": a.days,
        "daily_by_category": a.daily,
    }
