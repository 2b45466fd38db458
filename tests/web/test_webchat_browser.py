"""Web chat in real browsers: a visitor in the widget on a company's site (another origin, a
phone-sized browser of its own) and an agent in the console talk live both ways, without a
reload; what the visitor types that looks like HTML stays text on the agent's screen."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from hudong.interactions.models import Interaction, Thread, ThreadState
from tests.factories import PASSWORD
from tests.web.conftest import Tab

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

XSS_NAME = '<img src=x onerror="window.__xss=1">王芳'
XSS_LINES = [
    "<script>window.__xss=2</script>",
    '<svg onload="window.__xss=3"></svg>',
    '"><iframe srcdoc="<script>parent.__xss=4</script>">',
]

HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Example shop</title>
<link rel="icon" href="data:,"></head>
<body><h1>Example shop</h1>
<script src="{hudong}/static/webchat/widget.js" data-hudong="{hudong}" data-lang="en" defer>
</script></body></html>
"""


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def shop_site(tmp_path: Path, live_server: Any, settings: Any) -> Iterator[str]:
    """A company's web site on its own origin, embedding the widget; Hudong lets it in."""
    root = tmp_path / "shop"
    root.mkdir()
    (root / "index.html").write_text(HOST_PAGE.format(hudong=live_server.url), encoding="utf-8")
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(_Quiet, directory=root))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    settings.HUDONG_CHAT_ORIGINS = [origin]
    try:
        yield origin
    finally:
        server.shutdown()
        server.server_close()


