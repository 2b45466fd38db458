"""Know the customer in a real browser: find by a phone in another spelling, answer a drip
question on the 360 view, review and merge a pair of duplicates, then undo the merge."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from hudong.core.models import Role
from hudong.customers import actions
from hudong.customers.models import Customer, MatchCandidate
from tests.factories import CustomerFactory, make_user
from tests.web.conftest import Tab
from tests.web.test_browser import _assert_clean, _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_finds_by_phone_and_answers_a_drip_question(
    tab: Tab, live_server: Any, agent_a: Any, customer_a: Any
) -> None:
    page = tab.page
    actions.add_identifier(customer_a, "phone", "13800138000")
    _log_in(tab, live_server.url, agent_a.username)
    # Search with the number as the caller says it
    page.fill("main form.search input[name=q]", "+86 138-0013-8000")
    with page.expect_navigation():
        page.click("main form.search button[type=submit]")
    results = page.locator("[data-testid=customer-results] tbody a")
    expect(results).to_have_count(1)
    with page.expect_navigation():
        results.first.click()
    expect(page.locator("main h1")).to_contain_text(customer_a.name)
    # The 360 view proposes the birthday question first; answer it
    panel = page.locator("[data-testid=drip-questions]")
    expect(panel.locator("input[name=key][value=birth_date]")).to_have_count(1)
    panel.locator("#drip-birth_date").fill("1988-05-01")
    panel.locator("form:has(input[value=birth_date]) button[type=submit]").click()
    # The panel refreshes in place with the next question; the answer is stored
    expect(page.locator("[data-testid=drip-questions] input[value=birth_date]")).to_have_count(0)
    tab.snap("drip-answered")
    page.reload()
    expect(page.locator("[data-panel=profile]")).to_contain_text("1988-05-01")
    _assert_clean(tab, "search, 360 view and drip answer")
    assert str(Customer.objects.get(pk=customer_a.pk).birth_date) == "1988-05-01"


def test_supervisor_reviews_merges_and_unmerges(tab: Tab, live_server: Any, region_a: Any) -> None:
    page = tab.page
    supervisor = make_user(Role.SUPERVISOR, region_a, username="sup-a")
    shop = CustomerFactory(region=region_a, name="张伟", name_latin="")
    web = CustomerFactory(region=region_a, name="張偉", name_latin="Zhang Wei")
    actions.add_identifier(shop, "phone", "13800138000")
    actions.add_identifier(web, "email", "zw@example.com")
    pair = MatchCandidate.objects.create(left=shop, right=web, probability=0.91)
    _log_in(tab, live_server.url, supervisor.username)
    with page.expect_navigation():
        page.click("nav.mainnav a[data-nav=duplicates]")
    with page.expect_navigation():
        page.click(f"a[href='/customers/duplicates/{pair.pk}/']")
    compare = page.locator("[data-testid=compare]")
    expect(compare).to_contain_text("張偉")
    expect(compare).to_contain_text("zw@example.com")
    tab.snap("compare")
    with page.expect_navigation():
        page.click("[data-testid=merge-keep-left]")
    expect(page.locator("ul.messages")).to_be_visible()
    assert Customer.objects.get(pk=web.pk).merged_into_id == shop.pk
    # The kept record now shows both identifiers
    page.goto(f"{live_server.url}/customers/{shop.pk}/")
    expect(page.locator("[data-panel=identifiers]")).to_contain_text("zw@example.com")
    # Undo from the merge history
    page.goto(f"{live_server.url}/customers/merges/")
    with page.expect_navigation():
        page.locator("[data-testid=merges] button").first.click()
    expect(page.locator("main h1")).to_contain_text("張偉")
    expect(page.locator("[data-panel=identifiers]")).to_contain_text("zw@example.com")
    tab.snap("unmerged")
    _assert_clean(tab, "review, merge and unmerge")
    assert Customer.objects.get(pk=web.pk).merged_into_id is None
    assert not Customer.objects.get(pk=shop.pk).identifiers.filter(kind="email").exists()
