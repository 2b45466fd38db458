"""Interaction pages: the customer page leads with the breakpoint, the timeline filters by
channel, contacts are logged by hand, and the policy, touchpoint and cost pages render."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from hudong.interactions.actions import Contact, record_interaction, set_breakpoint
from hudong.interactions.models import ConsentEntry, Interaction

pytestmark = pytest.mark.django_db


def browser(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_customer_page_leads_with_the_breakpoint_and_escapes_what_customers_wrote(
    agent_a: Any, customer_a: Any
) -> None:
    # Given a conversation whose last message carries markup, with a next step set
    recorded = record_interaction(
        Contact(channel="sms", customer=customer_a, content="<script>alert(1)</script>")
    )
    assert recorded.interaction.thread is not None
    set_breakpoint(recorded.interaction.thread, user=agent_a, next_step="寄发票")
    # When the agent opens the customer
    html = browser(agent_a).get(f"/customers/{customer_a.pk}/").content.decode()
    # Then the breakpoint comes before the profile, and the text is inert
    assert html.index('data-panel="breakpoint"') < html.index('data-panel="profile"')
    assert "寄发票" in html
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_timeline_filter_returns_one_channel(agent_a: Any, customer_a: Any) -> None:
    for channel in ("sms", "email"):
        record_interaction(Contact(channel=channel, customer=customer_a, subject=channel))
    html = browser(agent_a).get(f"/interactions/customers/{customer_a.pk}/timeline/?channel=email")
    text = html.content.decode()
    assert 'data-channel="email"' in text and 'data-channel="sms"' not in text


def test_an_agent_logs_a_visit_from_the_form(agent_a: Any, customer_a: Any) -> None:
    resp = browser(agent_a).post(
        f"/interactions/customers/{customer_a.pk}/log/",
        {
            "channel": "face",
            "direction": "in",
            "subject": "到店退货",
            "duration_minutes": "5",
            "next_step": "三天内退款",
        },
    )
    assert resp.status_code == 302
    visit = Interaction.objects.get(customer=customer_a)
    assert visit.channel == "face" and visit.duration_seconds == 300
    assert visit.thread is not None and visit.thread.next_step == "三天内退款"


def test_the_contact_policy_page_records_a_withdrawal(agent_a: Any, customer_a: Any) -> None:
    client = browser(agent_a)
    assert client.get(f"/interactions/customers/{customer_a.pk}/contact/").status_code == 200
    client.post(
        f"/interactions/customers/{customer_a.pk}/contact/consent/",
        {"purpose": "marketing", "channel": "any", "granted": "0", "source": "电话告知"},
    )
    entry = ConsentEntry.objects.get(customer=customer_a)
    assert entry.granted is False and entry.recorded_by == agent_a


def test_another_regions_customer_pages_are_not_found(agent_a: Any, customer_b: Any) -> None:
    client = browser(agent_a)
    for url in (
        f"/interactions/customers/{customer_b.pk}/timeline/",
        f"/interactions/customers/{customer_b.pk}/log/",
        f"/interactions/customers/{customer_b.pk}/contact/",
    ):
        assert client.get(url).status_code == 404, url


def test_touchpoint_and_cost_pages_show_their_charts(agent_a: Any, customer_a: Any) -> None:
    record_interaction(Contact(channel="phone", customer=customer_a, touchpoint="hotline-400"))
    client = browser(agent_a)
    page = client.get("/interactions/touchpoints/").content.decode()
    assert 'data-chart="chart-touchpoints"' in page and "400 客服热线" in page
    cost = client.get("/interactions/cost-to-serve/?days=30").content.decode()
    assert 'data-chart="chart-tier"' in cost
