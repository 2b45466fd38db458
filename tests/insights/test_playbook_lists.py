"""Each 表7.2 list on a small known data set: its members meet its definition, no one else is
on it, and nobody outside the user's scope shows."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from hudong.commerce.models import OrderLine
from hudong.customers.models import CustomerKind
from hudong.insights.playbook import lists, spend
from tests.factories import CategoryFactory, CustomerFactory, OrderFactory, ProductFactory
from tests.insights.factories_playbook import complaints, contact, value

pytestmark = pytest.mark.django_db


def members(user: Any, key: str, **query: str) -> dict[int, Any]:
    lst = lists.get_list(key)
    values = lst.values(query)
    rows = lst.complete(user, list(lst.rows(user, values)), values)
    return {c.pk: c for c in rows}


def test_big_customers_who_complained_repeatedly(
    agent_a: Any, region_a: Any, region_b: Any
) -> None:
    # Given customers with known tiers, lists and complaints
    big_two = CustomerFactory(region=region_a)
    value(big_two, "A", revenue=9000)
    complaints(big_two, 2)
    big_one = CustomerFactory(region=region_a)
    value(big_one, "A")
    complaints(big_one, 1)
    small_many = CustomerFactory(region=region_a)
    value(small_many, "C")
    complaints(small_many, 4)
    mvc_b = CustomerFactory(region=region_a)
    value(mvc_b, "B", is_mvc=True)
    complaints(mvc_b, 3)
    big_old = CustomerFactory(region=region_a)
    value(big_old, "A")
    complaints(big_old, 1)
    complaints(big_old, 1, days_ago=400)  # outside the year
    big_other_region = CustomerFactory(region=region_b)
    value(big_other_region, "A")
    complaints(big_other_region, 5)
    contact(big_one, outcome="resolved")  # not a complaint
    # When the agent of region A opens the list
    found = members(agent_a, "complained")
    # Then exactly the big customers with two or more complaints this year are on it
    assert set(found) == {big_two.pk, mvc_b.pk}
    assert found[big_two.pk].complaints == 2 and found[mvc_b.pk].complaints == 3
    assert list(found) == [mvc_b.pk, big_two.pk]  # most complaints first
    # and a lower threshold (query string) lets the one-complaint customers in
    assert set(members(agent_a, "complained", min_complaints="1")) == {
        big_two.pk,
        mvc_b.pk,
        big_one.pk,
        big_old.pk,
    }


def test_last_years_top_customers_ordering_less(agent_a: Any, region_a: Any) -> None:
    lagging_a = CustomerFactory(region=region_a)
    value(lagging_a, "A", was_top_last_year=True, revenue_ytd=100, revenue_prev_ytd=900)
    lagging_b = CustomerFactory(region=region_a)
    value(lagging_b, "B", was_top_last_year=True, revenue_ytd=500, revenue_prev_ytd=700)
    growing = CustomerFactory(region=region_a)
    value(growing, "A", was_top_last_year=True, revenue_ytd=1000, revenue_prev_ytd=900)
    not_top = CustomerFactory(region=region_a)
    value(not_top, "B", was_top_last_year=False, revenue_ytd=0, revenue_prev_ytd=900)
    found = members(agent_a, "lagging")
    assert list(found) == [lagging_a.pk, lagging_b.pk]  # the biggest gap first
    row = found[lagging_a.pk]
    assert (row.revenue_prev_ytd, row.revenue_ytd, row.gap) == (
        Decimal("900"),
        Decimal("100"),
        Decimal("800"),
    )
    assert set(members(agent_a, "lagging", min_gap="500")) == {lagging_a.pk}


def _buy(customer: Any, *products: Any) -> None:
    order = OrderFactory(customer=customer)
    for product in products:
        OrderLine.objects.create(
            order=order, product=product, quantity=1, unit_price=Decimal(10), unit_cost=Decimal(5)
        )


def test_customers_buying_one_or_two_lines_get_cross_sell_suggestions(
    agent_a: Any, region_a: Any
) -> None:
    # Given three product lines (tea has a sub-category) and similar customers who buy
    # tea with cups more often than tea with books
    tea, cups, books = (
        CategoryFactory(code=c, name=n) for c, n in [("tea", "茶"), ("cups", "杯"), ("books", "书")]
    )
    green = CategoryFactory(code="green-tea", name="绿茶", parent=tea)
    p_green, p_cup, p_book = (ProductFactory(category=c) for c in (green, cups, books))
    for _ in range(3):
        similar = CustomerFactory(region=region_a)
        value(similar, "A", product_lines=2)
        _buy(similar, p_green, p_cup)
    similar = CustomerFactory(region=region_a)
    value(similar, "B", product_lines=2)
    _buy(similar, p_book, p_cup)
    only_tea = CustomerFactory(region=region_a)
    value(only_tea, "A", product_lines=1, revenue=500)
    _buy(only_tea, p_green)
    c_tier = CustomerFactory(region=region_a)
    value(c_tier, "C", product_lines=1)
    _buy(c_tier, p_green)
    three = CustomerFactory(region=region_a)
    value(three, "B", product_lines=3)
    _buy(three, p_green, p_cup, p_book)
    # When the list is computed
    found = members(agent_a, "cross_sell")
    # Then tier A/B customers with one or two lines are on it (not C, not three lines)
    assert only_tea.pk in found and c_tier.pk not in found and three.pk not in found
    assert all(1 <= lists.CustomerValue.objects.get(pk=pk).product_lines <= 2 for pk in found)
    row = found[only_tea.pk]
    # the lines it buys (by product line, the root category) and what similar customers add
    assert row.lines == ["茶"]
    assert row.suggested[0] == "杯" and set(row.suggested) == {"杯", "书"}


def test_target_organizations_with_fewer_than_three_contacts(agent_a: Any, region_a: Any) -> None:
    def org(contacts: int, *, target: bool = True) -> Any:
        o = CustomerFactory(
            region=region_a, kind=CustomerKind.ORGANIZATION, is_target_account=target
        )
        for _ in range(contacts):
            CustomerFactory(region=region_a, organization=o)
        return o

    two, three, none_target = org(2), org(3), org(0, target=False)
    merged_away = org(3)
    gone = merged_away.contacts.first()
    gone.merged_into = CustomerFactory(region=region_a)
    gone.save()
    found = members(agent_a, "few_contacts")
    assert set(found) == {two.pk, merged_away.pk}
    assert found[two.pk].contacts_named == 2 and found[merged_away.pk].contacts_named == 2
    assert three.pk not in found and none_target.pk not in found
    assert set(members(agent_a, "few_contacts", min_contacts="4")) == {
        two.pk,
        three.pk,
        merged_away.pk,
    }


def test_spend_shift_moves_c_spend_beyond_the_floor_to_a(admin_user: Any, region_a: Any) -> None:
    a, b, c1, c2 = (CustomerFactory(region=region_a) for _ in range(4))
    value(a, "A", revenue=10000)
    value(b, "B", revenue=2000)
    value(c1, "C", revenue=100)
    value(c2, "C", revenue=100)
    contact(a, purpose="marketing", cost="100")
    contact(c1, purpose="marketing", cost="150")
    contact(c2, purpose="marketing", cost="50")
    contact(c2, purpose="service", cost="999")  # not marketing
    contact(c2, purpose="marketing", cost="999", days_ago=400)  # before the period
    report = spend.suggestion(admin_user, days=365, keep_c_pct=30)
    rows = {r["tier"]: r for r in report["rows"]}
    assert rows["C"]["cost"] == Decimal("200.00") and rows["A"]["cost"] == Decimal("100.00")
    assert report["moved"] == Decimal("140.00")
    assert rows["A"]["suggested"] == Decimal("240.00")
    assert rows["C"]["suggested"] == Decimal("60.00")
    assert rows["B"]["suggested"] == rows["B"]["cost"] == Decimal("0.00")
    assert rows["A"]["revenue_per_cost"] == Decimal("100.00")
    assert rows["C"]["revenue_per_cost"] == Decimal("1.00")
    assert report["chart"]["series"][1]["data"] == [240.0, 0.0, 60.0]
    assert any("13860.00" in line for line in report["effect"])  # 140 × (100 − 1)


def test_spend_counts_only_customers_in_scope(agent_a: Any, region_a: Any, region_b: Any) -> None:
    mine, theirs = CustomerFactory(region=region_a), CustomerFactory(region=region_b)
    value(mine, "C")
    value(theirs, "C")
    contact(mine, purpose="marketing", cost="10")
    contact(theirs, purpose="marketing", cost="1000")
    rows = {r["tier"]: r for r in spend.tiers(agent_a, 365)}
    assert rows["C"]["cost"] == Decimal("10.00") and rows["C"]["customers"] == 1


def test_list_pages_show_definition_rows_and_export(agent_a: Any, region_a: Any) -> None:
    big = CustomerFactory(region=region_a, name="=HYPERLINK(1)")
    value(big, "A", revenue=9000)
    complaints(big, 2)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(agent_a)
    body = client.get("/insights/playbook/complained/").content.decode()
    assert f'href="/customers/{big.pk}/"' in body
    assert "at least 2 complaints in the last 365 days" in body
    csv = b"".join(client.get("/insights/playbook/complained/export.csv").streaming_content)
    text = csv.decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in text and ",2," in text
    for key in lists.LISTS:
        assert client.get(f"/insights/playbook/{key}/?tiers=zz&days=-5").status_code == 200
    assert client.get("/insights/playbook/nope/").status_code == 404
    assert client.get("/insights/playbook/").status_code == 200


def test_api_lists_validate_thresholds(agent_a: Any, region_a: Any) -> None:
    big = CustomerFactory(region=region_a)
    value(big, "A", revenue=9000)
    complaints(big, 3)
    client = Client()
    client.force_login(agent_a)
    resp = client.get("/api/v1/playbook/complained?min_complaints=3")
    assert resp.status_code == 200, resp.content
    data = resp.json()
    assert data["count"] == 1 and data["items"][0]["id"] == big.pk
    assert data["items"][0]["complaints"] == 3
    bad = client.get("/api/v1/playbook/complained?min_complaints=abc")
    assert bad.status_code == 400 and bad.json()["code"] == "playbook.param_invalid"
    assert client.get("/api/v1/playbook/nope").json()["code"] == "playbook.unknown_list"
    report = client.get("/api/v1/playbook/spend_shift").json()["report"]
    assert [r["tier"] for r in report["rows"]] == ["A", "B", "C"]
    assert len(json.loads(client.get("/api/v1/playbook").content)) == len(lists.LISTS)


def test_lists_read_a_real_insights_run(admin_user: Any, region_a: Any) -> None:
    """The engine's own rows (not hand-made ones) put the right customers on the lists."""
    import datetime as dt

    from django.utils import timezone

    from hudong.insights import engine

    now = timezone.now()
    last_year = now - dt.timedelta(days=365)
    this_start = now.replace(month=1, day=1, hour=0, minute=0, second=0, microsecond=0)
    # the middle of "the same period last year", whatever the day the test runs
    same_period = this_start.replace(year=now.year - 1) + (now - this_start) / 2
    tea = ProductFactory(category=CategoryFactory(code="tea-run", name="茶"))
    top = CustomerFactory(region=region_a)
    for when, total in ((same_period, "50000.00"), (now, "10.00")):
        order = OrderFactory(customer=top, ordered_at=when, total=Decimal(total))
        OrderLine.objects.create(
            order=order, product=tea, quantity=1, unit_price=Decimal(total), unit_cost=Decimal(1)
        )
    for _ in range(5):
        small = CustomerFactory(region=region_a)
        order = OrderFactory(customer=small, ordered_at=last_year, total=Decimal("20.00"))
        OrderLine.objects.create(
            order=order, product=tea, quantity=1, unit_price=Decimal(20), unit_cost=Decimal(1)
        )
    engine.run(as_of=now + dt.timedelta(seconds=1))
    row = lists.CustomerValue.objects.get(pk=top.pk)
    assert row.was_top_last_year and row.revenue_ytd < row.revenue_prev_ytd
    assert list(members(admin_user, "lagging")) == [top.pk]
    assert top.pk in members(admin_user, "cross_sell", tiers="ABC")
