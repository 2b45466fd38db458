"""One person, four channels, four spellings: everything lands on one customer's timeline.

An email to the real SMTP receiver, an SMS through the local gateway (Twilio's protocol over
real HTTP), a web chat from the widget and a call from the switch, each carrying the
customer's phone or email written another way, all find the same customer, continue one
conversation, and the customer page leads with where it stopped.
"""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Any

import pytest
from django.test import Client, override_settings

from hudong.core.models import LiveMessage
from hudong.interactions.channels.sms.gateway import LocalGateway
from hudong.interactions.channels.telephony.models import Extension
from hudong.interactions.models import Interaction, ThreadState
from tests.factories import CustomerFactory
from tests.interactions.email.conftest import receiver, wait_for  # noqa: F401  (fixture)
from tests.interactions.sms.conftest import gateway  # noqa: F401  (fixture)
from tests.interactions.telephony.helpers import SECRET, event, post
from tests.interactions.webchat.conftest import Visitor

pytestmark = pytest.mark.django_db(transaction=True)


def _mail(sender: str) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = f"张伟 <{sender}>"
    mail["To"] = "service@shop.example"
    mail["Subject"] = "订单 SO1 还没到"
    mail["Message-ID"] = "<first-1@mail.example>"
    mail.set_content("快递三天没有更新了。")
    return mail


def test_email_sms_chat_and_call_from_one_person_land_on_one_threaded_timeline(
    receiver: tuple[str, int],  # noqa: F811
    gateway: LocalGateway,  # noqa: F811
    region_a: Any,
    agent_a: Any,
) -> None:
    # Given a customer known by a mobile and an email address
    customer = CustomerFactory(region=region_a, name="张伟")
    customer.identifiers.create(kind="phone", value="13800138000", normalized="+8613800138000")
    customer.identifiers.create(kind="email", value="zw@example.cn", normalized="zw@example.cn")
    Extension.objects.create(number="8001", user=agent_a)

    # When they write an email from "ZW@Example.CN"
    with smtplib.SMTP("127.0.0.1", receiver[1], timeout=10) as smtp:
        smtp.send_message(_mail("ZW@Example.CN"), to_addrs=["service@shop.example"])
    wait_for(lambda: Interaction.objects.filter(channel="email").exists())
    # and text from "+86 138-0013-8000"
    assert gateway.simulate_inbound("+86 138-0013-8000", "邮件看到了吗？").status_code == 200
    # and chat from the website giving "0086 13800138000"
    started = Visitor(Client()).start(contact="0086 13800138000", message="还在等回复")
    assert started.status_code == 201, started.content
    # and call extension 8001 from "138 0013 8000"
    switch = Client()
    with override_settings(HUDONG_CTI_SECRET=SECRET):
        ringing = post(switch, event("ringing", "call-1", caller="138 0013 8000", extension="8001"))
        ended = post(
            switch,
            event("ended", "call-1", caller="138 0013 8000", extension="8001", duration=95),
        )
    assert ringing.status_code == 200 and ended.status_code == 200, ended.content

    # Then the four contacts are the customer's, in one conversation that waits on us
    contacts = list(Interaction.objects.order_by("started_at", "id"))
    assert [c.channel for c in contacts] == ["email", "sms", "webchat", "phone"]
    assert {c.customer_id for c in contacts} == {customer.pk}
    assert len({c.thread_id for c in contacts}) == 1
    thread = contacts[0].thread
    assert thread is not None
    thread.refresh_from_db()
    assert thread.state == ThreadState.WAITING_US
    # and the ringing phone popped the customer on the agent's screen
    pop = LiveMessage.objects.get(user=agent_a, topic="screen_pop").payload
    assert customer.name in pop["title"]
    # and the agent's customer page leads with the conversation and shows all four contacts
    agent = Client()
    agent.force_login(agent_a)
    page = agent.get(f"/customers/{customer.pk}/").content.decode()
    assert page.index('data-panel="breakpoint"') < page.index('data-panel="profile"')
    assert f'data-thread="{thread.pk}"' in page
    for channel in ("email", "sms", "webchat", "phone"):
        assert f'data-channel="{channel}"' in page, channel
