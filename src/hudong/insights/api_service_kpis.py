"""Service measures endpoints: agent measures (I1) and the retention report (D4), with the
same rules and scoping as their pages. Thin: parse, call one query, return."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Field, Query, Router, Schema

from hudong.insights.servicekpis import (
    charts,  # noqa: F401  (registers the Service dashboard)
    queries,
)

router = Router(tags=["service"])

DAY = r"^(\d{4}-\d{2}(-\d{2})?)?$"


class PeriodFilter(Schema):
    from_day: str = Field("", alias="from", pattern=DAY, description="YYYY-MM-DD (or YYYY-MM)")
    to_day: str = Field("", alias="to", pattern=DAY, description="YYYY-MM-DD (or YYYY-MM)")


class AgentFilter(PeriodFilter):
    group: str = Field("agent", pattern="^(agent|team|region)$")
    sort: str = Field("key", max_length=40)


class RetentionFilter(PeriodFilter):
    days: int = Field(180, ge=1, le=730, description="The window after the reference date")


class AgentRowOut(Schema):
    key: str
    user_id: int | None
    agents: int
    members: list[str]
    resolved: int
    first_contact: int
    escalated: int
    sla_met: int
    csat_answers: int
    csat_sum: int
    csat_top: int
    handle_seconds: int
    non_contact_seconds: int
    on_duty_seconds: int
    fcr_rate: float | None
    escalation_rate: float | None
    empowerment_rate: float | None
    sla_rate: float | None
    csat_mean: float | None
    csat_top_share: float | None
    handle_hours: float
    non_contact_hours: float


class AgentReportOut(Schema):
    from_day: str = Field(..., alias="from")
    to_day: str = Field(..., alias="to")
    group: str
    rows: list[AgentRowOut]


class GroupOut(Schema):
    key: str
    label: str
    customers: int
    still_buying: int
    rate: float | None
    cases: int
    average_cost: float | None


class ComparisonOut(Schema):
    first: str
    second: str
    difference: float | None
    z: float | None
    p_value: float | None
    significant: bool


class RetentionOut(Schema):
    from_day: str = Field(..., alias="from")
    to_day: str = Field(..., alias="to")
    days: int
    windows_complete: bool
    groups: list[GroupOut]
    comparisons: list[ComparisonOut]


def _params(f: PeriodFilter, **extra: Any) -> dict[str, Any]:
    return {"from": f.from_day, "to": f.to_day, **extra}


@router.get("/insights/service/agents", response=AgentReportOut, by_alias=True)
def agent_measures(request: HttpRequest, filters: Query[AgentFilter]) -> Any:
    """First-contact resolution, escalation and empowerment, SLA attainment, CSAT, handle and
    non-contact time per agent, team or region over the cases resolved in a period (default:
    the last 30 days); only the agents the caller may see."""
    found = queries.agent_report(
        request.user, _params(filters, group=filters.group, sort=filters.sort)
    )
    return found.as_dict()


@router.get("/insights/service/retention", response=RetentionOut, by_alias=True)
def retention(request: HttpRequest, filters: Query[RetentionFilter]) -> Any:
    """Share still buying among customers whose complaint was recovered, not recovered, and
    who never complained, with two-proportion tests (default: the year ending ``days`` ago)."""
    found = queries.retention_report(request.user, _params(filters, days=str(filters.days)))
    return found.as_dict()
