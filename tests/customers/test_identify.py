"""identify(): any identifier in any spelling, or a name in characters or pinyin, finds the
customer; a shared number or a common name gives candidates; scope is respected."""

from __future__ import annotations

from typing import Any

import pytest

from hudong.customers import actions
from hudong.customers.resolution.identify import identify
from tests.customers.test_normalize import MOBILE
from tests.factories import CustomerFactory


@pytest.fixture
def zhang(customer_a: Any) -> Any:
    actions.add_identifier(customer_a, "phone", "138-0013-8000")
    actions.add_identifier(customer_a, "email", "Zhang.Wei@Example.com")
    return customer_a


@pytest.mark.django_db
@pytest.mark.parametrize("spelling", MOBILE)
def test_any_spelling_of_the_phone_finds_the_customer(zhang: Any, spelling: str) -> None:
    found = identify(spelling)
    assert found.status == "found" and found.customer == zhang
    assert found.matched_on == "phone"


@pytest.mark.django_db
def test_email_in_another_case_finds_the_customer(zhang: Any) -> None:
    assert identify("  zhang.wei@EXAMPLE.com").customer == zhang


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["张伟", "張偉", "zhang wei", "Zhang Wei", "ZHANGWEI", "Wei Zhang"]
)
def test_name_in_characters_traditional_or_pinyin(zhang: Any, name: str) -> None:
    found = identify(name)
    assert found.customer == zhang and found.matched_on == "name"


@pytest.mark.django_db
def test_a_shared_household_number_returns_every_member(region_a: Any) -> None:
    # Given two people of one household sharing a landline
    mother = CustomerFactory(region=region_a, name="王芳")
    son = CustomerFactory(region=region_a, name="王磊")
    actions.add_identifier(mother, "phone", "010-6543 2100", shared=True)
    actions.add_identifier(son, "phone", "(010) 65432100", shared=True)
    # When the number calls in
    found = identify("+86 10 6543 2100")
    # Then the agent chooses between both; nobody is picked on a guess
    assert found.status == "ambiguous"
    assert {c.pk for c in found.candidates} == {mother.pk, son.pk}


@pytest.mark.django_db
def test_an_agent_cannot_identify_a_customer_outside_their_region(
    zhang: Any, agent_a: Any, customer_b: Any
) -> None:
    actions.add_identifier(customer_b, "phone", "139 0000 1111")
    assert identify("13900001111", user=agent_a).status == "none"
    assert identify("李娜", user=agent_a).status == "none"
    assert identify("13800138000", user=agent_a).customer == zhang


@pytest.mark.django_db
def test_unknown_input_finds_nobody(zhang: Any) -> None:
    assert identify("13911112222").status == "none"
    assert identify("x").status == "none"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("kind", "stored", "typed"),
    [
        ("loyalty", "VIP-0012-3456", "vip 0012 3456"),
        ("erp", "C000123", "c000123"),
        ("wechat", "Zhang_Wei88", "zhang_wei88"),
    ],
)
def test_cards_erp_ids_and_wechat_ids_in_another_spelling(
    customer_a: Any, kind: str, stored: str, typed: str
) -> None:
    actions.add_identifier(customer_a, kind, stored)
    found = identify(typed)
    assert found.customer == customer_a and kind in found.matched_on
