"""A chat from the visitor's widget to the agent and back, and the transcript it leaves."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from hudong.core.models import AuditEntry, LiveMessage
from hudong.interactions.channels.webchat.models import ChatMessage, ChatSession
from hudong.interactions.models import Interaction, Thread, ThreadState
from tests.factories import CustomerFactory
from tests.interactions.webchat.conftest import Visitor

pytestmark = pytest.mark.django_db


def _known_customer(region: Any) -> Any:
    customer = CustomerFactory(region=region, name="王芳")
    customer.identifiers.create(kind="phone", value="13800138000", normalized="+8613800138000")
    return customer


def test_prechat_finds_the_known_customer_by_another_spelling_of_the_phone(
    region_a: Any, visitor: Visitor
) -> None:
    # Given a customer known by a mobile number written without a country code
    customer = _known_customer(region_a)
    # When a visitor starts a chat giving the same number written differently
    response = visitor.start(contact="+86 138-0013-8000")
    # Then the chat is that customer's, waiting for an agent, on one interaction of theirs
    assert response.status_code == 201
    body = response.json()
    assert body["status"] == "waiting"
    assert [line["text"] for line in body["lines"]] == ["我的订单还没到"]
    session = ChatSession.objects.get(public_id=body["session"])
    assert session.customer_id == customer.pk
    chats = Interaction.objects.filter(customer=customer, channel="webchat")
    assert [i.external_id for i in chats] == [session.public_id]
    assert session.thread is not None and session.thread.state == ThreadState.WAITING_US


def test_an_email_identifies_the_customer_case_and_spaces_aside(
    region_a: Any, visitor: Visitor
) -> None:
    customer = CustomerFactory(region=region_a)
    customer.identifiers.create(kind="email", value="fang@example.cn", normalized="fang@example.cn")
    response = visitor.start(contact="  Fang@Example.CN ")
    assert response.status_code == 201
    assert ChatSession.objects.get(public_id=visitor.session).customer_id == customer.pk


def test_the_chat_continues_the_customers_open_conversation(
    region_a: Any, visitor: Visitor
) -> None:
    # Given a customer whose earlier conversation waits on us with a next step
    customer = _known_customer(region_a)
    thread = Thread.objects.create(
        customer=customer, channel="email", state=ThreadState.WAITING_US, next_step="退款"
    )
    # When they start a chat
    visitor.start()
    # Then the chat picks the conversation up where it stopped
    assert ChatSession.objects.get(public_id=visitor.session).thread_id == thread.pk


def test_a_whole_chat_leaves_one_interaction_with_the_transcript(
    region_a: Any, agent_a: Any, agent_client: Client, visitor: Visitor
) -> None:
    # Given a visitor who started a chat and an agent who accepted it
    customer = _known_customer(region_a)
    visitor.start()
    sid = visitor.session
    accepted = agent_client.post(f"/api/v1/chat/sessions/{sid}/accept")
    assert accepted.status_code == 200, accepted.content
    assert accepted.json()["status"] == "active"
    # When they talk
    assert visitor.say("订单号 A123").status_code == 201
    reply = agent_client.post(
        f"/api/v1/chat/sessions/{sid}/reply", {"text": "已查到，明天送达"}, "application/json"
    )
    assert reply.status_code == 201, reply.content
    # And the visitor ends the chat, and then the agent ends it too
    assert visitor.end().status_code == 200
    again = agent_client.post(f"/api/v1/chat/sessions/{sid}/end", {}, "application/json")
    assert again.status_code == 200
    # Then there is one interaction for the chat, with the whole transcript, agent and duration
    chats = list(Interaction.objects.filter(channel="webchat", external_id=sid))
    assert len(chats) == 1
    chat = chats[0]
    assert chat.customer_id == customer.pk
    assert chat.agent_id == agent_a.pk
    lines = chat.content.splitlines()
    assert [line.split("] ", 1)[1] for line in lines] == [
        "王芳: 我的订单还没到",
        "王芳: 订单号 A123",
        "agent-a: 已查到，明天送达",
    ]
    assert chat.ended_at is not None and chat.ended_at >= chat.started_at
    assert chat.cost > 0
    # And the conversation's breakpoint says the customer has our answer
    thread = Thread.objects.get(pk=chat.thread_id)
    assert thread.state == ThreadState.WAITING_CUSTOMER
    assert thread.first_response_at is not None
    assert thread.assigned_to_id == agent_a.pk
    # And who took and ended the chat is in the audit trail
    session = ChatSession.objects.get(public_id=sid)
    changes = AuditEntry.objects.filter(model="webchat.ChatSession", object_pk=str(session.pk))
    assert [e.after["status"] for e in changes.order_by("id")] == ["waiting", "active", "ended"]
    # And the visitor can no longer write
    refused = visitor.say("还在吗")
    assert refused.status_code == 409 and refused.json()["code"] == "webchat.ended"


def test_a_chat_nobody_answered_leaves_a_next_step_for_us(region_a: Any, visitor: Visitor) -> None:
    _known_customer(region_a)
    visitor.start()
    visitor.end()
    session = ChatSession.objects.get(public_id=visitor.session)
    assert session.thread is not None
    assert session.thread.state == ThreadState.WAITING_US
    assert session.thread.next_step  # "Answer the missed web chat"
    assert session.interaction is not None and "我的订单还没到" in session.interaction.content


def test_the_agent_ends_a_chat_with_the_breakpoint_they_choose(
    region_a: Any, agent_client: Client, visitor: Visitor
) -> None:
    _known_customer(region_a)
    visitor.start()
    agent_client.post(f"/chat/console/{visitor.session}/accept/")
    response = agent_client.post(
        f"/chat/console/{visitor.session}/end/",
        {"state": "waiting_us", "next_step": "寄出换货", "due": "2030-01-31", "outcome": "换货"},
    )
    assert response.status_code == 302
    session = ChatSession.objects.get(public_id=visitor.session)
    assert session.thread is not None
    assert (session.thread.state, session.thread.next_step) == ("waiting_us", "寄出换货")
    assert session.thread.next_step_due is not None
    assert session.interaction is not None and session.interaction.outcome == "换货"
    # Then the visitor's stream shows the end, and closes
    frames = visitor.events()
    assert [f["text"] for f in frames if f["sender"] == "system"] == ["accepted", "ended"]


def test_the_agent_who_has_the_chat_sees_each_visitor_line_live(
    region_a: Any, agent_a: Any, agent_client: Client, visitor: Visitor
) -> None:
    _known_customer(region_a)
    visitor.start()
    agent_client.post(f"/api/v1/chat/sessions/{visitor.session}/accept")
    visitor.say("<b>hello</b>")
    pushed = LiveMessage.objects.filter(user_id=agent_a.pk, topic="chat_message").last()
    assert pushed is not None
    assert pushed.payload["session"] == visitor.session
    assert pushed.payload["text"] == "<b>hello</b>"  # stored as typed, escaped when shown


def test_the_visitor_stream_replays_the_chat_and_resumes_after_a_line(
    region_a: Any, agent_client: Client, visitor: Visitor
) -> None:
    _known_customer(region_a)
    visitor.start()
    agent_client.post(f"/api/v1/chat/sessions/{visitor.session}/accept")
    agent_client.post(
        f"/api/v1/chat/sessions/{visitor.session}/reply", {"text": "您好"}, "application/json"
    )
    visitor.end()
    frames = visitor.events()
    assert [(f["sender"], f["text"]) for f in frames] == [
        ("customer", "我的订单还没到"),
        ("system", "accepted"),
        ("agent", "您好"),
        ("system", "ended"),
    ]
    assert frames[2]["agent"] == "agent-a"
    resumed = visitor.client.get(
        f"/chat/w/sessions/{visitor.session}/events/",
        {"token": visitor.token},
        HTTP_LAST_EVENT_ID=str(frames[2]["id"]),
    )
    replayed = b"".join(resumed.streaming_content).decode()
    assert '"ended"' in replayed
    assert "您好" not in replayed and "accepted" not in replayed


def test_a_chat_left_idle_is_ended_with_its_transcript(region_a: Any, visitor: Visitor) -> None:
    # Given a chat whose visitor closed the tab half an hour ago
    import datetime as dt

    from django.utils import timezone

    from hudong.interactions.channels.webchat.actions import end_idle

    _known_customer(region_a)
    visitor.start()
    fresh = Visitor(Client())
    fresh.start(contact="13900139000")
    past = timezone.now() - dt.timedelta(minutes=31)
    ChatSession.objects.filter(public_id=visitor.session).update(started_at=past)
    ChatMessage.objects.filter(session__public_id=visitor.session).update(at=past)
    # When the housekeeping runs
    assert end_idle() == 1
    # Then only the idle chat ended, with its transcript, and the conversation waits on us
    idle = ChatSession.objects.get(public_id=visitor.session)
    assert idle.status == "ended" and idle.interaction is not None
    assert idle.interaction.meta["ended_by"] == "idle"
    assert "我的订单还没到" in idle.interaction.content
    assert ChatSession.objects.get(public_id=fresh.session).status == "waiting"


def test_the_agent_the_inbox_routed_the_chat_to_sees_it_before_accepting(
    region_a: Any, agent_a: Any, agent_client: Client, visitor: Visitor
) -> None:
    # Given a waiting chat whose conversation the inbox gave to agent A
    _known_customer(region_a)
    visitor.start()
    Thread.objects.filter(chat_sessions__public_id=visitor.session).update(assigned_to=agent_a)
    # When the visitor adds a line
    visitor.say("有人吗？")
    # Then agent A's browsers are told, and the console marks the chat as theirs to take
    pushed = LiveMessage.objects.filter(user_id=agent_a.pk, topic="chat_message").last()
    assert pushed is not None and pushed.payload["text"] == "有人吗？"
    assert pushed.payload["status"] == "waiting"
    assert b'data-testid="routed-to-me"' in agent_client.get("/chat/console/queue/").content
