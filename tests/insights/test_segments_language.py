"""The segment filter language: every construct selects the right customers, and every mistake
is a DomainError with a stable code and the column where it is."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.utils import translation

from hudong.commerce.models import Category
from hudong.core.errors import DomainError
from hudong.customers.models import Customer
from hudong.insights.segments import actions
from hudong.insights.segments.language import compile_filter
from tests.factories import CategoryFactory, CustomerFactory, OrderFactory, RegionFactory, make_user
from tests.insights.factories_segments import (
    attribute,
    bought,
    complaint,
    lives_in,
    valued,
)

pytestmark = pytest.mark.django_db


def names(text: str) -> set[str]:
    return set(Customer.objects.filter(compile_filter(text)).values_list("name", flat=True))


@pytest.fixture
def people() -> dict[str, Any]:
    east, north = RegionFactory(code="east"), RegionFactory(code="north")
    a = CustomerFactory(name="甲", region=east, source="partner:abc")
    b = CustomerFactory(name="乙", region=north, kind="organization", language="en")
    c = CustomerFactory(name="丙", region=east)
    d = CustomerFactory(name="丁", region=north)  # never valued, never bought
    valued(a, tier="A", clv=Decimal("2500"), profit=Decimal("900"), is_gold=True, rfm="555",
           r_score=5, f_score=5, m_score=5, p_alive=0.9, recency_days=3,
           orders_total=12)  # fmt: skip
    valued(b, tier="B", clv=Decimal("800"), profit=Decimal("-50"), is_bzc=True, is_mvc=True,
           rfm="344", r_score=3, f_score=4, m_score=4, recency_days=40, orders_total=3)  # fmt: skip
    valued(c, tier="C", clv=Decimal("10"), is_drag=True, rfm="111", r_score=1, f_score=1,
           recency_days=400, orders_total=1)  # fmt: skip
    return {"a": a, "b": b, "c": c, "d": d}


def test_value_fields_tiers_and_lists(people: dict[str, Any]) -> None:
    # Given four customers, three with values from a run
    # Then each value construct selects exactly the right ones
    assert names("tier in (A, B) and clv >= 1000") == {"甲"}
    assert names("tier in (a, b)") == {"甲", "乙"}
    assert names("gold or mvc") == {"甲", "乙"}
    assert names("not drag") == {"甲", "乙", "丁"}
    assert names("bzc") == {"乙"}
    assert names('rfm = "555"') == {"甲"}
    assert names("rfm = 344") == {"乙"}
    assert names("r_score >= 4 and f_score >= 4") == {"甲"}
    assert names("profit < 0") == {"乙"}
    assert names("recency_days > 365") == {"丙"}
    assert names("orders_total != 1 and p_alive > 0.5") == {"甲"}
    assert names("tier not in (C)") == {"甲", "乙", "丁"}
    assert names("(gold or mvc) and not tier = B") == {"甲"}
    assert names("") == {"甲", "乙", "丙", "丁"}


def test_customer_fields(people: dict[str, Any]) -> None:
    lives_in(people["a"], "上海")
    lives_in(people["c"], "上海", default=False)
    lives_in(people["c"], "北京")
    attribute(people["b"], "hobby", "tea")
    assert names('region = "east"') == {"甲", "丙"}
    assert names("region in (east, north) and not region = east") == {"乙", "丁"}
    assert names('city = "上海"') == {"甲"}  # only the default address counts
    assert names('city != "上海"') == {"乙", "丙", "丁"}
    assert names("kind = organization") == {"乙"}
    assert names('language = "en"') == {"乙"}
    assert names('source = "partner:abc"') == {"甲"}
    assert names('attr.hobby = "tea"') == {"乙"}
    assert names('attr.hobby != "tea"') == {"甲", "丙", "丁"}


def test_tags(people: dict[str, Any]) -> None:
    admin = make_user("admin", None, superuser=True)
    assert actions.tag([people["a"].pk, people["b"].pk], "VIP", admin) == 2
    assert actions.tag([people["a"].pk], "vip", admin) == 0  # already tagged
    assert names('tag = "vip"') == {"甲", "乙"}
    assert names('tag in ("vip", "其他") and tier = A') == {"甲"}
    assert actions.untag([people["b"].pk], "vip", admin) == 1
    assert names('not tag = "vip"') == {"乙", "丙", "丁"}


def test_behaviour(people: dict[str, Any]) -> None:
    # Given a category tree electronics > phones and orders of various ages
    electronics = CategoryFactory(code="electronics")
    phones = CategoryFactory(code="phones")
    Category.objects.filter(pk=phones.pk).update(parent=electronics)
    bought(people["a"], "phones", days_ago=10)  # a sub-category counts
    bought(people["b"], "electronics", days_ago=400)
    bought(people["c"], "food", days_ago=100)
    OrderFactory(customer=people["d"], status="cancelled")  # a cancelled order is no order
    complaint(people["a"], days_ago=5)
    complaint(people["a"], days_ago=50)
    complaint(people["b"], days_ago=20)
    complaint(people["c"], days_ago=200)
    assert names('bought category "electronics"') == {"甲", "乙"}
    assert names('bought category "electronics" within 365 days') == {"甲"}
    assert names("no order in 180 days") == {"乙", "丁"}
    assert names("ordered in 30 days") == {"甲"}
    assert names("ordered in 1 day") == set()
    assert names("complained in 90 days") == {"甲", "乙"}
    assert names("complained at least 2 times in 365 days") == {"甲"}
    assert names("Complained In 365 Days and not gold") == {"乙", "丙"}


@pytest.mark.parametrize(
    ("text", "code", "column"),
    [
        ("tier in (A, B", "segments.syntax", 14),
        ("tier ==", "segments.syntax", 7),
        ("gold and", "segments.syntax", 9),
        ('"abc', "segments.syntax", 1),
        ("tier = A or or gold", "segments.syntax", 13),
        ("colour = 1", "segments.unknown_field", 1),
        ("gold and x.y = 1", "segments.unknown_field", 10),
        ("platinum", "segments.unknown_field", 1),
        ("tier", "segments.syntax", 1),
        ('clv >= "x"', "segments.bad_value", 8),
        ("tier = D", "segments.bad_value", 8),
        ("tier < A", "segments.bad_value", 6),
        ('rfm = "999"', "segments.bad_value", 7),
        ("kind = robot", "segments.bad_value", 8),
        ("ordered in 0 days", "segments.bad_value", 12),
        ("complained at least 0 times in 9 days", "segments.bad_value", 21),
        ('bought category "nope"', "segments.bad_value", 17),
    ],
)
def test_errors_have_codes_and_columns(text: str, code: str, column: int) -> None:
    with pytest.raises(DomainError) as caught:
        compile_filter(text)
    assert caught.value.code == code
    assert caught.value.extra["column"] == column
    assert f"{column}" in str(caught.value.message)


def test_a_syntax_error_says_what_was_expected() -> None:
    with translation.override("en"), pytest.raises(DomainError) as caught:
        compile_filter("tier in (A, B")
    assert set(caught.value.extra["expected"]) == {")", ","}
    assert "expected" in str(caught.value.message)


def test_errors_are_translated() -> None:
    from django.utils import translation

    with translation.override("zh-hans"), pytest.raises(DomainError) as caught:
        compile_filter("colour = 1")
    assert caught.value.code == "segments.unknown_field"
    assert "colour" in str(caught.value.message)


def test_too_long_a_filter_is_refused() -> None:
    with pytest.raises(DomainError) as caught:
        compile_filter("gold or " * 600 + "gold")
    assert caught.value.code == "segments.syntax"
