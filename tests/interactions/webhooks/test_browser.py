"""Markup sent by another system reaches the agent's screen as text: nothing in a webhook's
name, subject or content runs in the agent's browser."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from hudong.customers.models import Customer
from hudong.interactions.channels.webhooks import signing
from tests.interactions.webhooks.conftest import SECRET, run_worker
from tests.web.conftest import Tab
from tests.web.test_browser import _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAYLOADS = [
    "<script>window.__xss = 'script'</script>",
    "<img src=x onerror=\"window.__xss = 'img'\">",
    '"><svg onload="window.__xss = \'svg\'">',
    "<a href=\"javascript:window.__xss='link'\">点我</a>",
]
NAME = "<b onmouseover=\"window.__xss='name'\">赵</b>"


def test_markup_in_webhook_events_renders_as_inert_text(
    tab: Tab, live_server: Any, source: Any, agent_a: Any
) -> None:
    # Given a shop that posts forms full of markup for a new customer
    for n, text in enumerate(PAYLOADS):
        event = {
            "id": f"xss-{n}",
            "customer": {"email": "zhao@example.cn", "name": NAME},
            "subject": text,
            "content": f"正文 {text}",
        }
        body = json.dumps(event).encode()
        headers = {"Content-Type": "application/json", **signing.headers(SECRET, body)}
        answer = httpx.post(f"{live_server.url}/hooks/shop/", content=body, headers=headers)
        assert answer.status_code == 202
    run_worker()
    customer = Customer.objects.get(name=NAME)
    dialogs: list[str] = []
    tab.page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    # When the agent opens the customer page
    _log_in(tab, live_server.url, agent_a.username)
    tab.page.goto(f"{live_server.url}/customers/{customer.pk}/")
    timeline = tab.page.locator("[data-panel=timeline]")
    # Then every subject and content is shown literally, and the name too
    for text in PAYLOADS:
        expect(timeline).to_contain_text(text)
        expect(timeline).to_contain_text(f"正文 {text}")
    expect(tab.page.locator("body")).to_contain_text(NAME)
    # And none of it became markup, and nothing ran
    for selector in ("script", "img", "svg", "a[href^=javascript]", "b[onmouseover]"):
        expect(tab.page.locator(f"main {selector}")).to_have_count(0)
    tab.page.mouse.move(10, 10)
    assert tab.page.evaluate("window.__xss") is None
    assert dialogs == []
    errors = [e for e in tab.console.take() if not ("/live/" in e and "ERR_ABORTED" in e)]
    assert errors == []
