"""The "Service" dashboard: agent measures (I1), and links to the agent table and to the
retention report after a complaint (D4).

Its charts are counted live over the cases (aggregate queries on indexed columns), not from
the nightly facts, so they need no insights run. The months of the dashboard's filter are the
period; the region filter keeps the agents of that region. The pages, exports and API of the
dashboard framework serve these charts like any other. The retention report is not a chart
here: over a year of a large database it probes every complaining customer's orders (seconds
to tens of seconds), too slow for a dashboard every user opens; it has its own page.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from hudong.insights.kpis.registry import (
    Chart,
    ChartData,
    Dashboard,
    Series,
    register_chart,
    register_dashboard,
)
from hudong.insights.kpis.scope import View, add_months
from hudong.insights.servicekpis import measures
from hudong.insights.servicekpis.period import Period

BOARD = "service"
CHART_AGENTS = 30  # agents shown per chart


def period_of(view: View) -> Period:
    """The dashboard's months as a period of days."""
    last = add_months(view.filters.end, 1) - dt.timedelta(days=1)
    return Period(view.filters.start, last)


def _rows(view: View, by: str) -> list[measures.Row]:
    """The measures of this view, computed once per request and grouping."""
    memo: dict[str, Any] = view.__dict__.setdefault("_service_kpis", {})
    if "agent" not in memo:
        region = view.filters.region.pk if view.filters.region is not None else None
        profiles = measures.agents_of(view.user, region)
        memo["profiles"] = profiles
        memo["agent"] = measures.per_agent(profiles, period_of(view))
    if by not in memo:
        memo[by] = measures.grouped(memo["profiles"], memo["agent"], by)
    active = [r for r in memo[by] if r.active]
    if by != "agent":
        return active
    # the busiest agents (most cases resolved): a bar chart of hundreds says nothing; every
    # agent is in the agent measures table
    busiest = sorted(active, key=lambda r: (-r.resolved, r.key))[:CHART_AGENTS]
    return sorted(busiest, key=lambda r: r.key)


def _rates(rows: list[measures.Row]) -> list[Series]:
    return [
        Series(_("First-contact resolution (%)"), [r.fcr_rate for r in rows]),
        Series(_("Empowerment (%)"), [r.empowerment_rate for r in rows]),
        Series(_("SLA attainment (%)"), [r.sla_rate for r in rows]),
        Series(_("Escalation rate (%)"), [r.escalation_rate for r in rows], hidden=True),
        Series(_("Cases resolved"), [r.resolved for r in rows], hidden=True),
    ]


def resolution_by(by: str) -> Any:
    def build(view: View) -> ChartData:
        rows = _rows(view, by)
        return ChartData([r.key for r in rows], _rates(rows))

    return build


def csat_by_agent(view: View) -> ChartData:
    rows = [r for r in _rows(view, "agent") if r.csat_answers]
    return ChartData(
        [r.key for r in rows],
        [
            Series(_("Average CSAT (1–5)"), [r.csat_mean for r in rows]),
            Series(_("CSAT answers"), [r.csat_answers for r in rows], hidden=True),
            Series(_("Share of 4 and 5 (%)"), [r.csat_top_share for r in rows], hidden=True),
        ],
    )


def time_by_agent(view: View) -> ChartData:
    rows = _rows(view, "agent")
    return ChartData(
        [r.key for r in rows],
        [
            Series(_("Handle time (hours)"), [r.handle_hours for r in rows]),
            Series(_("Non-contact time (hours)"), [r.non_contact_hours for r in rows]),
        ],
    )


RATES_NOTE = _(
    "Cases resolved in the period, counted for their assignee. First-contact resolution: "
    "never transferred nor reopened; empowerment: not escalated; SLA attainment: neither "
    "target breached."
)
AGENTS_NOTE = _(  # the number is CHART_AGENTS
    "The 30 agents with the most cases resolved in the period; every agent is in the agent "
    "measures table."
)


def register_all() -> None:
    charts = [
        Chart("service-agents", _("Resolution by agent"), resolution_by("agent"), "bar",
              format_lazy("{} {}", RATES_NOTE, AGENTS_NOTE)),
        Chart("service-csat", _("Satisfaction (CSAT) by agent"), csat_by_agent, "bar",
              _("Mean of the scores customers gave to the agent's cases resolved in the "
                "period (1 to 5).")),
        Chart("service-time", _("Handle and non-contact time by agent"), time_by_agent, "bar",
              _("As the inbox records them: time on contacts, and time on duty without one.")),
        Chart("service-teams", _("Resolution by team"), resolution_by("team"), "bar",
              RATES_NOTE),
        Chart("service-regions", _("Resolution by region"), resolution_by("region"), "bar",
              RATES_NOTE),
    ]  # fmt: skip
    for c in charts:
        register_chart(c)
    register_dashboard(
        Dashboard(
            BOARD,
            _("Service"),
            tuple(c.key for c in charts),
            order=50,
            description=_("Agent measures and retention after a complaint."),
            live=True,
            links=(
                (_("Agent measures table"), "service_kpis:agents"),
                (_("Retention after a complaint"), "service_kpis:retention"),
            ),
        )
    )


register_all()
