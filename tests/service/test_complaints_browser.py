"""The complaint process in a real browser: a customer files the public form on a phone, keeps
the status link and writes to us through it; the agent sees it on the case page, says the
customer is emotional and gets the advice, ticks a step, and the progress follows."""

from __future__ import annotations

import time
from typing import Any

import pytest
from playwright.sync_api import expect

from hudong.core.models import Role
from hudong.service.models import Case
from tests.factories import RegionFactory, make_user
from tests.web.conftest import Tab, browser, phone_tab, tab  # noqa: F401  (fixtures)
from tests.web.test_browser import _assert_clean, _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_customer_files_and_follows_a_complaint_and_an_agent_works_it(
    phone_tab: Tab,  # noqa: F811
    tab: Tab,  # noqa: F811
    live_server: Any,
    settings: Any,
) -> None:
    settings.HUDONG_COMPLAINTS_MIN_FILL_SECONDS = 1
    region = RegionFactory(code="east", name="East")
    page = phone_tab.page
    # A customer fills in the public form on their phone (no login)
    page.goto(f"{live_server.url}/complaints/")
    form = page.locator("[data-testid=complaint-form]")
    form.locator("#id_name").fill("王芳")
    form.locator("#id_phone").fill("139 1234 5678")
    form.locator("#id_category").select_option("delivery")
    form.locator("#id_subject").fill("快递一周没到")
    form.locator("#id_description").fill("<b>订单</b>显示已发货")
    expect(form.locator("#id_website")).not_to_be_in_viewport()
    time.sleep(1.1)  # a person takes at least a moment
    with page.expect_navigation():
        form.locator("button[data-action=file-complaint]").click()
    number = page.locator("[data-testid=case-number]").inner_text().strip()
    case = Case.objects.get(number=number)
    phone_tab.snap("complaint-filed")
    _assert_clean(phone_tab, "complaint filed")
    # They open the status link and write to us
    with page.expect_navigation():
        page.locator("[data-testid=status-link]").click()
    expect(page.locator("[data-testid=public-case]")).to_have_attribute("data-status", "new")
    page.locator("[data-testid=public-message-form] textarea").fill("我周五前都在家")
    with page.expect_navigation():
        page.locator("button[data-action=send-message]").click()
    expect(page.locator("[data-testid=conversation] li.mine")).to_contain_text("我周五前都在家")
    phone_tab.snap("complaint-status")
    _assert_clean(phone_tab, "complaint status page")
    # An agent of the customer's region opens the case
    agent = make_user(Role.AGENT, region, username="east-agent")
    case.customer.region = region
    case.customer.save(update_fields=["region"])
    _log_in(tab, live_server.url, agent.username)
    desk = tab.page
    desk.goto(f"{live_server.url}/service/cases/{case.pk}/")
    expect(desk.locator("[data-testid=from-customer]")).to_contain_text("我周五前都在家")
    expect(desk.locator("[data-testid=checklist-progress]")).to_have_text("0/6")
    # They say the customer is emotional: the advice for it appears
    desk.locator("[data-testid=temperament-form] select").select_option("emotional")
    with desk.expect_navigation():
        desk.locator("button[data-action=set-temperament]").click()
    expect(desk.locator("[data-testid=guidance]")).to_have_attribute(
        "data-temperament", "emotional"
    )
    expect(desk.locator("[data-testid=guidance-advice] li")).to_have_count(5)
    # They acknowledge the case and tick "analyse": two steps of six are done
    with desk.expect_navigation():
        desk.locator("[data-testid=case-actions] button[data-status=acknowledged]").click()
    with desk.expect_navigation():
        desk.locator("li[data-step=analyse] button[data-action=toggle-step]").click()
    expect(desk.locator("[data-testid=checklist-progress]")).to_have_text("2/6")
    expect(desk.locator("li[data-step=analyse]")).to_have_attribute("data-done", "1")
    tab.snap("case-checklist")
    _assert_clean(tab, "case page with the complaint process")
