"""Priority from severity, value tier and (later) SLA risk."""

from __future__ import annotations

from typing import Any

import pytest

from hudong.interactions import tiers
from hudong.service.priority import priority


@pytest.mark.parametrize(
    ("severity", "tier", "risk", "expected"),
    [
        ("critical", "C", "none", 1),
        ("critical", "A", "breached", 1),
        ("high", "C", "none", 2),
        ("high", "A", "none", 1),
        ("medium", "B", "none", 3),
        ("medium", "A", "none", 2),
        ("low", "C", "none", 4),
        ("low", "A", "none", 3),
        ("low", "C", "at_risk", 3),
        ("low", "C", "breached", 2),
        ("medium", "C", "breached", 1),
    ],
)
def test_priority_table(severity: str, tier: str, risk: str, expected: int) -> None:
    assert priority(severity, tier, risk) == expected


def test_no_risk_is_the_default() -> None:
    assert priority("medium", "C") == priority("medium", "C", "none") == 3


@pytest.mark.django_db
def test_an_opened_case_takes_the_customers_tier(
    customer_a: Any, agent_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.service.conftest import open_case

    # Given a top-tier customer
    monkeypatch.setattr(tiers, "_source", lambda ids: dict.fromkeys(ids, "A"))
    # When a medium case is opened for them, it is one step more urgent than for others
    case = open_case(customer_a, agent_a, severity="medium")
    assert case.priority == 2
