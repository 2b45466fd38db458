"""A case's priority, 1 (most urgent) to 4, computed from what is known about it.

    points = severity (low 0, medium 1, high 2, critical 3)
           + value tier (A 1, B and C 0)
           + SLA risk (none 0, at risk 1, breached 2)
    priority = max(1, 4 - points)

So a critical case is always 1, a high one 2 (1 for a top-tier customer), a medium one 3 (2 for
tier A) and a low one 4 (3 for tier A). SLA risk is the hook the SLA timers will feed; until
they exist every caller passes no risk.
"""

from __future__ import annotations

SEVERITY_POINTS = {"low": 0, "medium": 1, "high": 2, "critical": 3}
TIER_POINTS = {"A": 1, "B": 0, "C": 0}
SLA_RISK_POINTS = {"none": 0, "at_risk": 1, "breached": 2}


def priority(severity: str, value_tier: str, sla_risk: str = "none") -> int:
    points = (
        SEVERITY_POINTS.get(severity, 1)
        + TIER_POINTS.get(value_tier, 0)
        + SLA_RISK_POINTS.get(sla_risk, 0)
    )
    return max(1, 4 - points)
