"""The columns of the agent measures table and the retention chart's spec: shared by the
pages and the CSV exports so both show the same numbers under the same names."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from hudong.insights.servicekpis.measures import Row
from hudong.insights.servicekpis.retention import Report

AGENT_COLUMNS: list[dict[str, Any]] = [
    {"key": "key", "label": _("Name")},
    {"key": "resolved", "label": _("Cases resolved")},
    {"key": "fcr_rate", "label": _("First-contact resolution (%)")},
    {"key": "escalation_rate", "label": _("Escalation rate (%)")},
    {"key": "empowerment_rate", "label": _("Empowerment (%)")},
    {"key": "sla_rate", "label": _("SLA attainment (%)")},
    {"key": "csat_mean", "label": _("Average CSAT")},
    {"key": "csat_answers", "label": _("CSAT answers")},
    {"key": "csat_top_share", "label": _("CSAT 4–5 (%)")},
    {"key": "handle_hours", "label": _("Handle time (hours)")},
    {"key": "non_contact_hours", "label": _("Non-contact time (hours)")},
]


def agent_cells(row: Row) -> list[Any]:
    return [getattr(row, c["key"]) for c in AGENT_COLUMNS]


def retention_chart(report: Report) -> dict[str, Any]:
    """The spec ``dashboards.js`` draws: one bar per group, the share still buying."""
    return {
        "labels": [g.label for g in report.groups],
        "unit": "%",
        "series": [
            {
                "name": str(_("Still buying")),
                "data": [g.rate for g in report.groups],
                "drill": [None] * len(report.groups),
            }
        ],
    }
