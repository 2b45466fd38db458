"""The SMS API: the set-up an administrator configures the gateway with, and the delivery
state of a sent SMS for those who may see its customer."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from hudong.core.models import ApiToken
from hudong.interactions.channels.sms import actions
from hudong.interactions.models import OutboundMessage, OutboundStatus

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    _, key = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def _sent_sms(customer: Any, sid: str) -> OutboundMessage:
    return OutboundMessage.objects.create(
        customer=customer,
        channel="sms",
        purpose="service",
        to="+8613800138000",
        body="您的订单已发货",
        status=OutboundStatus.SENT,
        provider_ref=sid,
    )


def test_an_administrator_sees_the_callback_urls_but_never_the_token(
    admin_user: Any, agent_a: Any, settings: Any
) -> None:
    settings.HUDONG_PUBLIC_URL = "https://crm.example.cn"
    settings.HUDONG_SMS_ACCOUNT_SID = "AC" + "2" * 32
    settings.HUDONG_SMS_AUTH_TOKEN = "secret-token-value"
    settings.HUDONG_SMS_FROM = "+8610690001"
    resp = _client(admin_user).get("/api/v1/sms/setup")
    assert resp.status_code == 200
    body = resp.json()
    assert body["configured"] and body["auth_token_set"]
    assert body["status_callback_url"] == "https://crm.example.cn/sms/status/"
    assert body["inbound_url"] == "https://crm.example.cn/sms/inbound/"
    assert "secret-token-value" not in resp.content.decode()
    # An agent may not see it
    denied = _client(agent_a).get("/api/v1/sms/setup")
    assert denied.status_code == 403 and denied.json()["code"] == "sms.admin_only"


def test_an_agent_follows_the_delivery_of_an_sms_to_a_customer_of_their_region(
    agent_a: Any, customer_a: Any, customer_b: Any
) -> None:
    # Given an SMS to a customer of the agent's region, and its "undelivered" receipt
    mine = _sent_sms(customer_a, "SMmine")
    actions.receive_status(
        {"MessageSid": "SMmine", "MessageStatus": "undelivered", "ErrorCode": "30005"}
    )
    theirs = _sent_sms(customer_b, "SMtheirs")
    api = _client(agent_a)
    # When the agent asks for it, they see the carrier's verdict
    resp = api.get(f"/api/v1/sms/messages/{mine.pk}")
    assert resp.status_code == 200
    body = resp.json()
    assert (body["status"], body["reason"]) == ("failed", "sms.30005")
    assert (body["receipt_status"], body["receipt_error_code"]) == ("undelivered", "30005")
    # And an SMS to another region's customer is not found, like one that does not exist
    for other in (theirs.pk, 999_999):
        hidden = api.get(f"/api/v1/sms/messages/{other}")
        assert hidden.status_code == 404 and hidden.json()["code"] == "sms.message_not_found"
