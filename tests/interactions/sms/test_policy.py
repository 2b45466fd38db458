"""SMS obeys the contact policy: the weekly marketing cap and the customer's quiet hours
hold messages back before they reach the gateway."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from hudong.interactions import consent, outbound
from hudong.interactions.channels.sms.gateway import LocalGateway
from hudong.interactions.models import ContactPolicy, OutboundStatus
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _subscriber(region: Any) -> Any:
    customer = CustomerFactory(region=region)
    customer.identifiers.create(kind="phone", value="13800138000", normalized="+8613800138000")
    consent.record(customer, purpose="marketing", granted=True, source="signup form")
    return customer


def test_a_third_marketing_sms_in_a_week_waits_for_the_cap(
    gateway: LocalGateway, region_a: Any, settings: Any
) -> None:
    # Given at most two marketing messages a week
    settings.HUDONG_MARKETING_PER_WEEK = 2
    customer = _subscriber(region_a)
    # When three promotions are sent
    sent = [
        outbound.send_now(customer, purpose="marketing", channel="sms", body=f"促销 {n}")
        for n in range(3)
    ]
    # Then two reach the handset gateway and the third waits about a week
    assert [m.status for m in sent] == [OutboundStatus.SENT] * 2 + [OutboundStatus.QUEUED]
    assert sent[2].reason == "interactions.frequency_cap"
    assert sent[2].send_after > timezone.now() + dt.timedelta(days=6)
    assert [m.body for m in gateway.messages] == ["促销 0", "促销 1"]


def test_a_notice_during_the_customers_quiet_hours_waits_for_the_morning(
    gateway: LocalGateway, region_a: Any
) -> None:
    # Given a customer whose quiet hours are now, in their time zone
    customer = _subscriber(region_a)
    local = timezone.now().astimezone(ZoneInfo("Asia/Shanghai"))
    ContactPolicy.objects.create(
        customer=customer,
        quiet_start=(local - dt.timedelta(hours=1)).time(),
        quiet_end=(local + dt.timedelta(hours=1)).time(),
    )
    # When a proactive service notice goes out by SMS
    notice = outbound.send_now(customer, purpose="service", channel="sms", body="账单已出")
    # Then it waits until the quiet hours end, and the gateway has nothing
    assert (notice.status, notice.reason) == (OutboundStatus.QUEUED, "interactions.quiet_hours")
    assert timezone.now() < notice.send_after <= timezone.now() + dt.timedelta(hours=1, minutes=1)
    assert gateway.messages == []
    # While a reply inside the conversation the customer holds open goes out at once
    reply = outbound.send_now(
        customer, purpose="service", channel="sms", body="好的，已处理", reply=True
    )
    assert reply.status == OutboundStatus.SENT
    assert [m.body for m in gateway.messages] == ["好的，已处理"]
