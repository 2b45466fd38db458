"""The playbook in a real browser: open a list, create tasks for two customers, find them in
"My tasks", and see the value panel on the customer page."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from hudong.insights.models import FollowUpTask
from tests.factories import CustomerFactory
from tests.insights.factories_playbook import complaints, value
from tests.web.conftest import Tab, browser, tab  # noqa: F401  (fixtures)
from tests.web.test_browser import _assert_clean, _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_agent_creates_tasks_from_a_list_and_sees_them(
    tab: Tab,  # noqa: F811
    live_server: Any,
    agent_a: Any,
    region_a: Any,
) -> None:
    page = tab.page
    # Given three big customers of the agent's region who complained twice this year
    found = [CustomerFactory(region=region_a, name=f"大客户{n}") for n in range(3)]
    for n, customer in enumerate(found):
        value(customer, "A", revenue=1000 * (n + 1), clv=500)
        complaints(customer, 2)
    _log_in(tab, live_server.url, agent_a.username)
    # When the agent opens the list from the navigation
    with page.expect_navigation():
        page.click("nav.mainnav a[data-nav=playbook]")
    with page.expect_navigation():
        page.click("[data-testid=playbook-complained]")
    rows = page.locator("[data-testid=playbook-rows] tbody tr[data-customer]")
    expect(rows).to_have_count(3)
    expect(page.locator("[data-testid=definition]")).to_contain_text("at least 2 complaints")
    tab.snap("playbook-list")
    # ticks two of them and creates a task
    for customer in found[:2]:
        page.check(f"tr[data-customer='{customer.pk}'] input[name=ids]")
    page.fill("#id_title", "致电回访投诉")
    page.fill("#id_due_date", "2026-12-31")
    with page.expect_navigation():
        page.click("[data-action=apply]")
    expect(page.locator("ul.messages")).to_contain_text("2 tasks created")
    # Then "My tasks" lists them, linked to the customers
    with page.expect_navigation():
        page.click("nav.mainnav a[data-nav=my_tasks]")
    tasks = page.locator("[data-testid=my-tasks] tbody tr[data-task]")
    expect(tasks).to_have_count(2)
    expect(page.locator("[data-testid=my-tasks]")).to_contain_text("大客户0")
    expect(page.locator("[data-testid=my-tasks]")).to_contain_text("致电回访投诉")
    tab.snap("my-tasks")
    # and the customer page shows the open task and the value panel
    with page.expect_navigation():
        page.click("[data-testid=my-tasks] a:text('大客户1')")
    expect(page.locator("[data-panel=open_tasks]")).to_contain_text("致电回访投诉")
    expect(page.locator("[data-panel=value] [data-tier=A]")).to_be_visible()
    # completing a task takes it off the list
    page.goto(f"{live_server.url}/insights/tasks/")
    with page.expect_navigation():
        page.locator("[data-testid=my-tasks] button[data-action=done]").first.click()
    expect(tasks).to_have_count(1)
    _assert_clean(tab, "playbook list, my tasks and customer page")
    assert FollowUpTask.objects.filter(status="open").count() == 1


def test_spend_shift_chart_renders(
    tab: Tab,  # noqa: F811
    live_server: Any,
    admin_user: Any,
    region_a: Any,
) -> None:
    page = tab.page
    from tests.insights.factories_playbook import contact

    for tier, cost in (("A", "100"), ("C", "300")):
        customer = CustomerFactory(region=region_a)
        value(customer, tier, revenue=1000)
        contact(customer, purpose="marketing", cost=cost)
    _log_in(tab, live_server.url, admin_user.username)
    page.goto(f"{live_server.url}/insights/playbook/spend_shift/")
    expect(page.locator("[data-chart=chart-spend][data-chart-ready=true]")).to_be_visible()
    expect(page.locator("tr[data-tier=A] [data-col=suggested]")).to_have_text("310.00")
    _assert_clean(tab, "spend shift")
