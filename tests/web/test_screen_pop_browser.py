"""The phone rings and the agent's open page shows the caller, in a real browser.

The switch's events are real signed HTTP posts to the live server; the agent's page receives
the screen pop over its live event stream (no reload). A second test sends script payloads
through every channel and checks the agent UI shows them as text and runs none of them.
"""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from hudong.core.models import Role
from hudong.customers.resolution.ingest import Incoming
from hudong.interactions.actions import Contact, record_interaction, set_breakpoint
from hudong.interactions.channels.telephony.models import Extension
from hudong.interactions.channels.telephony.signing import HEADER, sign
from hudong.interactions.models import Interaction, Thread
from tests.factories import CustomerFactory, make_user
from tests.web.conftest import Tab
from tests.web.test_browser import _log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

SECRET = "browser-test-switch-secret"
POP_WITHIN_SECONDS = 1.0


class Switch:
    """The telephone switch: posts signed call events to Hudong over one HTTP connection."""

    def __init__(self, base_url: str) -> None:
        self.url = f"{base_url}/api/v1/cti/events"
        self.http = httpx.Client(timeout=10)

    def send(self, kind: str, call_id: str, n: int, **fields: Any) -> float:
        """POST one signed event; returns when it was sent (epoch seconds, the clock the
        browser's ``Date.now()`` reads too)."""
        body = json.dumps(
            {
                "event_id": f"{call_id}-{n}",
                "call_id": call_id,
                "type": kind,
                "timestamp": timezone.now().isoformat(),
                **fields,
            }
        ).encode()
        headers = {"Content-Type": "application/json", HEADER: sign(body, SECRET)}
        sent = time.time()
        response = self.http.post(self.url, content=body, headers=headers)
        assert response.status_code == 200, response.text
        return sent


def _assert_clean(tab: Tab, where: str) -> None:
    """No console error; leaving a page aborts its open live stream, which is no error."""
    errors = [e for e in tab.console.take() if not ("/live/" in e and "ERR_ABORTED" in e)]
    assert not errors, f"browser errors on {where}:\n" + "\n".join(errors)


def _wait_live(tab: Tab) -> None:
    expect(tab.page.locator("html")).to_have_attribute("data-live", "open")


def test_ringing_pops_the_caller_in_the_open_page_and_ended_leads_to_the_disposition(
    tab: Tab, live_server: Any, settings: Any, agent_a: Any, customer_a: Any
) -> None:
    settings.HUDONG_CTI_SECRET = SECRET
    page, base = tab.page, live_server.url
    # Given the customer's phone on file, an open conversation with a next step, and agent A
    # signed in at extension 8001 with the home page open
    customer_a.identifiers.create(kind="phone", value="13800138000", normalized="+8613800138000")
    earlier = record_interaction(Contact(channel="sms", customer=customer_a, content="包裹没到"))
    assert earlier.interaction.thread is not None
    set_breakpoint(earlier.interaction.thread, user=agent_a, next_step="查询快递单号")
    Extension.objects.create(number="8001", user=agent_a)
    _log_in(tab, base, agent_a.username)
    _wait_live(tab)
    page.evaluate("window.__sameDocument = true")
    page.evaluate(
        "() => { window.__poppedAt = {}; document.addEventListener('hudong:screen_pop',"
        " (ev) => { window.__poppedAt[ev.detail.call_id] = Date.now(); }); }"
    )
    home = page.url
    switch = Switch(base)

    # When a number nobody knows rings first, the agent is offered to look it up
    switch.send("ringing", "call-0", 1, caller="139 0000 1111", extension="8001")
    banner = page.locator("#screen-pop")
    expect(banner).to_contain_text("139 0000 1111")
    expect(banner.locator("a")).to_have_attribute("href", "/customers/?q=139+0000+1111")

    # When the customer's call rings at 8001 from the number written another way
    sent = switch.send("ringing", "call-1", 1, caller="+86 138-0013-8000", extension="8001")

    # Then within a second, without reload, the page shows the caller and the breakpoint
    page.wait_for_function("() => window.__poppedAt['call-1'] !== undefined", timeout=5000)
    elapsed = page.evaluate("window.__poppedAt['call-1']") / 1000 - sent
    assert elapsed <= POP_WITHIN_SECONDS, f"screen pop took {elapsed:.2f}s"
    expect(banner).to_contain_text(customer_a.name)
    assert page.evaluate("window.__sameDocument") is True and page.url == home
    expect(banner).to_contain_text("查询快递单号")
    expect(banner.locator("a[data-action=open-popped-customer]")).to_have_attribute(
        "href", f"/customers/{customer_a.pk}/"
    )
    # ... and the customer's compact 360 view opens inside the banner
    frame = page.frame_locator("#screen-pop iframe.screen-pop-frame")
    expect(frame.locator("[data-testid=frame-customer]")).to_have_text(customer_a.name)
    expect(frame.locator("[data-panel=breakpoint]")).to_contain_text("查询快递单号")
    tab.snap("screen-pop")

    # When the call is answered and ends
    switch.send("answered", "call-1", 2, extension="8001")
    switch.send("ended", "call-1", 3, extension="8001", duration=75)

    # Then the banner offers the disposition form, which saves outcome and next step
    link = banner.locator("a[data-action=open-popped-customer]")
    expect(link).to_have_attribute(
        "href", "/cti/calls/" + str(_call_id("call-1")) + "/disposition/"
    )
    with page.expect_navigation():
        link.click()
    form = page.locator("[data-testid=disposition-form]")
    form.locator("#id_outcome").fill("快递已找到，明天送达")
    form.locator("#id_next_step").fill("明天确认收货")
    form.locator("#id_next_step_due").fill("2030-03-01T10:00")
    form.locator("#id_state").select_option("waiting_customer")
    with page.expect_navigation():
        form.locator("button[type=submit]").click()
    assert page.url.rstrip("/").endswith(f"/customers/{customer_a.pk}")
    expect(page.locator("[data-panel=breakpoint]")).to_contain_text("明天确认收货")
    expect(page.locator("[data-testid=timeline]")).to_contain_text("快递已找到，明天送达")
    _assert_clean(tab, "screen pop, disposition and customer page")
    call = Interaction.objects.get(external_id="call-1")
    assert (call.outcome, call.duration_seconds) == ("快递已找到，明天送达", 75)
    assert Thread.objects.get(pk=call.thread_id).state == "waiting_customer"


