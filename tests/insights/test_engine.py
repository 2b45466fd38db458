"""The insights run on a small, hand-checked history: each measure, tier and list as a person
would compute it from the orders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from hudong.commerce.models import OrderLine, Return
from hudong.insights import engine
from hudong.insights.models import CustomerValue, InsightsRun, RunStatus, ValueChange, ValuePolicy
from hudong.interactions.models import Interaction
from tests.factories import CustomerFactory, OrderFactory, ProductFactory

pytestmark = pytest.mark.django_db
AS_OF = dt.datetime(2026, 6, 30, 12, 0, tzinfo=dt.UTC)


def days_ago(n: float) -> dt.datetime:
    return AS_OF - dt.timedelta(days=n)


def order(customer, when, total, *, cost=None, status="delivered", product=None):  # type: ignore[no-untyped-def]
    o = OrderFactory(customer=customer, ordered_at=when, total=Decimal(total), status=status)
    unit_cost = Decimal(cost) if cost is not None else Decimal(total) * Decimal("0.6")
    OrderLine.objects.create(
        order=o,
        product=product or ProductFactory(),
        quantity=1,
        unit_price=Decimal(total),
        unit_cost=unit_cost,
    )
    return o


def interaction(customer, when, cost):  # type: ignore[no-untyped-def]
    return Interaction.objects.create(
        customer=customer,
        channel="phone",
        direction="in",
        initiator="customer",
        started_at=when,
        cost=Decimal(cost),
    )


@pytest.fixture
def shop():  # type: ignore[no-untyped-def]
    """Five customers: a big regular, a middling one, a lapsed one, a loss-maker, a prospect."""
    big, mid, lapsed, loss, prospect = (CustomerFactory() for _ in range(5))
    for n in range(6):
        order(big, days_ago(20 + 50 * n), "1000.00", cost="600.00")
    order(big, days_ago(40), "500.00", status="cancelled")
    order(mid, days_ago(100), "300.00", cost="200.00")
    order(mid, days_ago(200), "300.00", cost="200.00")
    order(lapsed, days_ago(500), "800.00", cost="400.00")
    order(lapsed, days_ago(700), "800.00", cost="400.00")
    o = order(loss, days_ago(30), "100.00", cost="90.00")
    Return.objects.create(
        order=o, customer=loss, amount=Decimal("100.00"), requested_at=days_ago(25)
    )
    interaction(loss, days_ago(10), "45.00")
    interaction(big, days_ago(5), "12.00")
    interaction(big, days_ago(400), "99.00")  # outside the 12-month window
    return {"big": big, "mid": mid, "lapsed": lapsed, "loss": loss, "prospect": prospect}


def values():  # type: ignore[no-untyped-def]
    return {v.customer_id: v for v in CustomerValue.objects.all()}


def test_a_run_measures_each_customer_as_the_orders_say(shop) -> None:  # type: ignore[no-untyped-def]
    # When the run computes values as of the end of June 2026
    run = engine.run(as_of=AS_OF)
    v = values()

    # Then it finished and wrote one row per customer
    assert run.status == RunStatus.DONE
    assert run.rows["customers_written"] == 5 == len(v)
    big = v[shop["big"].pk]
    # six kept orders in the last year (the cancelled one does not count), 400 margin each,
    # less the one interaction inside the window
    assert big.revenue == Decimal("6000.00")
    assert big.gross_margin == Decimal("2400.00")
    assert big.cost_to_serve == Decimal("12.00")
    assert big.profit == Decimal("2388.00")
    assert big.orders_window == 6 and big.orders_total == 6
    assert big.recency_days == 20
    # the refunded order gives its revenue back; the goods did not come back (no product)
    loss = v[shop["loss"].pk]
    assert loss.revenue == Decimal("0.00")
    assert loss.gross_margin == Decimal("-90.00")
    assert loss.profit == Decimal("-135.00")
    lapsed = v[shop["lapsed"].pk]
    assert lapsed.revenue == 0 and lapsed.revenue_lifetime == Decimal("1600.00")
    prospect = v[shop["prospect"].pk]
    assert prospect.orders_total == 0 and prospect.rfm == "000" and prospect.tier == "C"


def test_tiers_follow_the_cumulative_share_of_value(shop) -> None:  # type: ignore[no-untyped-def]
    # Given profits of 2388 (big) and 200 (mid): big alone makes 92% of the value
    engine.run(as_of=AS_OF)
    v = values()

    # Then big is A (the first 80%), mid is B (the next 15% start before 95%), the rest C
    assert v[shop["big"].pk].tier == "A"
    assert v[shop["mid"].pk].tier == "B"
    assert {v[shop[k].pk].tier for k in ("lapsed", "loss", "prospect")} == {"C"}


def test_lists_meet_their_definitions(shop) -> None:  # type: ignore[no-untyped-def]
    engine.run(as_of=AS_OF)
    v = values()

    # BZC and drag: the loss-maker is below zero; the lapsed customer has not ordered in a year
    assert v[shop["loss"].pk].is_bzc and v[shop["loss"].pk].is_drag
    assert v[shop["lapsed"].pk].is_drag and not v[shop["lapsed"].pk].is_bzc
    assert not v[shop["big"].pk].is_drag and not v[shop["prospect"].pk].is_drag
    # MVC: the top 10% of 4 buyers by profit rounds up to one customer
    assert [c for c, x in v.items() if x.is_mvc] == [shop["big"].pk]


def test_rfm_scores_rank_buyers(shop) -> None:  # type: ignore[no-untyped-def]
    engine.run(as_of=AS_OF)
    v = values()

    big, lapsed = v[shop["big"].pk], v[shop["lapsed"].pk]
    assert big.r_score == 5 and big.f_score == 5 and big.m_score == 5
    assert lapsed.r_score == 2  # the least recent of four buyers
    assert big.rfm == "555"


def test_cut_offs_come_from_the_policy(shop) -> None:  # type: ignore[no-untyped-def]
    # Given an administrator who puts 99% of value in A
    policy = ValuePolicy.current()
    policy.tier_a_share = Decimal("0.990")
    policy.save()

    run = engine.run(as_of=AS_OF)

    assert values()[shop["mid"].pk].tier == "A"
    assert run.params["tier_a_share"] == pytest.approx(0.99)


def test_a_second_run_records_who_moved(shop) -> None:  # type: ignore[no-untyped-def]
    engine.run(as_of=AS_OF)
    # When the middling customer places a big order and the run comes again
    order(shop["mid"], days_ago(1), "5000.00", cost="1000.00")
    run = engine.run(as_of=AS_OF)

    change = ValueChange.objects.get(run=run, customer=shop["mid"])
    assert (change.tier_before, change.tier_after) == ("B", "A")
    assert InsightsRun.objects.count() == 2


def test_an_empty_database_runs_cleanly() -> None:
    run = engine.run(as_of=AS_OF)

    assert run.status == RunStatus.DONE
    assert run.rows["customers_written"] == 0
    assert run.summary["clv"]["status"] == "skipped"


def test_tables_read_in_place_give_the_same_values(shop, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    # Given the values of a run that copied every table into DuckDB
    engine.run(as_of=AS_OF)
    copied = {c: (v.profit, v.tier, v.rfm, v.is_drag) for c, v in values().items()}
    # When big tables are scanned in place (as at a million customers) instead
    monkeypatch.setattr(engine, "BIG_TABLE", 0)
    engine.run(as_of=AS_OF)

    # Then nothing differs
    assert {c: (v.profit, v.tier, v.rfm, v.is_drag) for c, v in values().items()} == copied


def test_a_shop_with_no_repeat_buyers_still_gets_its_values() -> None:
    # Given a young shop: every customer has bought once, so no CLV model can be fitted
    for i in range(5):
        order(CustomerFactory(), days_ago(3 + i), "80.00")

    # When the run comes
    run = engine.run(as_of=AS_OF)

    # Then values, tiers and the dashboards' figures are there; CLV says why it is missing
    assert run.status == RunStatus.DONE
    assert run.summary["clv"] == {"status": "skipped", "reason": "insights.clv_no_repeat_buyers"}
    assert CustomerValue.objects.filter(clv=None).count() == 5
