"""The contact policy: consent ledger, frequency caps and quiet hours decide every message."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from hudong.customers.models import Customer
from hudong.interactions import consent, policy
from hudong.interactions.models import ContactPolicy, OutboundMessage, OutboundStatus
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db
SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = dt.datetime(2026, 11, 20, 12, 0, tzinfo=SHANGHAI)


def _customer(region: Any) -> Customer:
    customer = CustomerFactory(region=region)
    customer.identifiers.create(kind="phone", value="13800138000", normalized="+8613800138000")
    customer.identifiers.create(kind="email", value="a@b.cn", normalized="a@b.cn")
    return customer


def test_marketing_needs_a_grant_and_service_does_not(region_a: Any) -> None:
    customer = _customer(region_a)
    assert policy.decide(customer, "sms", "marketing", at=NOON).code == "interactions.no_consent"
    assert policy.decide(customer, "sms", "service", at=NOON).allowed
    consent.record(customer, purpose="marketing", granted=True, source="signup form")
    assert policy.decide(customer, "sms", "marketing", at=NOON).allowed


def test_a_td_reply_stops_marketing_on_every_channel_but_not_service(region_a: Any) -> None:
    # Given a customer who agreed to marketing everywhere
    customer = _customer(region_a)
    consent.record(customer, purpose="marketing", granted=True, source="signup form")
    # When they answer a campaign SMS with "退订" from their phone written another way
    assert consent.is_unsubscribe_keyword(" 退订 ")
    consent.withdraw_by_identifier(
        "phone", "+86 138-0013-8000", channel="any", source="sms keyword"
    )
    # Then no marketing goes out on any channel, and service messages still do
    for channel in ("sms", "email", "phone", "wechat"):
        decision = policy.decide(customer, channel, "marketing", at=NOON)
        assert decision.code == "interactions.consent_withdrawn", channel
        assert policy.decide(customer, channel, "service", at=NOON).allowed


def test_a_withdrawal_survives_deletion_and_re_import(region_a: Any) -> None:
    customer = _customer(region_a)
    consent.record(customer, purpose="marketing", granted=True, source="signup form")
    consent.withdraw_by_identifier("email", "A@B.cn", channel="any", source="unsubscribe")
    customer.delete()
    # The same person comes back in a partner list
    again = CustomerFactory(region=region_a)
    again.identifiers.create(kind="email", value="a@b.cn", normalized="a@b.cn")
    assert policy.decide(again, "email", "marketing", at=NOON).code == (
        "interactions.consent_withdrawn"
    )


def test_an_unsubscribe_link_withdraws_and_a_forged_one_is_refused(region_a: Any) -> None:
    customer = _customer(region_a)
    consent.record(customer, purpose="marketing", granted=True, source="signup form")
    consent.unsubscribe(consent.unsubscribe_token(customer, "email"))
    assert not policy.decide(customer, "email", "marketing", at=NOON).allowed
    assert policy.decide(customer, "sms", "marketing", at=NOON).allowed  # only email was asked
    # The click binds the address too: deleted and imported again, it still holds
    customer.delete()
    again = CustomerFactory(region=region_a)
    again.identifiers.create(kind="email", value="a@b.cn", normalized="a@b.cn")
    decision = policy.decide(again, "email", "marketing", at=NOON)
    assert decision.code == "interactions.consent_withdrawn"
    with pytest.raises(Exception) as refused:
        consent.unsubscribe(consent.unsubscribe_token(customer) + "x")
    assert getattr(refused.value, "code", "") == "interactions.unsubscribe_invalid"


def test_the_weekly_marketing_cap_defers_the_third_message(region_a: Any) -> None:
    # Given a customer who got two marketing messages this week (the default cap is two)
    customer = _customer(region_a)
    consent.record(customer, purpose="marketing", granted=True, source="signup form")
    for days_ago in (1, 3):
        OutboundMessage.objects.create(
            customer=customer,
            channel="sms",
            purpose="marketing",
            body="offer",
            status=OutboundStatus.SENT,
            sent_at=NOON - dt.timedelta(days=days_ago),
        )
    # Then a third waits until the older one leaves the 7-day window
    decision = policy.decide(customer, "email", "marketing", at=NOON)
    assert decision.code == "interactions.frequency_cap"
    assert decision.send_at == NOON - dt.timedelta(days=3) + dt.timedelta(days=7)
    # And service messages are not capped
    assert policy.decide(customer, "sms", "service", at=NOON).allowed


def test_a_customer_who_wants_no_marketing_at_all_sets_the_cap_to_zero(region_a: Any) -> None:
    customer = _customer(region_a)
    consent.record(customer, purpose="marketing", granted=True, source="signup form")
    ContactPolicy.objects.create(customer=customer, marketing_per_week=0)
    decision = policy.decide(customer, "sms", "marketing", at=NOON)
    assert decision.code == "interactions.frequency_cap" and not decision.deferred


def test_quiet_hours_defer_to_the_morning_but_let_replies_through(region_a: Any) -> None:
    customer = _customer(region_a)
    late = dt.datetime(2026, 11, 20, 22, 30, tzinfo=SHANGHAI)
    decision = policy.decide(customer, "sms", "service", at=late)
    assert decision.code == "interactions.quiet_hours"
    assert decision.send_at == dt.datetime(2026, 11, 21, 8, 0, tzinfo=SHANGHAI)
    assert policy.decide(customer, "sms", "service", at=late, reply=True).allowed
    # A customer's own quiet hours replace the company's
    ContactPolicy.objects.create(
        customer=customer, quiet_start=dt.time(23, 0), quiet_end=dt.time(7, 0)
    )
    assert policy.decide(customer, "sms", "service", at=late).allowed
