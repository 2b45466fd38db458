"""Issue 5's whole path in a real browser: a customer files the public complaint form, an agent
acknowledges, replies, resolves with a recovery action and closes; the customer answers the
satisfaction link; the Service dashboard then shows the agent's CSAT and the recovered customer.
"""

from __future__ import annotations

import datetime as dt
import re
import time
from typing import Any

import pytest
from playwright.sync_api import expect

from hudong.core.models import Role
from hudong.service.models import Case
from tests.factories import RegionFactory, make_user
from tests.service.conftest import FakeSms, sms  # noqa: F401  (fixture)
from tests.service.factories_recovery import deliver_events
from tests.web.conftest import Tab, browser, phone_tab, tab  # noqa: F401  (fixtures)
from tests.web.test_browser import _assert_clean, _goto, _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _click(where: Tab, selector: str) -> None:
    with where.page.expect_navigation():
        where.page.click(selector)


def _file_complaint(phone_tab: Tab, url: str) -> Case:  # noqa: F811
    page = phone_tab.page
    page.goto(f"{url}/complaints/")
    form = page.locator("[data-testid=complaint-form]")
    form.locator("#id_name").fill("李雷")
    form.locator("#id_phone").fill("+86-139-1234-5678")
    form.locator("#id_category").select_option("delivery")
    form.locator("#id_subject").fill("快递一周没到")
    form.locator("#id_description").fill("订单显示已发货，但一直没有送到。")
    time.sleep(1.1)  # the form refuses what a robot fills in at once
    with page.expect_navigation():
        form.locator("button[data-action=file-complaint]").click()
    number = page.locator("[data-testid=case-number]").inner_text().strip()
    _assert_clean(phone_tab, "complaint filed")
    return Case.objects.get(number=number)


def _agent_works_the_case(tab: Tab, url: str, case: Case, agent: Any, sms: FakeSms) -> None:  # noqa: F811
    _log_in(tab, url, agent.username)
    page = tab.page
    # The new complaint is in the agent's queue
    _goto(tab, f"{url}/service/cases/")
    with page.expect_navigation():
        page.click(f"a:text-is('{case.number}')")
    _click(tab, "[data-testid=case-actions] button[data-status=acknowledged]")
    # A reply goes to the customer's phone
    page.locator("[data-testid=note-form] textarea").fill("非常抱歉，我们已联系快递公司加急处理。")
    _click(tab, "[data-testid=note-form] button[data-action=reply]")
    assert sms.sent[-1].body.startswith("非常抱歉")
    # A refund of the shipping fee, the customer told, resolved and recovered, closed
    form = page.locator("[data-testid=recovery-form]")
    form.locator("select[name=kind]").select_option("refund")
    form.locator("input[name=cost]").fill("15")
    _click(tab, "[data-action=add-recovery]")
    page.locator("[data-testid=informed-form] textarea").fill("已为您退还运费 15 元。")
    _click(tab, "[data-action=customer-informed]")
    _click(tab, "[data-testid=case-actions] button[data-status=in_progress]")
    _click(tab, "[data-testid=case-actions] button[data-status=resolved]")
    page.locator("[data-testid=outcome-form] select").select_option("recovered")
    _click(tab, "[data-action=set-outcome]")
    _click(tab, "[data-testid=case-actions] button[data-status=closed]")
    expect(page.locator("[data-testid=case]")).to_have_attribute("data-status", "closed")
    _assert_clean(tab, "closed case")


def _customer_answers_the_survey(phone_tab: Tab, sms: FakeSms) -> None:  # noqa: F811
    deliver_events()  # the worker sends the survey after the closing commits
    link = re.search(r"(http://\S+/survey/\S+/)", sms.sent[-1].body)
    assert link, sms.sent[-1].body
    page = phone_tab.page
    page.goto(link.group(1))
    page.locator("input[name=score][value='5']").check()
    page.locator("textarea[name=comment]").fill("处理得很及时")
    with page.expect_navigation():
        page.click("[data-action=csat-submit]")
    expect(page.locator("[data-testid=csat-done]")).to_be_visible()


def test_public_complaint_to_recovery_to_csat_to_dashboard(
    tab: Tab,  # noqa: F811
    phone_tab: Tab,  # noqa: F811
    live_server: Any,
    sms: FakeSms,  # noqa: F811
    settings: Any,
) -> None:
    settings.HUDONG_PUBLIC_URL = live_server.url
    settings.HUDONG_QUIET_HOURS = ""
    settings.HUDONG_COMPLAINTS_MIN_FILL_SECONDS = 1
    # Given a company with one region, and a customer who files the public form on a phone
    region = RegionFactory(code="east", name="East")
    case = _file_complaint(phone_tab, live_server.url)
    assert (case.source, case.customer.region_id) == ("web_form", region.pk)
    agent = make_user(Role.AGENT, region, username="east-agent")
    # When an agent works it to a recovered close, and the customer answers 5
    _agent_works_the_case(tab, live_server.url, case, agent, sms)
    _customer_answers_the_survey(phone_tab, sms)
    case.refresh_from_db()
    assert (case.status, case.csat_score, case.recovery_outcome) == ("closed", 5, "recovered")
    # Then the supervisor's Service dashboard shows the agent's CSAT and the recovered customer
    tab.page.context.clear_cookies()
    boss = make_user(Role.SUPERVISOR, region, username="east-boss")
    _log_in(tab, live_server.url, boss.username)
    page = tab.page
    _goto(tab, f"{live_server.url}/insights/dashboards/")
    with page.expect_navigation():
        page.click("[data-testid=dashboard-tabs] a[data-dashboard=service]")
    csat = page.locator("[data-testid=table-service-csat] tr:has(th:text-is('east-agent')) td")
    expect(csat.first).to_have_text(re.compile(r"^5(\.0+)?$"))
    _assert_clean(tab, "service dashboard")
    today = dt.date.today()
    _goto(tab, f"{live_server.url}/insights/service/retention/?from={today}&days=30")
    recovered = page.locator("[data-testid=retention-table] tr[data-group=recovered] td")
    expect(recovered.first).to_have_text("1")
