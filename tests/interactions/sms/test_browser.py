"""Texts full of markup reach the agent's screen as text: nothing a customer types into an
SMS runs in the agent's browser."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from hudong.interactions.channels.sms.gateway import LocalGateway
from tests.factories import CustomerFactory
from tests.web.conftest import Tab
from tests.web.test_browser import _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOADS = [
    "<script>window.__xss = 'script'</script>",
    "<img src=x onerror=\"window.__xss = 'img'\">",
    '"><svg onload="window.__xss = \'svg\'">',
    "<a href=\"javascript:window.__xss='link'\">点我</a>",
]


def test_markup_in_texts_renders_as_inert_text_on_the_customer_page(
    tab: Tab, live_server: Any, gateway: LocalGateway, agent_a: Any, region_a: Any
) -> None:
    # Given a customer who texts markup from their mobile
    customer = CustomerFactory(region=region_a, name="王芳")
    customer.identifiers.create(kind="phone", value="13800138000", normalized="+8613800138000")
    for body in PAYLOADS:
        assert gateway.simulate_inbound("+86 138 0013 8000", body).status_code == 200
    dialogs: list[str] = []
    tab.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    # When their agent opens the customer page
    _log_in(tab, live_server.url, agent_a.username)
    tab.page.goto(f"{live_server.url}/customers/{customer.pk}/")
    timeline = tab.page.locator("[data-panel=timeline]")
    # Then every text is shown literally
    for body in PAYLOADS:
        expect(timeline).to_contain_text(body)
    # And none of it became markup, and nothing ran
    for selector in ("script", "img", "svg", "a[href^=javascript]"):
        expect(timeline.locator(selector)).to_have_count(0)
    assert tab.page.evaluate("window.__xss") is None
    assert dialogs == []
    # (leaving a page cuts its live-update stream; that abort is not an error of this page)
    errors = [e for e in tab.console.take() if not ("/live/" in e and "ERR_ABORTED" in e)]
    assert errors == []
