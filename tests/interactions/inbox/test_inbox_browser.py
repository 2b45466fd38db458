"""The inbox in a real browser: a routed conversation appears in the agent's open inbox
without reload, what the customer wrote stays inert text, presence and metrics work under
the page's CSP (no console error)."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from hudong.customers.resolution.ingest import Incoming
from hudong.interactions.actions import Contact, record_interaction
from hudong.interactions.inbox.models import AgentPresence
from tests.interactions.inbox.conftest import deliver_events
from tests.web.conftest import Tab, browser, tab
from tests.web.test_browser import _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
__all__ = ["browser", "tab"]  # the real-browser fixtures

PAYLOAD = '<img src=x onerror="window.pwned=1"><script>window.pwned=2</script>'


def _assert_clean(tab: Tab, where: str) -> None:
    """No console error; leaving a page aborts its open live stream, which is no error."""
    errors = [e for e in tab.console.take() if not ("/live/" in e and "ERR_ABORTED" in e)]
    assert not errors, f"browser errors on {where}:\n" + "\n".join(errors)


def test_a_routed_conversation_appears_in_the_open_inbox_as_inert_text(
    tab: Tab, live_server: Any, agent_a: Any, region_a: Any
) -> None:
    page, base = tab.page, live_server.url
    # Given agent A available, with the inbox open
    AgentPresence.objects.create(user=agent_a, status="available", languages=["zh-hans"])
    _log_in(tab, base, agent_a.username)
    page.goto(f"{base}/inbox/")
    expect(page.locator("html")).to_have_attribute("data-live", "open")
    page.evaluate("window.__sameDocument = true")
    # When a customer writes through the web form with script in every field, and the
    # worker routes the conversation
    recorded = record_interaction(
        Contact(
            channel="webform",
            identifiers=[Incoming("email", "mallory@evil.example")],
            region_code=region_a.code,
            name=PAYLOAD,
            subject=PAYLOAD,
            content=PAYLOAD,
        )
    )
    deliver_events()
    thread_id = recorded.interaction.thread_id
    # Then, without reload, the inbox says so and lists it, the payload shown as text
    notice = page.locator("#inbox-notice")
    expect(notice).to_be_visible(timeout=5000)
    expect(notice).to_contain_text(PAYLOAD)
    row = page.locator(f"#inbox-queue tr[data-thread='{thread_id}']")
    expect(row).to_contain_text(PAYLOAD)
    assert page.evaluate("window.__sameDocument") is True
    # And opening it shows the message as text; no script ran
    with page.expect_navigation():
        row.locator("a[data-action=open-conversation]").click()
    expect(page.locator("[data-testid=contacts]")).to_contain_text(PAYLOAD)
    assert page.evaluate("typeof window.pwned") == "undefined"
    tab.snap("inbox-conversation")
    _assert_clean(tab, "inbox")

    # When the agent steps away with the presence control
    page.select_option("[data-testid=presence-status]", "away")
    page.click("button[data-action=set-presence]")
    expect(page.locator("#presence")).to_have_attribute("data-status", "away")
    assert AgentPresence.objects.get(user=agent_a).status == "away"

    # And the metrics page draws its chart under the CSP
    page.goto(f"{base}/inbox/metrics/")
    expect(page.locator("#agent-chart")).to_have_attribute("data-ready", "true")
    expect(page.locator("[data-testid=agent-metrics]")).to_contain_text(agent_a.username)
    tab.snap("agent-metrics")
    _assert_clean(tab, "agent metrics")
