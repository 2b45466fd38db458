"""Customer care in a real browser: an agent goes from "My tasks" to their care calls, closes
one with what the customer said, and finds the call on the customer page."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hudong.core.models import Role
from hudong.interactions.models import Interaction
from hudong.service import care
from hudong.service.models import CareRule, CareTask
from tests.factories import (
    CustomerFactory,
    OrderFactory,
    RegionFactory,
    ShipmentFactory,
    TeamFactory,
    make_user,
)
from tests.web.conftest import Tab, browser, tab  # noqa: F401  (fixtures)
from tests.web.test_browser import _assert_clean, _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_agent_makes_a_care_call_from_the_work_list(
    tab: Tab,  # noqa: F811
    live_server: Any,
) -> None:
    page = tab.page
    # Given a care team's agent and a customer whose order was delivered three days ago
    region = RegionFactory(code="east")
    team = TeamFactory(name="关怀组", region=region)
    agent = make_user(Role.AGENT, region, team=team, username="care-agent")
    customer = CustomerFactory(region=region, name="陈静<script>")
    ShipmentFactory(
        order=OrderFactory(customer=customer, number="SO-BROWSER-1"),
        status="delivered",
        delivered_at=timezone.now() - dt.timedelta(days=3),
    )
    care.seed()
    CareRule.objects.filter(trigger="after_delivery").update(team=team)
    care.run_rules()
    task = CareTask.objects.get(customer=customer)
    assert task.assignee_id == agent.pk
    _log_in(tab, live_server.url, agent.username)
    # When they open "My tasks" and follow the care link
    page.goto(f"{live_server.url}/insights/tasks/")
    link = page.locator("[data-testid=care-link]")
    expect(link).to_have_attribute("data-count", "1")
    with page.expect_navigation():
        link.locator("a").click()
    row = page.locator(f"[data-testid=care-mine] tr[data-care-task='{task.pk}']")
    expect(row).to_contain_text("陈静<script>")
    expect(row).to_contain_text("SO-BROWSER-1")
    tab.snap("care-work-list")
    _assert_clean(tab, "care work list")
    # And close it with what the customer said
    row.locator("textarea[name=outcome]").fill("客户收到了，使用正常")
    row.locator("input[name=duration_minutes]").fill("3")
    with page.expect_navigation():
        row.locator("button[data-action=done]").click()
    # Then it leaves the list, and the call is on the customer's timeline
    expect(page.locator(f"tr[data-care-task='{task.pk}']")).to_have_count(0)
    _assert_clean(tab, "care task done")
    call = Interaction.objects.get(customer=customer)
    assert (call.channel, call.duration_seconds) == ("phone", 180)
    page.goto(f"{live_server.url}/customers/{customer.pk}/")
    expect(page.locator("body")).to_contain_text("客户收到了，使用正常")
    _assert_clean(tab, "customer page after the care call")
    page.goto("about:blank")  # let the live server finish before the database goes
