"""The permission-checked reads of this package: what the pages, exports and API call.

Both reports open only to users whose ``insights`` scope is not "nothing" (the rule of every
dashboard); then the agent measures show the agents of the user's ``agent_metrics`` scope and
the retention report the cases and customers of their ``cases`` and ``customers`` scopes.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from hudong.insights.kpis.scope import access_of
from hudong.insights.servicekpis import measures, retention
from hudong.insights.servicekpis.period import Period, parse_period


@dataclass(frozen=True)
class AgentReport:
    period: Period
    group: str
    sort: str
    rows: list[measures.Row]

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.period.params(),
            "group": self.group,
            "rows": [r.as_dict() for r in self.rows],
        }


def agent_report(user: Any, params: Any) -> AgentReport:
    """Agent measures from a query string: ``from``, ``to``, ``group``, ``sort``."""
    access_of(user)
    period = parse_period(params)
    group = str(params.get("group") or "agent")
    rows = measures.measures(user, period, group)
    ordered, sort = measures.sort_rows(rows, str(params.get("sort") or "key")[:40])
    return AgentReport(period, group, sort, ordered)


def retention_report(user: Any, params: Any) -> retention.Report:
    """The retention report from a query string: ``from``, ``to``, ``days``."""
    access_of(user)
    period, days = retention.parse(params)
    return retention.report(user, period, days)