def _log_in(tab: Tab, base: str, username: str) -> None:
    page = tab.page
    page.goto(f"{base}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation():
        page.click("main form button.primary")
    expect(page.locator("button[data-action=logout]")).to_be_visible()


def _no_errors(tab: Tab, where: str) -> None:
    # A page left while its event stream or a refresh is open aborts that request: not an error.
    errors = [e for e in tab.console.take() if not e.endswith("net::ERR_ABORTED")]
    assert not errors, f"browser errors on {where}:\n" + "\n".join(errors)


def test_visitor_and_agent_chat_live_and_html_stays_text(
    tab: Tab, phone_tab: Tab, live_server: Any, shop_site: str, agent_a: Any, customer_a: Any
) -> None:
    base, agent, visitor = live_server.url, tab.page, phone_tab.page
    customer_a.identifiers.create(kind="phone", value="13800138000", normalized="+8613800138000")
    # Given an agent with the chat console open
    _log_in(tab, base, agent_a.username)
    agent.goto(f"{base}/chat/console/")
    expect(agent.locator("html")).to_have_attribute("data-live", "open")
    # When a visitor on the shop's site opens the widget and starts a chat, their name and
    # first question written as HTML, their phone number written another way
    visitor.goto(shop_site)
    visitor.click("[data-hudong-chat=open]")
    form = visitor.locator("[data-hudong-chat=prechat]")
    form.locator("input[name=name]").fill(XSS_NAME)
    form.locator("input[name=contact]").fill("+86 138-0013-8000")
    form.locator("textarea[name=message]").fill(XSS_LINES[0])
    form.locator("button[type=submit]").click()
    lines = visitor.locator("[data-hudong-chat=lines]")
    expect(lines).to_contain_text("An agent will be with you shortly")
    expect(lines.locator("li.hdc-customer")).to_have_text("You" + XSS_LINES[0])
    phone_tab.snap("webchat-visitor-waiting")
    visitor.evaluate("window.__stayed = true")

    # Then the chat shows up in the agent's queue by itself; the agent opens it and accepts
    waiting = agent.locator("[data-testid=chat-waiting] a")
    expect(waiting).to_have_text(XSS_NAME, timeout=15_000)
    waiting.click()
    agent.click("[data-action=accept-chat]")
    expect(agent.locator("[data-testid=chat-status]")).to_have_text("Active")
    expect(agent.locator("#chat-lines li[data-sender=customer] .text")).to_have_text(XSS_LINES[0])
    expect(agent.locator("[data-testid=chat-visitor]")).to_have_text(XSS_NAME)
    agent.evaluate("window.__stayed = true")
    expect(agent.locator("html")).to_have_attribute("data-live", "open")
    # And the visitor learns at once that the agent joined
    expect(lines).to_contain_text("agent-a has joined the chat.")

    # When the agent answers, the visitor sees it without a reload
    agent.fill("#chat-text", "您好，请问订单号是多少？")
    agent.click("[data-action=send-reply]")
    expect(lines.locator("li.hdc-agent")).to_have_text("agent-a您好，请问订单号是多少？")
    # And when the visitor answers with more HTML, the agent sees it as text, without a reload
    reply = visitor.locator("[data-hudong-chat=reply] textarea")
    for text in XSS_LINES[1:]:
        reply.fill(text)
        reply.press("Enter")
    customer_lines = agent.locator("#chat-lines li[data-sender=customer] .text")
    expect(customer_lines).to_have_text(XSS_LINES)
    tab.snap("webchat-agent-console")
    phone_tab.snap("webchat-visitor-chatting")
    assert agent.evaluate("window.__stayed") is True
    assert visitor.evaluate("window.__stayed") is True
    # No payload ran anywhere
    assert agent.evaluate("typeof window.__xss") == "undefined"
    assert visitor.evaluate("typeof window.__xss") == "undefined"
    assert agent.locator("#chat-pane img, #chat-pane svg, #chat-pane iframe").count() == 0

    # When the visitor moves to another page of the site, the chat goes on where it was
    visitor.reload()
    expect(lines.locator("li.hdc-agent")).to_have_text("agent-a您好，请问订单号是多少？")
    expect(lines.locator("li.hdc-customer")).to_have_count(3)
    agent.fill("#chat-text", "好的，马上为您换货")
    agent.click("[data-action=send-reply]")
    expect(lines.locator("li.hdc-agent").last).to_have_text("agent-a好的，马上为您换货")

    # When the agent ends the chat with a next step
    agent.click(".chat-end summary")
    agent.select_option("#end-state", "waiting_us")
    agent.fill("#end-next", "寄出换货")
    with agent.expect_navigation():
        agent.click("[data-action=end-chat]")
    expect(agent.locator("[data-testid=chat-status]")).to_have_text("Ended")
    # Then the visitor sees the end, and the customer has one chat on their timeline
    expect(lines).to_contain_text("The chat has ended. Thank you!")
    chats = list(Interaction.objects.filter(customer=customer_a, channel="webchat"))
    assert len(chats) == 1 and chats[0].agent_id == agent_a.pk
    assert "您好，请问订单号是多少？" in chats[0].content and XSS_LINES[2] in chats[0].content
    thread = Thread.objects.get(pk=chats[0].thread_id)
    assert (thread.state, thread.next_step) == (ThreadState.WAITING_US, "寄出换货")
    agent.goto(f"{base}/customers/{customer_a.pk}/")
    on_timeline = agent.locator("[data-testid=timeline] li[data-channel=webchat]")
    expect(on_timeline).to_have_count(1)
    expect(on_timeline.locator(".content")).to_contain_text(f"{XSS_NAME}: {XSS_LINES[0]}")
    assert agent.evaluate("typeof window.__xss") == "undefined"
    _no_errors(tab, "agent console")
    _no_errors(phone_tab, "visitor widget")


def test_the_demo_page_offers_the_widget_under_the_content_security_policy(
    tab: Tab, live_server: Any
) -> None:
    page = tab.page
    response = page.goto(f"{live_server.url}/chat/demo/")
    assert response is not None and response.status == 200
    page.click("[data-hudong-chat=open]")
    expect(page.locator("[data-hudong-chat=prechat] input[name=name]")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 1280
    _no_errors(tab, "demo page")


def test_a_line_written_before_the_console_went_live_is_not_lost(
    tab: Tab, live_server: Any, agent_a: Any, customer_a: Any
) -> None:
    from hudong.interactions.channels.webchat import actions
    from hudong.interactions.channels.webchat.models import ChatSession

    base, agent = live_server.url, tab.page
    customer_a.identifiers.create(kind="phone", value="13800138000", normalized="+8613800138000")
    started = actions.start_session(name="王芳", contact="13800138000", message="你好")
    actions.accept(started.session, user=agent_a)
    _log_in(tab, base, agent_a.username)
    # Given the agent's console is open but its live stream cannot connect yet
    agent.route("**/live/", lambda route: route.abort())
    agent.goto(f"{base}/chat/console/?s={started.session.public_id}")
    expect(agent.locator("#chat-lines li[data-sender=customer]")).to_have_count(1)
    # When the visitor writes meanwhile, and then the stream connects
    actions.customer_says(ChatSession.objects.get(pk=started.session.pk), "还在吗？")
    agent.unroute("**/live/")
    # Then the line shows up without a reload
    expect(agent.locator("html")).to_have_attribute("data-live", "open", timeout=15_000)
    expect(agent.locator("#chat-lines li[data-sender=customer] .text")).to_have_text(
        ["你好", "还在吗？"]
    )
