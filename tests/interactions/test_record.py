"""Recording contacts: one customer per person whatever the channel, threaded, once."""

from __future__ import annotations

from typing import Any

import pytest

from hudong.customers.resolution.ingest import Incoming
from hudong.interactions.actions import Contact, log_manual, record_interaction, set_breakpoint
from hudong.interactions.models import Interaction, Thread, ThreadState
from tests.factories import CustomerFactory

pytestmark = pytest.mark.django_db


def test_contacts_with_differently_written_identifiers_land_on_one_customer(
    region_a: Any,
) -> None:
    # Given a customer known by phone and email
    customer = CustomerFactory(region=region_a)
    customer.identifiers.create(kind="phone", value="13800138000", normalized="+8613800138000")
    customer.identifiers.create(kind="email", value="w@x.cn", normalized="w@x.cn")
    # When an SMS, an email and a call arrive with other spellings
    sms = record_interaction(
        Contact(channel="sms", identifiers=[Incoming("phone", "+86-138-0013-8000")], content="hi")
    )
    email = record_interaction(
        Contact(channel="email", identifiers=[Incoming("email", " W@X.CN ")], subject="Re")
    )
    call = record_interaction(
        Contact(channel="phone", identifiers=[Incoming("phone", "0086 138 0013 8000")])
    )
    # Then all three are the customer's, in one conversation that now waits on us
    assert {sms.interaction.customer_id, email.interaction.customer_id} == {customer.pk}
    assert call.interaction.customer_id == customer.pk
    threads = {r.interaction.thread_id for r in (sms, email, call)}
    assert len(threads) == 1
    assert Thread.objects.get(pk=threads.pop()).state == ThreadState.WAITING_US


def test_the_same_channel_id_twice_records_one_interaction(region_a: Any) -> None:
    contact = Contact(
        channel="webform", identifiers=[Incoming("email", "a@b.cn")], external_id="evt-1"
    )
    first = record_interaction(contact)
    second = record_interaction(contact)
    assert first.created and first.customer_created
    assert not second.created
    assert Interaction.objects.count() == 1


def test_an_unknown_sender_becomes_a_new_customer_named_by_the_identifier(region_a: Any) -> None:
    recorded = record_interaction(
        Contact(channel="sms", identifiers=[Incoming("phone", "139 0000 1111")])
    )
    assert recorded.customer_created
    assert recorded.interaction.customer.name == "139 0000 1111"
    assert recorded.interaction.customer.region == region_a


def test_a_manual_visit_sets_the_breakpoint_and_costs_the_channel_price(
    region_a: Any, agent_a: Any
) -> None:
    customer = CustomerFactory(region=region_a)
    visit = log_manual(
        customer,
        user=agent_a,
        channel="face",
        direction="in",
        subject="到店咨询",
        content="想换货",
        duration_seconds=600,
        next_step="寄出新货",
    )
    thread = Thread.objects.get(pk=visit.thread_id)
    assert thread.next_step == "寄出新货"
    assert str(visit.cost) == "50.00"  # 30 per visit + 2 per minute for 10 minutes
    set_breakpoint(thread, user=agent_a, state=ThreadState.CLOSED)
    # A later contact opens a new conversation, the closed one stays closed
    later = record_interaction(Contact(channel="phone", customer=customer))
    assert later.interaction.thread_id != thread.pk