def _call_id(external_id: str) -> int:
    return Interaction.objects.get(external_id=external_id).pk


PAYLOADS = [
    "<script>window.__xss=1</script>",
    "<img src=x onerror=window.__xss=1>",
    '"><svg onload=window.__xss=1>',
    "javascript:window.__xss=1",
]
# Markup a payload would have become, had it been parsed as HTML instead of shown as text.
INJECTED = ", ".join(
    [
        "img[src='x']",
        "svg[onload]",
        "[onerror]",
        "[onload]",
        "a[href^='javascript:']",
        "script:not([src]):not([type='application/json'])",
    ]
)


def _assert_inert(tab: Tab, where: str) -> None:
    page = tab.page
    assert page.evaluate("typeof window.__xss") == "undefined", f"a payload ran on {where}"
    assert page.locator(INJECTED).count() == 0, f"a payload became markup on {where}"
    _assert_clean(tab, where)


def test_script_payloads_from_every_channel_render_as_inert_text(
    tab: Tab, live_server: Any, settings: Any, region_a: Any
) -> None:
    settings.HUDONG_CTI_SECRET = SECRET
    page, base = tab.page, live_server.url
    agent = make_user(Role.AGENT, region_a, username="agent-xss")
    Extension.objects.create(number="8009", user=agent)
    # Given a customer whose name is a payload, and contacts on every channel carrying payloads
    customer = CustomerFactory(region=region_a, name=PAYLOADS[2])
    customer.identifiers.create(kind="phone", value="13900139000", normalized="+8613900139000")
    phone = [Incoming("phone", "139-0013-9000")]
    record_interaction(Contact(channel="sms", identifiers=phone, content=PAYLOADS[1]))
    record_interaction(Contact(channel="webchat", identifiers=phone, content=PAYLOADS[2]))
    record_interaction(
        Contact(channel="email", identifiers=phone, subject=PAYLOADS[0], content=PAYLOADS[3])
    )
    record_interaction(
        Contact(channel="webform", identifiers=phone, subject=PAYLOADS[3], content=PAYLOADS[1])
    )
    _log_in(tab, base, agent.username)
    _wait_live(tab)

    # When the customer calls: the pop shows the name as text
    Switch(base).send("ringing", "call-x", 1, caller="13900139000", extension="8009")
    banner = page.locator("#screen-pop")
    expect(banner.locator("strong")).to_contain_text(PAYLOADS[2])
    expect(page.frame_locator("#screen-pop iframe").locator("h1")).to_have_text(PAYLOADS[2])
    _assert_inert(tab, "the screen pop")

    # Then the customer page's timeline shows every payload literally
    page.goto(f"{base}/customers/{customer.pk}/")
    timeline = page.locator("[data-testid=timeline]")
    for payload in PAYLOADS:
        expect(timeline).to_contain_text(payload)
    expect(page.locator("main h1")).to_contain_text(PAYLOADS[2])
    _assert_inert(tab, "the customer page")

    # ... and so does the inbox, where there is one
    response = page.goto(f"{base}/inbox/")
    if response is not None and response.status == 200:
        _assert_inert(tab, "the inbox")
