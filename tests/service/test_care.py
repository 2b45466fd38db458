"""The care rules engine: tasks after a delivery and before a warranty ends, once each, for the
right customers, handed round the rule's team."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone

from hudong.core.models import Role
from hudong.interactions import consent
from hudong.interactions.models import ConsentEntry
from hudong.service import care
from hudong.service.models import CareRule, CareTask, CareTrigger
from tests.factories import (
    CustomerFactory,
    IdentifierFactory,
    OrderFactory,
    ProductFactory,
    ShipmentFactory,
    TeamFactory,
    make_user,
)

pytestmark = pytest.mark.django_db

NOW = timezone.now().replace(microsecond=0)


def delivered(customer: Any, days_ago: float, **order: Any) -> Any:
    """A shipment of a new order of ``customer`` delivered ``days_ago`` days before NOW."""
    return ShipmentFactory(
        order=OrderFactory(customer=customer, **order),
        status="delivered",
        delivered_at=NOW - dt.timedelta(days=days_ago),
    )


def ordered_line(customer: Any, ordered_at: dt.datetime, months: int = 12) -> Any:
    order = OrderFactory(customer=customer, ordered_at=ordered_at)
    return order.lines.create(
        product=ProductFactory(warranty_months=months),
        unit_price=Decimal("99"),
        unit_cost=Decimal("60"),
    )


@pytest.fixture
def team(region_a: Any) -> Any:
    return TeamFactory(name="关怀组", region=region_a)


def only_rule(**kw: Any) -> CareRule:
    """Switch the default rules off and use this one alone."""
    CareRule.objects.update(active=False)
    kw.setdefault("trigger", CareTrigger.AFTER_DELIVERY)
    kw.setdefault("days", 3)
    return CareRule.objects.create(name=kw.pop("name", "回访"), **kw)


def test_a_fresh_install_has_the_two_default_rules_and_seeding_keeps_edits() -> None:
    # Given the rules a fresh installation starts with
    rules = {r.trigger: r for r in CareRule.objects.filter(active=True)}
    assert (rules["after_delivery"].days, rules["warranty_expiry"].days) == (3, 30)
    # When the company edits one and the seed runs again (an upgrade)
    CareRule.objects.filter(trigger="after_delivery").update(days=5, name="五天回访")
    care.seed()
    # Then the edit stands and nothing is duplicated
    assert CareRule.objects.get(trigger="after_delivery").days == 5
    assert CareRule.objects.count() == 2


def test_a_delivery_three_days_ago_gives_exactly_one_task_even_run_twice(
    customer_a: Any,
) -> None:
    # Given a shipment delivered three days ago
    shipment = delivered(customer_a, 3)
    # When the rules run twice
    first = care.run_rules(NOW)
    second = care.run_rules(NOW)
    # Then there is exactly one follow-up task, due now, about that shipment
    task = CareTask.objects.get()
    assert (task.customer, task.shipment, task.rule.trigger) == (
        customer_a,
        shipment,
        "after_delivery",
    )
    assert task.due_at == shipment.delivered_at + dt.timedelta(days=3)
    assert (first["created"], second["created"]) == (1, 0)


def test_only_deliveries_whose_call_falls_due_in_the_recent_window_count(customer_a: Any) -> None:
    # Given deliveries a day ago (call not due yet), a month ago (too old to call) and one
    # still in transit
    delivered(customer_a, 1)
    delivered(customer_a, 30)
    ShipmentFactory(order=OrderFactory(customer=customer_a))
    # When the rules run
    counts = care.run_rules(NOW)
    # Then none of them gets a task
    assert counts["created"] == 0
    assert not CareTask.objects.exists()


def test_the_warranty_reminder_comes_thirty_days_before_the_warranty_ends(
    customer_a: Any,
) -> None:
    # Given a twelve-month warranty bought (never shipped) twelve months minus 30 days ago,
    # one bought the same day but delivered 60 days later (its warranty started at delivery:
    # not due yet), and a product with no warranty bought the same day
    start = care.add_months(NOW, -12) + dt.timedelta(days=30)
    due_line = ordered_line(customer_a, start)
    later = ordered_line(customer_a, start)
    ShipmentFactory(
        order=later.order, status="delivered", delivered_at=start + dt.timedelta(days=60)
    )
    ordered_line(customer_a, start, months=0)
    # When the rules run (twice)
    care.run_rules(NOW)
    care.run_rules(NOW)
    # Then only the line whose warranty ends in 30 days has a reminder, due now
    task = CareTask.objects.get()
    assert (task.order_line, task.rule.trigger) == (due_line, "warranty_expiry")
    assert task.due_at == NOW


def test_the_warranty_starts_at_delivery_when_there_is_one(customer_a: Any) -> None:
    # Given an order placed 13 months ago, delivered so that its warranty ends in 30 days
    line = ordered_line(customer_a, care.add_months(NOW, -13))
    ShipmentFactory(
        order=line.order,
        status="delivered",
        delivered_at=care.add_months(NOW, -12) + dt.timedelta(days=30),
    )
    # When the rules run
    care.run_rules(NOW)
    # Then it gets its reminder (the delivery, not the order date, started the warranty)
    assert CareTask.objects.filter(order_line=line, rule__trigger="warranty_expiry").exists()


def test_a_tier_rule_only_reaches_customers_of_that_tier(region_a: Any) -> None:
    # Given a rule for top-tier customers, a big spender and a small one, both delivered to
    rule = only_rule(tier="A")
    big, small = CustomerFactory(region=region_a), CustomerFactory(region=region_a)
    delivered(big, 3, total=Decimal("9000.00"))
    delivered(small, 3, total=Decimal("50.00"))
    # When the rules run
    counts = care.run_rules(NOW)
    # Then only the big spender gets a call; the other is left out
    assert list(CareTask.objects.values_list("customer_id", "rule_id")) == [(big.pk, rule.pk)]
    assert counts["skipped"] == 1


def test_a_customer_who_withdrew_service_contact_gets_no_call(
    customer_a: Any, customer_b: Any
) -> None:
    # Given two deliveries, one to a customer who said "do not contact me" for service
    delivered(customer_a, 3)
    delivered(customer_b, 3)
    consent.record(customer_b, purpose="service", granted=False, source="电话")
    # When the rules run
    counts = care.run_rules(NOW)
    # Then only the other customer gets a task
    assert list(CareTask.objects.values_list("customer_id", flat=True)) == [customer_a.pk]
    assert counts["skipped"] == 1


def test_tasks_go_round_the_team_to_members_who_may_see_the_customer(
    team: Any, region_a: Any, region_b: Any
) -> None:
    # Given a rule of a team with two agents of region A and one of region B
    only_rule(team=team)
    a1 = make_user(Role.AGENT, region_a, team=team, username="care-a1")
    a2 = make_user(Role.AGENT, region_a, team=team, username="care-a2")
    b1 = make_user(Role.AGENT, region_b, team=team, username="care-b1")
    # And four region A customers delivered to three days ago
    for _ in range(4):
        delivered(CustomerFactory(region=region_a), 3)
    # When the rules run
    counts = care.run_rules(NOW)
    # Then the two region A agents take two each and the region B agent none
    got = sorted(CareTask.objects.values_list("assignee_id", flat=True))
    assert got == sorted([a1.pk, a1.pk, a2.pk, a2.pk])
    assert b1.pk not in got
    assert counts["assigned"] == 4
    assert set(CareTask.objects.values_list("team_id", flat=True)) == {team.pk}


def test_a_task_nobody_in_the_team_may_take_waits_unassigned(team: Any, region_b: Any) -> None:
    # Given a team whose only agent is of region B, and a region A customer's delivery
    only_rule(team=team)
    make_user(Role.AGENT, region_b, team=team, username="far-away")
    delivered(CustomerFactory(region=team.region), 3)
    # When the rules run
    care.run_rules(NOW)
    # Then the task waits for the team, unassigned
    task = CareTask.objects.get()
    assert (task.team_id, task.assignee_id) == (team.pk, None)


def test_add_months_clips_to_the_end_of_the_month() -> None:
    jan31 = dt.datetime(2025, 1, 31, 9, tzinfo=dt.UTC)
    assert care.add_months(jan31, 1).date() == dt.date(2025, 2, 28)
    assert care.add_months(jan31, -2).date() == dt.date(2024, 11, 30)
    assert care.add_months(jan31, 13).date() == dt.date(2026, 2, 28)


def test_a_big_run_works_in_chunks_and_still_creates_each_task_once(
    team: Any, region_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given chunks of two rows, a team of two and five deliveries three days ago
    monkeypatch.setattr(care, "CHUNK", 2)
    only_rule(team=team)
    a1 = make_user(Role.AGENT, region_a, team=team, username="chunk-a1")
    a2 = make_user(Role.AGENT, region_a, team=team, username="chunk-a2")
    for _ in range(5):
        delivered(CustomerFactory(region=region_a), 3)
    # When the rules run twice
    first, second = care.run_rules(NOW), care.run_rules(NOW)
    # Then every delivery has its task, once, and the team shares them three and two
    assert (first["created"], first["assigned"], second["created"]) == (5, 5, 0)
    loads = sorted(
        CareTask.objects.filter(assignee__in=[a1, a2]).values_list("assignee_id", flat=True)
    )
    assert sorted([loads.count(a1.pk), loads.count(a2.pk)]) == [2, 3]


def test_the_hourly_schedule_runs_the_rules(customer_a: Any) -> None:
    from hudong.core import schedules
    from hudong.service import care_tasks

    # Given the schedule the worker knows, and a delivery three days ago
    assert "service.care_rules" in {s.name for s in schedules.registered()}
    delivered(customer_a, 3)
    # When the scheduled task runs
    outcome = care_tasks.care_rules.call(0)
    # Then it created the task and says so
    assert "created 1" in outcome
    assert CareTask.objects.filter(customer=customer_a).count() == 1


def test_a_withdrawal_given_for_the_customers_phone_number_counts(customer_a: Any) -> None:
    # Given a customer whose phone number said "no service calls" before it was linked to them
    phone = IdentifierFactory(customer=customer_a)
    ConsentEntry.objects.create(
        identifier_kind="phone",
        identifier_key=phone.normalized,
        channel="phone",
        purpose="service",
        granted=False,
        source="短信退订",
    )
    delivered(customer_a, 3)
    # When the rules run
    counts = care.run_rules(NOW)
    # Then no care call is planned
    assert (counts["created"], counts["skipped"]) == (0, 1)


def test_a_later_grant_overrides_an_earlier_withdrawal(customer_a: Any) -> None:
    consent.record(customer_a, purpose="service", granted=False, source="电话")
    consent.record(customer_a, purpose="service", granted=True, source="门店")
    delivered(customer_a, 3)
    assert care.run_rules(NOW)["created"] == 1
