"""The interactions API: timeline, manual logging, breakpoints, consent, policy, decisions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from hudong.core.models import AuditEntry
from hudong.customers.resolution.ingest import Incoming
from hudong.interactions.actions import Contact, record_interaction
from hudong.interactions.models import ConsentEntry, Thread
from tests.factories import CustomerFactory, OrderFactory

pytestmark = pytest.mark.django_db


def api(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def send(client: Client, method: str, url: str, body: dict[str, Any]) -> Any:
    return getattr(client, method)(url, data=json.dumps(body), content_type="application/json")


def test_the_timeline_lists_contacts_of_one_channel_and_audits_the_read(
    agent_a: Any, customer_a: Any
) -> None:
    # Given a customer reached by SMS and by email
    for channel in ("sms", "email", "sms"):
        record_interaction(Contact(channel=channel, customer=customer_a, content=channel))
    # When the agent asks for the SMS contacts
    resp = api(agent_a).get(f"/api/v1/customers/{customer_a.pk}/interactions?channel=sms")
    # Then only those come back, and the read of personal data is audited
    assert resp.status_code == 200
    assert [i["channel"] for i in resp.json()] == ["sms", "sms"]
    assert AuditEntry.objects.filter(customer_id=customer_a.pk, action="view").exists()


def test_a_customer_of_another_region_is_not_found_through_any_interaction_route(
    agent_a: Any, customer_b: Any
) -> None:
    record_interaction(Contact(channel="sms", customer=customer_b, content="hi"))
    thread = Thread.objects.get(customer=customer_b)
    client = api(agent_a)
    for resp in (
        client.get(f"/api/v1/customers/{customer_b.pk}/interactions"),
        client.get(f"/api/v1/customers/{customer_b.pk}/consent"),
        client.get(f"/api/v1/threads/{thread.pk}"),
        send(client, "patch", f"/api/v1/threads/{thread.pk}", {"state": "closed"}),
        send(
            client,
            "post",
            f"/api/v1/customers/{customer_b.pk}/consent",
            {"purpose": "marketing", "granted": True, "source": "x"},
        ),
    ):
        assert resp.status_code == 404, resp.content
    assert Thread.objects.get(pk=thread.pk).state != "closed"


def test_an_agent_logs_a_visit_and_sets_the_next_step(agent_a: Any, customer_a: Any) -> None:
    client = api(agent_a)
    resp = send(
        client,
        "post",
        f"/api/v1/customers/{customer_a.pk}/interactions",
        {"channel": "face", "subject": "到店", "duration_seconds": 300, "next_step": "回电"},
    )
    assert resp.status_code == 201, resp.content
    thread_id = resp.json()["thread_id"]
    resp = send(
        client,
        "patch",
        f"/api/v1/threads/{thread_id}",
        {"state": "waiting_customer", "next_step_due": "2026-12-01T10:00:00+08:00"},
    )
    body = resp.json()
    assert body["state"] == "waiting_customer" and body["next_step"] == "回电"
    # The screen pop leads with the breakpoint
    pop = client.get(f"/api/v1/customers/{customer_a.pk}/360").json()
    assert pop["panels"]["breakpoint"]["open"][0]["next_step"] == "回电"


def test_email_is_not_a_manual_channel_and_bad_states_are_refused(
    agent_a: Any, customer_a: Any
) -> None:
    client = api(agent_a)
    resp = send(
        client,
        "post",
        f"/api/v1/customers/{customer_a.pk}/interactions",
        {"channel": "email", "subject": "x"},
    )
    assert resp.status_code == 422
    thread = record_interaction(Contact(channel="sms", customer=customer_a)).interaction.thread
    resp = send(client, "patch", f"/api/v1/threads/{thread.pk}", {"state": "lost"})
    assert resp.status_code == 422


def test_consent_and_policy_change_the_decision(agent_a: Any, customer_a: Any) -> None:
    client = api(agent_a)
    url = f"/api/v1/customers/{customer_a.pk}"
    decision = client.get(f"{url}/contact-decision?channel=sms&purpose=marketing").json()
    assert decision["code"] == "interactions.no_consent"
    resp = send(
        client,
        "post",
        f"{url}/consent",
        {"purpose": "marketing", "granted": True, "source": "门店登记", "channel": "sms"},
    )
    assert resp.status_code == 201
    resp = send(
        client,
        "patch",
        f"{url}/contact-policy",
        {"preferred_channels": ["sms", "email"], "quiet_start": "00:00", "quiet_end": "00:01"},
    )
    assert resp.status_code == 200 and resp.json()["preferred_channels"] == ["sms", "email"]
    decision = client.get(f"{url}/contact-decision?channel=sms&purpose=marketing").json()
    assert decision["allowed"] is True
    assert ConsentEntry.objects.filter(customer=customer_a).count() == 1
    half = send(client, "patch", f"{url}/contact-policy", {"quiet_start": "22:00"})
    assert half.status_code == 422
    assert half.json()["code"] == "interactions.quiet_hours_incomplete"


def test_the_recommended_channel_follows_the_value_tier(agent_a: Any, region_a: Any) -> None:
    big, small = CustomerFactory(region=region_a), CustomerFactory(region=region_a)
    OrderFactory(customer=big, total="9000.00")
    client = api(agent_a)
    big_policy = client.get(f"/api/v1/customers/{big.pk}/contact-policy").json()
    small_policy = client.get(f"/api/v1/customers/{small.pk}/contact-policy").json()
    assert big_policy["recommended_channel"] == "phone"
    assert small_policy["recommended_channel"] == "sms"


def test_cost_to_serve_counts_only_what_the_user_may_see(
    agent_a: Any, customer_a: Any, customer_b: Any
) -> None:
    record_interaction(Contact(channel="phone", customer=customer_a, duration_seconds=120))
    record_interaction(Contact(channel="phone", customer=customer_b, duration_seconds=600))
    report = api(agent_a).get("/api/v1/reports/cost-to-serve").json()
    phone = next(r for r in report["by_channel"] if r["key"] == "phone")
    assert phone["contacts"] == 1 and phone["cost"] == "9.00"  # 6 + 2 minutes at 1.50
    tier_c = next(r for r in report["by_tier"] if r["key"] == "C")
    assert tier_c["customers"] == 1


def test_a_message_without_a_sending_channel_is_refused_with_a_code(
    agent_a: Any, customer_a: Any
) -> None:
    resp = send(
        api(agent_a),
        "post",
        f"/api/v1/customers/{customer_a.pk}/messages",
        {"purpose": "service", "body": "您的包裹已发出", "channel": "fax"},
    )
    assert resp.status_code == 422
    assert resp.json()["code"] == "interactions.channel_cannot_send"


def test_unknown_senders_get_customers_through_identifiers(region_a: Any) -> None:
    recorded = record_interaction(
        Contact(channel="wechat", identifiers=[Incoming("wechat", "WX_Zhang")], name="张三")
    )
    assert recorded.interaction.customer.name == "张三"


def test_quiet_hours_with_a_utc_offset_are_refused_not_a_crash(
    agent_a: Any, customer_a: Any
) -> None:
    resp = send(
        api(agent_a),
        "patch",
        f"/api/v1/customers/{customer_a.pk}/contact-policy",
        {"quiet_start": "22:00:00+08:00", "quiet_end": "07:00:00+08:00"},
    )
    assert resp.status_code == 422 and resp.json()["code"] == "request.invalid"


def test_null_clears_the_preferred_channels_and_the_cap(agent_a: Any, customer_a: Any) -> None:
    client = api(agent_a)
    url = f"/api/v1/customers/{customer_a.pk}/contact-policy"
    send(client, "patch", url, {"preferred_channels": ["email"], "marketing_per_week": 1})
    resp = send(client, "patch", url, {"preferred_channels": None, "marketing_per_week": None})
    assert resp.status_code == 200, resp.content
    assert resp.json()["preferred_channels"] == [] and resp.json()["marketing_per_week"] == 2
