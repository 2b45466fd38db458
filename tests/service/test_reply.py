"""Replies go out on the customer's channel through the contact policy; notes stay inside."""

from __future__ import annotations

from typing import Any

import pytest

from hudong.core.errors import DomainError
from hudong.interactions import consent
from hudong.interactions.models import Interaction, OutboundMessage
from hudong.service import actions
from tests.service.conftest import FakeSms, open_case

pytestmark = pytest.mark.django_db


def _phone(customer: Any) -> None:
    customer.identifiers.create(kind="phone", value="13800138000", normalized="+8613800138000")


def test_a_reply_goes_through_the_policy_and_lands_as_an_outbound_contact(
    sms: FakeSms, case_a: Any, customer_a: Any, agent_a: Any
) -> None:
    # Given a customer reachable by SMS
    _phone(customer_a)
    # When the agent replies on the case
    note = actions.reply(case_a, agent_a, "您好，快递已加急，明天送达。")
    # Then the message went out on the customer's channel, as a service message
    [sent] = sms.sent
    assert (sent.to, sent.purpose, sent.channel) == ("+8613800138000", "service", "sms")
    assert sent.body == "您好，快递已加急，明天送达。"
    message = OutboundMessage.objects.get(pk=note.outbound_id)
    assert message.status == "sent"
    # And it is on the customer's timeline as an outbound contact, linked from the note
    contact = Interaction.objects.get(pk=note.interaction_id)
    assert (contact.customer_id, contact.direction, contact.channel) == (
        customer_a.pk,
        "out",
        "sms",
    )
    assert not note.internal
    # And it is the case's first response
    case_a.refresh_from_db()
    assert case_a.first_response_at == note.created_at


def test_a_reply_the_policy_refuses_is_recorded_but_is_no_response(
    sms: FakeSms, customer_a: Any, agent_a: Any
) -> None:
    # Given a case opened from the customer's SMS, and a customer who then withdrew consent
    # to service messages by SMS
    _phone(customer_a)
    text = Interaction.objects.create(
        customer=customer_a, channel="sms", direction="in", initiator="customer", subject="投诉"
    )
    case = open_case(customer_a, agent_a, interaction=text)
    assert (case.channel, case.source) == ("sms", "interaction")
    consent.record(
        customer_a, user=agent_a, purpose="service", granted=False, channel="sms", source="电话"
    )
    # When the agent replies on the case's channel
    note = actions.reply(case, agent_a, "您好")
    # Then nothing is sent, the note says so, and the case has no first response
    assert sms.sent == []
    assert note.outbound is not None and note.outbound.status == "refused"
    case.refresh_from_db()
    assert case.first_response_at is None


def test_a_customer_with_no_reachable_channel_gets_a_clear_error(
    sms: FakeSms, case_a: Any, agent_a: Any
) -> None:
    with pytest.raises(DomainError) as refused:
        actions.reply(case_a, agent_a, "您好")
    assert refused.value.code == "interactions.no_channel"


def test_an_internal_note_is_never_sent(sms: FakeSms, case_a: Any, agent_a: Any) -> None:
    note = actions.add_internal_note(case_a, agent_a, "客户情绪激动，注意语气")
    assert note.internal and note.outbound is None
    assert sms.sent == []
    with pytest.raises(DomainError) as refused:
        actions.add_internal_note(case_a, agent_a, "  ")
    assert refused.value.code == "cases.note_empty"
