"""Segments in a real browser: an agent writes a filter, watches the live count follow the
typing (and point at a mistake), saves, and reads the members in their own scope."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from playwright.sync_api import expect

from hudong.core.models import Role
from hudong.insights.models import Segment
from hudong.insights.segments import snapshots
from tests.factories import CustomerFactory, RegionFactory, make_user
from tests.insights.factories_segments import valued
from tests.web.conftest import Tab, browser, tab  # noqa: F401  (the browser fixtures)
from tests.web.test_browser import _assert_clean, _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_builds_a_segment_with_a_live_count(tab: Tab, live_server: Any) -> None:  # noqa: F811
    # Given an east agent, two east customers of tiers A and B and a north customer of tier A
    east, north = RegionFactory(code="east"), RegionFactory(code="north")
    agent = make_user(Role.AGENT, east, username="agent-east")
    gold = CustomerFactory(region=east, name="东方金")
    valued(gold, tier="A", clv=Decimal("3000"))
    valued(CustomerFactory(region=east, name="东方银"), tier="B", clv=Decimal("900"))
    valued(CustomerFactory(region=north, name="北方金"), tier="A", clv=Decimal("5000"))
    page = tab.page
    _log_in(tab, live_server.url, agent.username)
    # When they open Segments from the navigation and start a new one
    with page.expect_navigation():
        page.click("nav.mainnav a[data-nav=segments]")
    with page.expect_navigation():
        page.click("[data-testid=new-segment]")
    page.fill("#id_name", "东区大客户")
    box = page.locator("[data-testid=filter]")
    box.click()
    box.press_sequentially("tier = A", delay=20)
    # Then the count follows the typing, within their scope (the north customer never counts)
    count = page.locator("[data-testid=live-count]")
    expect(count).to_have_attribute("data-count", "1")
    expect(page.locator("[data-testid=live-count-box]")).to_contain_text("东方金")
    box.press_sequentially(" or", delay=20)
    expect(page.locator("[data-testid=live-error]")).to_have_attribute(
        "data-code", "segments.syntax"
    )
    tab.snap("segment-editor-error")
    box.press_sequentially(" tier = B", delay=20)
    expect(count).to_have_attribute("data-count", "2")
    tab.snap("segment-editor")
    # When they save
    with page.expect_navigation():
        page.click("[data-testid=save-segment]")
    # Then the members page lists their two customers, best CLV first, linked to each 360 view
    rows = page.locator("[data-testid=members] tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.first).to_contain_text("东方金")
    expect(page.locator("[data-testid=members]")).not_to_contain_text("北方金")
    expect(rows.first.locator("a")).to_have_attribute("href", f"/customers/{gold.pk}/")
    expect(page.locator("[data-testid=member-count]")).to_have_text("2")
    tab.snap("segment-members")
    # And after two insights runs its history is a line chart
    snapshots.take_all()
    snapshots.take_all()
    page.reload()
    expect(page.locator("[data-testid=history-chart]")).to_have_attribute(
        "data-chart-ready", "true"
    )
    tab.snap("segment-history")
    # And the list shows the segment with its count
    with page.expect_navigation():
        page.click("nav.mainnav a[data-nav=segments]")
    expect(page.locator("[data-testid=segment-count]").first).to_contain_text("2")
    _assert_clean(tab, "segment editor, members and list")
    assert Segment.objects.get().filter == "tier = A or tier = B"
