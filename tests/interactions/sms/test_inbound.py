"""Texts from customers: recorded once on the right customer, opt-out keywords honoured,
forged or broken callbacks refused with a problem code."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from hudong.interactions import consent, outbound, policy
from hudong.interactions.channels.sms.gateway import LocalGateway
from hudong.interactions.channels.sms.provider import SIGNATURE_HEADER, signature
from hudong.interactions.models import (
    ConsentEntry,
    Interaction,
    OutboundStatus,
    Thread,
)
from tests.factories import CustomerFactory
from tests.interactions.sms.conftest import TOKEN

pytestmark = pytest.mark.django_db(transaction=True)


def _known_customer(region: Any) -> Any:
    """张伟, reachable by mobile and email, who agreed to marketing."""
    customer = CustomerFactory(region=region, name="张伟")
    customer.identifiers.create(kind="phone", value="13800138000", normalized="+8613800138000")
    customer.identifiers.create(kind="email", value="zw@example.cn", normalized="zw@example.cn")
    consent.record(customer, purpose="marketing", granted=True, source="signup form")
    return customer


def test_an_inbound_text_lands_on_the_customer_known_by_that_number(
    gateway: LocalGateway, region_a: Any
) -> None:
    customer = _known_customer(region_a)
    # When the customer texts from a differently written number
    reply = gateway.simulate_inbound("+86 138-0013-8000", "我的快递到哪了？")
    # Then the gateway gets an empty TwiML answer and the text is on the customer's timeline
    assert reply.status_code == 200 and "<Response>" in reply.body
    sms = Interaction.objects.get(channel="sms")
    assert (sms.customer_id, sms.direction, sms.content) == (customer.pk, "in", "我的快递到哪了？")
    assert sms.thread is not None and sms.thread.state == "waiting_us"


def test_td_stops_marketing_on_every_channel_but_service_sms_still_goes_out(
    gateway: LocalGateway, region_a: Any
) -> None:
    # Given a customer who agreed to marketing
    customer = _known_customer(region_a)
    assert policy.decide(customer, "email", "marketing").allowed
    # When they reply "退订" from "+86 138-0013-8000"
    reply = gateway.simulate_inbound("+86 138-0013-8000", " 退订 ")
    assert reply.status_code == 200
    # Then the withdrawal is in the ledger, bound to the number, and the text is recorded
    entry = ConsentEntry.objects.get(granted=False)
    assert (entry.customer_id, entry.channel, entry.purpose) == (customer.pk, "any", "marketing")
    assert (entry.identifier_kind, entry.identifier_key) == ("phone", "+8613800138000")
    assert Interaction.objects.get(channel="sms").meta["unsubscribe"] is True
    # And a later marketing SMS is refused and never reaches the gateway
    promo = outbound.queue(customer, purpose="marketing", channel="sms", body="双十一大促")
    assert (promo.status, promo.reason) == (
        OutboundStatus.REFUSED,
        "interactions.consent_withdrawn",
    )
    # And marketing email is refused too
    assert policy.decide(customer, "email", "marketing").code == "interactions.consent_withdrawn"
    # While a service SMS still goes out
    notice = outbound.send_now(customer, purpose="service", channel="sms", body="订单已发货")
    assert notice.status == OutboundStatus.SENT
    assert [m.body for m in gateway.messages] == ["订单已发货"]


def test_the_same_message_delivered_twice_records_one_interaction(
    gateway: LocalGateway, region_a: Any
) -> None:
    _known_customer(region_a)
    first = gateway.simulate_inbound("+8613800138000", "TD", sid="SMdup0001")
    second = gateway.simulate_inbound("+8613800138000", "TD", sid="SMdup0001")
    assert (first.status_code, second.status_code) == (200, 200)
    assert Interaction.objects.filter(channel="sms").count() == 1
    assert ConsentEntry.objects.filter(granted=False).count() == 1


def test_a_forged_signature_gets_401_and_records_nothing(
    gateway: LocalGateway, region_a: Any
) -> None:
    _known_customer(region_a)
    url = gateway.inbound_url
    params = {"MessageSid": "SMforged", "From": "+8613800138000", "Body": "TD"}
    # Signed with another token
    forged = gateway.post_signed(url, params, token="guessed-token")
    # Unsigned
    unsigned = httpx.post(url, data=params)
    # Signed correctly, then tampered with
    sig = signature(TOKEN, url, params.items())
    tampered = httpx.post(url, data={**params, "Body": "hi"}, headers={SIGNATURE_HEADER: sig})
    for response in (forged, unsigned, tampered):
        assert response.status_code == 401
    assert unsigned.headers["Content-Type"] == "application/problem+json"
    assert unsigned.json()["code"] == "sms.signature_invalid"
    assert not Interaction.objects.exists()
    assert not ConsentEntry.objects.filter(granted=False).exists()
    # A forged receipt cannot mark a message delivered either
    receipt = httpx.post(
        url.replace("inbound", "status"),
        data={"MessageSid": "SMx", "MessageStatus": "delivered"},
        headers={SIGNATURE_HEADER: "AAAA"},
    )
    assert receipt.status_code == 401


def test_a_malformed_callback_gets_422_and_an_oversize_one_413(
    gateway: LocalGateway, region_a: Any
) -> None:
    no_sender = gateway.post_signed(gateway.inbound_url, {"MessageSid": "SM1", "Body": "hi"})
    assert no_sender.status_code == 422
    assert '"sms.malformed"' in no_sender.body and '"From"' in no_sender.body
    bad_status = gateway.post_signed(
        gateway.inbound_url.replace("inbound", "status"),
        {"MessageSid": "SM1", "MessageStatus": "exploded"},
    )
    assert bad_status.status_code == 422
    assert '"sms.status_unknown"' in bad_status.body
    huge = httpx.post(gateway.inbound_url, data={"Body": "x" * 100_000, "From": "+8613800138000"})
    assert huge.status_code == 413
    assert huge.json()["code"] == "sms.too_large"
    assert not Interaction.objects.exists()
    assert not Thread.objects.exists()


def test_a_number_that_is_not_a_phone_number_gets_422(gateway: LocalGateway, region_a: Any) -> None:
    reply = gateway.simulate_inbound("not-a-number", "hello")
    assert reply.status_code == 422
    assert '"customers.identifier_invalid"' in reply.body
    assert not Interaction.objects.exists()


def test_callbacks_signed_with_the_previous_token_count_while_a_rotation_settles(
    gateway: LocalGateway, region_a: Any, settings: Any
) -> None:
    # Given the auth token was just rotated and the old one is still listed
    settings.HUDONG_SMS_AUTH_TOKEN = "the-new-token"
    settings.HUDONG_SMS_PREVIOUS_AUTH_TOKENS = TOKEN
    # When the gateway still signs with the old token, the text is taken
    taken = gateway.simulate_inbound("+8613800138000", "还在吗")
    assert taken.status_code == 200
    # And once the old token is dropped, the same signing is refused
    settings.HUDONG_SMS_PREVIOUS_AUTH_TOKENS = ""
    refused = gateway.simulate_inbound("+8613800138000", "还在吗")
    assert refused.status_code == 401
    assert Interaction.objects.filter(channel="sms").count() == 1
