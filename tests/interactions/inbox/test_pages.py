"""The inbox pages as an agent uses them: presence control, the queue with a conversation
open, a reply over real SMTP, the metrics page; customers' text is shown as text."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from hudong.core.models import Role
from hudong.customers.resolution.ingest import Incoming
from hudong.interactions.actions import Contact, record_interaction
from hudong.interactions.inbox.models import PresenceChange
from hudong.interactions.models import ThreadState
from tests.factories import CustomerFactory, make_user
from tests.interactions.email.conftest import Relay, customer_with_email, smtp_relay
from tests.interactions.inbox.conftest import deliver_events

pytestmark = pytest.mark.django_db
__all__ = ["smtp_relay"]  # the real SMTP server fixture of the email channel's tests

XSS = '<script>window.pwned=1</script><img src=x onerror="window.pwned=1">'


def browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_presence_control_changes_status_and_pulls_waiting_work(
    region_a: Any, make_agent: Callable[..., Any], inbound: Callable[..., Any]
) -> None:
    agent = make_agent("ann", region_a, status="offline")
    waiting = inbound(CustomerFactory(region=region_a))
    client = browser(agent)
    page = client.get("/inbox/").content.decode()
    assert 'data-nav="inbox"' in page and 'data-testid="presence-status"' in page
    # When the agent sets "available" with the control (htmx swaps the control itself)
    resp = client.post("/inbox/presence/", {"status": "available"}, HTTP_HX_REQUEST="true")
    assert resp.status_code == 200 and 'data-status="available"' in resp.content.decode()
    # Then the change is logged and the waiting conversation is theirs
    assert PresenceChange.objects.get(user=agent).status == "available"
    waiting.refresh_from_db()
    assert waiting.assigned_to == agent


def test_what_a_customer_wrote_is_shown_as_text(
    region_a: Any, make_agent: Callable[..., Any]
) -> None:
    agent = make_agent("ann", region_a)
    recorded = record_interaction(
        Contact(
            channel="webform",
            identifiers=[Incoming("email", "x@evil.example")],
            name=XSS,
            subject=XSS,
            content=XSS,
        )
    )
    deliver_events()
    thread = recorded.interaction.thread
    assert thread is not None
    client = browser(agent)
    for page in (client.get("/inbox/"), client.get(f"/inbox/?thread={thread.pk}")):
        html = page.content.decode()
        assert "<script>window.pwned" not in html and "<img src=x" not in html
        assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in html
    rows = client.get("/inbox/rows/").content.decode()
    assert "<script>window.pwned" not in rows and "&lt;img src=x" in rows


def test_a_reply_from_the_inbox_goes_out_by_email_threaded(
    smtp_relay: Relay, region_a: Any, make_agent: Callable[..., Any]
) -> None:
    # Given a customer's email waiting in the inbox, routed to an agent
    agent = make_agent("ann", region_a)
    customer_with_email(region_a, "li@mail.example")
    theirs = record_interaction(
        Contact(
            channel="email",
            identifiers=[Incoming("email", "LI@mail.example")],
            subject="发票",
            content="请开发票",
            external_id="q-1@mail.example",
        )
    ).interaction
    deliver_events()
    thread = theirs.thread
    assert thread is not None
    # When the agent answers from the inbox page
    resp = browser(agent).post(f"/inbox/{thread.pk}/reply/", {"body": "已开好，请查收。"})
    assert resp.status_code == 302
    # Then the mail reaches the SMTP server, threaded under the customer's
    (mail,) = smtp_relay.received
    assert mail.rcpt_tos == ["li@mail.example"]
    assert mail.message["In-Reply-To"] == "<q-1@mail.example>"
    assert "已开好" in mail.message.get_content()
    # And the conversation now waits on the customer, with its first response time
    thread.refresh_from_db()
    assert thread.state == ThreadState.WAITING_CUSTOMER and thread.first_response_at is not None
    assert thread.assigned_to == agent


def test_a_reply_that_cannot_go_says_why(
    region_a: Any, make_agent: Callable[..., Any], inbound: Callable[..., Any]
) -> None:
    agent = make_agent("ann", region_a)
    thread = inbound(CustomerFactory(region=region_a), channel="face")  # no address at all
    client = browser(agent)
    resp = client.post(
        f"/api/v1/inbox/conversations/{thread.pk}/reply",
        data=json.dumps({"body": "您好"}),
        content_type="application/json",
    )
    assert resp.status_code == 409 and resp.json()["code"] == "interactions.no_channel"
    empty = client.post(
        f"/api/v1/inbox/conversations/{thread.pk}/reply",
        data=json.dumps({"body": "   "}),
        content_type="application/json",
    )
    assert empty.status_code == 422


def test_the_metrics_page_draws_its_chart_from_embedded_data(region_a: Any) -> None:
    supervisor = make_user(Role.SUPERVISOR, region_a, username="boss")
    make_user(Role.AGENT, region_a, username="<b>agent</b>")
    page = browser(supervisor).get("/inbox/metrics/", {"group": "agent"})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-nav="agent_metrics"' in html
    assert 'id="agent-chart-data"' in html and "vendor/echarts/echarts.min.js" in html
    assert "&lt;b&gt;agent&lt;/b&gt;" in html and "<b>agent</b>" not in html


def test_a_supervisor_sees_the_agents_of_their_region_with_load(
    region_a: Any, region_b: Any, make_agent: Callable[..., Any], inbound: Callable[..., Any]
) -> None:
    agent = make_agent("ann", region_a, capacity=3, skills=("returns",))
    make_agent("bea", region_b)
    inbound(CustomerFactory(region=region_a))
    html = browser(make_user(Role.SUPERVISOR, region_a, username="boss")).get("/inbox/")
    text = html.content.decode()
    assert 'data-agent="ann"' in text and 'data-agent="bea"' not in text
    assert "1 / 3" in text and "returns" in text
    # An agent's own inbox has no such list
    assert 'data-testid="agents"' not in browser(agent).get("/inbox/").content.decode()
