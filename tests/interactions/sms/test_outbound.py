"""Sending SMS through the gateway and hearing back from it (delivery receipts)."""

from __future__ import annotations

from typing import Any

import pytest

from hudong.interactions import outbound
from hudong.interactions.channels.sms import actions
from hudong.interactions.channels.sms.gateway import LocalGateway
from hudong.interactions.models import Interaction, OutboundMessage, OutboundStatus
from tests.factories import CustomerFactory
from tests.interactions.sms.conftest import OUR_NUMBER, wait_until

pytestmark = pytest.mark.django_db(transaction=True)


def _customer_with_phone(region: Any, number: str = "+8613800138000") -> Any:
    customer = CustomerFactory(region=region)
    customer.identifiers.create(kind="phone", value=number, normalized=number)
    return customer


def _status(message: OutboundMessage) -> str:
    return OutboundMessage.objects.get(pk=message.pk).status


def test_a_service_sms_reaches_the_gateway_and_its_receipt_marks_it_delivered(
    gateway: LocalGateway, region_a: Any
) -> None:
    # Given a customer with a mobile number
    customer = _customer_with_phone(region_a)
    # When an agent's service message goes out over SMS
    message = outbound.send_now(customer, purpose="service", channel="sms", body="您的订单已发货")
    # Then the gateway holds it, addressed to the customer, from our number
    assert message.status == OutboundStatus.SENT
    [sent] = gateway.messages
    assert (sent.to, sent.sender, sent.body) == ("+8613800138000", OUR_NUMBER, "您的订单已发货")
    assert message.provider_ref == sent.sid
    # And it is on the customer's timeline as an outbound SMS
    assert Interaction.objects.filter(customer=customer, channel="sms", direction="out").exists()
    # And when the handset confirms, the signed receipt marks the message delivered
    assert wait_until(lambda: _status(message) == OutboundStatus.DELIVERED)
    # (the gateway notes each callback's answer once it has read it: wait for the second)
    assert wait_until(lambda: [c.status_code for c in gateway.callbacks] == [204, 204])


def test_an_undeliverable_number_marks_the_message_failed_with_the_carrier_code(
    gateway: LocalGateway, region_a: Any
) -> None:
    customer = _customer_with_phone(region_a, "+8613900000000")
    gateway.undeliverable = frozenset({"+8613900000000"})
    message = outbound.send_now(customer, purpose="service", channel="sms", body="hello")
    assert wait_until(lambda: _status(message) == OutboundStatus.FAILED)
    assert OutboundMessage.objects.get(pk=message.pk).reason == "sms.30003"


def test_wrong_gateway_credentials_fail_the_message_with_the_gateway_code(
    gateway: LocalGateway, region_a: Any, settings: Any
) -> None:
    # Given a wrong auth token in the settings
    settings.HUDONG_SMS_AUTH_TOKEN = "not-the-token"
    customer = _customer_with_phone(region_a)
    # When a message is sent, the gateway refuses it (Twilio error 20003) and nothing goes out
    message = outbound.send_now(customer, purpose="service", channel="sms", body="hello")
    assert message.status == OutboundStatus.FAILED
    assert "20003" in message.reason
    assert gateway.messages == []


def test_a_receipt_that_overtakes_its_send_is_applied_once_the_send_lands(
    region_a: Any,
) -> None:
    # Given a "delivered" receipt for a message id no message carries yet
    customer = _customer_with_phone(region_a)
    receipt = actions.receive_status({"MessageSid": "SMearly", "MessageStatus": "delivered"})
    assert not receipt.applied
    # When the send lands with that id and the sweep runs
    message = OutboundMessage.objects.create(
        customer=customer,
        channel="sms",
        purpose="service",
        to="+8613800138000",
        body="x",
        status=OutboundStatus.SENT,
        provider_ref="SMearly",
    )
    assert actions.apply_overtaken() == 1
    # Then the message is delivered, and a late "sent" receipt does not undo it
    actions.receive_status({"MessageSid": "SMearly", "MessageStatus": "sent"})
    assert _status(message) == OutboundStatus.DELIVERED
    assert actions.apply_overtaken() == 0
