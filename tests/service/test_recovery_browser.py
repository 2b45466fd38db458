"""Service recovery and the CSAT survey in a real browser: an agent records a recovery action,
informs the customer, resolves and records the outcome; the customer answers the survey link
on a phone, in their language, and the agent sees the score on the case page."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from hudong.core.models import Role
from hudong.service.models import Case, CsatSurvey
from tests.factories import CustomerFactory, RegionFactory, make_user
from tests.service.conftest import FakeSms, open_case, sms  # noqa: F401  (fixture)
from tests.service.factories_recovery import S, deliver_events, reachable_by_sms, walk
from tests.web.conftest import Tab, browser, phone_tab, tab  # noqa: F401  (fixtures)
from tests.web.test_browser import _assert_clean, _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _click(where: Tab, selector: str) -> None:
    with where.page.expect_navigation():
        where.page.click(selector)


def test_agent_recovers_and_the_customer_answers_on_a_phone(
    tab: Tab,  # noqa: F811
    phone_tab: Tab,  # noqa: F811
    live_server: Any,
    sms: FakeSms,  # noqa: F811
    settings: Any,
) -> None:
    settings.HUDONG_PUBLIC_URL = live_server.url
    settings.HUDONG_QUIET_HOURS = ""
    region = RegionFactory(code="east")
    agent = make_user(Role.AGENT, region, username="agent-east")
    customer = CustomerFactory(region=region, name="王芳", language="zh-hans")
    reachable_by_sms(customer)
    case = walk(open_case(customer, agent), agent, S.ACKNOWLEDGED, S.IN_PROGRESS)
    # The agent opens the case and records a refund of the shipping fee
    _log_in(tab, live_server.url, agent.username)
    page = tab.page
    page.goto(f"{live_server.url}/service/cases/{case.pk}/")
    form = page.locator("[data-testid=recovery-form]")
    form.locator("select[name=kind]").select_option("refund")
    form.locator("input[name=cost]").fill("12.50")
    form.locator("input[name=note]").fill("退运费")
    _click(tab, "[data-action=add-recovery]")
    expect(page.locator("[data-testid=recovery-total]")).to_have_text("12.50")
    # tells the customer by message, resolves, and records the customer as recovered
    page.locator("[data-testid=informed-form] textarea").fill("已为您退还运费 12.50 元。")
    _click(tab, "[data-action=customer-informed]")
    expect(page.locator("[data-testid=recovery-informed]")).to_contain_text("✓")
    assert sms.sent[-1].body == "已为您退还运费 12.50 元。"
    _click(tab, "[data-testid=case-actions] button[data-status=resolved]")
    page.locator("[data-testid=outcome-form] select").select_option("recovered")
    _click(tab, "[data-action=set-outcome]")
    expect(page.locator("[data-testid=recovery-outcome] [data-outcome]")).to_have_attribute(
        "data-outcome", "recovered"
    )
    _click(tab, "[data-testid=case-actions] button[data-status=closed]")
    _assert_clean(tab, "case page with recovery")
    # The survey goes out when the worker delivers the closing
    deliver_events()
    link = re.search(r"(http://\S+/survey/\S+/)", sms.sent[-1].body)
    assert link, sms.sent[-1].body
    # The customer opens it on a phone and answers 4 with a comment
    phone = phone_tab.page
    phone.goto(link.group(1))
    expect(phone.locator("[data-testid=csat-form]")).to_be_visible()
    assert phone.evaluate("document.documentElement.scrollWidth") <= 390
    phone.locator("input[name=score][value='4']").check()
    phone.locator("textarea[name=comment]").fill("处理很快，谢谢")
    with phone.expect_navigation():
        phone.click("[data-action=csat-submit]")
    expect(phone.locator("[data-testid=csat-done]")).to_be_visible()
    _assert_clean(phone_tab, "survey page")
    assert CsatSurvey.objects.get(case=case).score == 4
    assert Case.objects.get(pk=case.pk).csat_score == 4
    # And the agent sees it on the case
    page.reload()
    expect(page.locator("[data-testid=csat]")).to_have_attribute("data-state", "answered")
    expect(page.locator("[data-testid=csat-comment]")).to_have_text("处理很快，谢谢")
