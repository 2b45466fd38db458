"""Demo cases follow the data: on a fresh demo database the root-cause analysis names the
planted carrier without being told, and the cases look like a service desk's."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from django.core.management import call_command
from django.db.models import Count, F

from hudong.core.models import Role
from hudong.demo.generator import generate
from hudong.insights.rootcause.analysis import Filters, analyse
from hudong.service.models import (
    OPEN_STATUSES,
    Case,
    CaseChecklistItem,
    CsatSurvey,
    RecoveryAction,
)
from tests.factories import make_user

pytestmark = pytest.mark.django_db(transaction=True)  # the demo loader runs its own transactions

AS_OF = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


@pytest.fixture
def demo(tmp_path: Path) -> Any:
    """Given a fresh database with 1,500 demo customers and their history."""
    return generate(1500, 5, as_of=AS_OF, truth_file=tmp_path / "truth.csv", progress=False)


def test_the_analysis_names_the_planted_carrier(demo: Any) -> None:
    # When an analyst looks at three years of delivery complaints
    analyst = make_user(Role.ANALYST, None, username="analyst-1")
    end = AS_OF.date()
    f = Filters(start=end - dt.timedelta(days=1095), end=end, category="delivery")
    carriers = analyse(analyst, f).dimension("carrier").rows
    # Then suda is the top over-represented carrier, and significantly so
    top = carriers[0]
    assert top.key == "suda", [(r.key, r.lift, r.p_value) for r in carriers]
    assert top.significant and top.p_value is not None and top.p_value < 0.01
    assert top.lift is not None and top.lift > 3
    # And it carries a small share of shipments but a large share of the complaints
    assert top.volume_share < 0.06 and top.complaint_share > 0.12
    # And no other carrier is flagged
    assert not any(r.significant for r in carriers[1:])


def test_the_demo_cases_look_like_a_service_desk(demo: Any) -> None:
    cases = Case.objects.all()
    total = cases.count()
    assert total > 50
    assert demo.rows.get("service_case") == total
    statuses = dict(cases.values_list("status").annotate(n=Count("id")))
    # Most are closed, some still open, a few of those at risk or past their SLA
    assert statuses["closed"] > total / 2
    assert sum(statuses.get(s, 0) for s in OPEN_STATUSES) > 0
    open_cases = cases.filter(status__in=OPEN_STATUSES)
    assert open_cases.filter(sla_warned_at__isnull=False).exists()
    # Resolved ones carry a root cause; open ones do not yet
    done = cases.filter(status__in=["resolved", "closed"])
    assert not done.filter(root_cause__isnull=True).exists()
    assert not open_cases.filter(root_cause__isnull=False).exists()
    # Delivery complaints about a shipment name the order it belongs to, and the customer's
    linked = cases.filter(shipment__isnull=False)
    assert linked.exists()
    assert not linked.exclude(shipment__order=F("order")).exists()
    assert not cases.filter(order__isnull=False).exclude(order__customer=F("customer")).exists()
    # Some cases were opened from the customer's complaint contact
    from_contacts = cases.filter(interaction__isnull=False)
    assert from_contacts.exists()
    assert not from_contacts.exclude(interaction__customer=F("customer")).exists()
    assert not from_contacts.exclude(interaction__outcome="complaint").exists()
    # Recovery actions, answered surveys with the score on the case, checklists
    assert RecoveryAction.objects.exists()
    answered = CsatSurvey.objects.filter(answered_at__isnull=False)
    assert answered.exists()
    assert not answered.exclude(case__csat_score=F("score")).exists()
    assert CaseChecklistItem.objects.count() >= total * 6
    assert CaseChecklistItem.objects.filter(code="record", done_at__isnull=False).exists()
    # The numbers are unique and well formed
    assert cases.values("number").distinct().count() == total
    assert not cases.exclude(number__regex=r"^C\d{4}-\d{6}$").exists()


def _cases() -> list[tuple[Any, ...]]:
    return list(
        Case.objects.order_by("id").values_list(
            "number", "customer_id", "status", "category__code", "root_cause__code",
            "created_at", "order_id", "shipment_id", "product__sku", "interaction_id",
            "assignee__username", "csat_score", "recovery_outcome", "resolution_breached_at",
        )
    )  # fmt: skip


def test_the_demo_cases_are_the_same_for_the_same_seed(tmp_path: Path) -> None:
    # Given a first run, snapshotted
    generate(400, 3, as_of=AS_OF, truth_file=tmp_path / "a.csv", progress=False)
    first = _cases()
    # When the database is emptied and the same size and seed run again
    call_command("flush", interactive=False, verbosity=0)
    generate(400, 3, as_of=AS_OF, truth_file=tmp_path / "b.csv", progress=False)
    # Then the cases are the same
    assert first and _cases() == first
