"""The widget's endpoints refuse what they must: other chats' tokens, forged tokens, oversize
and malformed bodies, sites that are not configured, floods; and agents see only their scope."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client, override_settings

from hudong.interactions.channels.webchat.models import ChatMessage, ChatSession
from hudong.interactions.models import Interaction
from tests.factories import CustomerFactory
from tests.interactions.webchat.conftest import TOKEN, Visitor

pytestmark = pytest.mark.django_db

SHOP = "https://shop.example.cn"


def test_the_token_of_another_chat_is_refused(region_a: Any, visitor: Visitor) -> None:
    # Given two visitors with a chat each
    other = Visitor(Client())
    visitor.start()
    other.start(contact="13900139000", message="")
    # When the second one uses their own token on the first one's chat
    stolen = visitor.say("偷看", token=other.token)
    read = visitor.client.get(
        f"/chat/w/sessions/{visitor.session}/messages/", **{TOKEN: other.token}
    )
    stream = visitor.client.get(
        f"/chat/w/sessions/{visitor.session}/events/", {"token": other.token}
    )
    # Then nothing is read or written
    assert (stolen.status_code, stolen.json()["code"]) == (403, "webchat.token_other_session")
    assert (read.status_code, read.json()["code"]) == (403, "webchat.token_other_session")
    assert stream.status_code == 403
    assert not ChatMessage.objects.filter(text="偷看").exists()


@pytest.mark.parametrize(
    ("token", "code"),
    [("", "webchat.token_missing"), ("forged:token:abc", "webchat.token_invalid")],
)
def test_a_missing_or_forged_token_gets_401(
    region_a: Any, visitor: Visitor, token: str, code: str
) -> None:
    visitor.start()
    response = visitor.say("hi", token=token)
    assert (response.status_code, response.json()["code"]) == (401, code)
    assert response["Content-Type"] == "application/problem+json"


def test_a_token_for_a_made_up_session_id_finds_nothing(region_a: Any, visitor: Visitor) -> None:
    from hudong.interactions.channels.webchat.tokens import issue

    visitor.start()
    response = visitor.say("hi", token=issue("made-up"), session="made-up")
    assert (response.status_code, response.json()["code"]) == (404, "webchat.session_not_found")


def test_an_oversize_body_gets_413_and_a_long_line_422(region_a: Any, visitor: Visitor) -> None:
    visitor.start()
    huge = visitor.say("字" * 20_000)  # 60 kB of UTF-8: over the 16 kB body limit
    long = visitor.say("a" * 2001)  # under the body limit, over the 2,000 characters of a line
    assert (huge.status_code, huge.json()["code"]) == (413, "webchat.body_too_large")
    assert (long.status_code, long.json()["code"]) == (422, "webchat.message_too_long")
    assert long.json()["max_length"] == 2000
    assert ChatMessage.objects.filter(sender="customer").count() == 1  # the opening question


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ("{not json", "webchat.body_malformed"),
        ("[1, 2]", "webchat.body_malformed"),
        ('{"text": "   "}', "webchat.message_empty"),
        ('{"text": 42}', "webchat.message_empty"),
    ],
)
def test_a_malformed_line_gets_422_with_a_code(
    region_a: Any, visitor: Visitor, body: str, code: str
) -> None:
    visitor.start()
    response = visitor.client.post(
        f"/chat/w/sessions/{visitor.session}/messages/",
        body,
        content_type="application/json",
        **{TOKEN: visitor.token},
    )
    assert (response.status_code, response.json()["code"]) == (422, code)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"name": ""}, "webchat.name_missing"),
        ({"contact": ""}, "webchat.contact_missing"),
        ({"contact": "not a phone"}, "customers.identifier_invalid"),
    ],
)
def test_an_incomplete_prechat_form_gets_422_and_records_nothing(
    region_a: Any, visitor: Visitor, fields: dict[str, str], code: str
) -> None:
    response = visitor.start(**fields)
    assert (response.status_code, response.json()["code"]) == (422, code)
    assert not ChatSession.objects.exists() and not Interaction.objects.exists()


@override_settings(HUDONG_CHAT_ORIGINS=[SHOP])
def test_only_configured_sites_may_call(region_a: Any, visitor: Visitor) -> None:
    # A configured site: the preflight and the call carry its origin back
    preflight = visitor.client.options(
        "/chat/w/sessions/",
        HTTP_ORIGIN=SHOP,
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="POST",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="content-type,x-hudong-chat-token",
    )
    assert preflight.status_code == 204
    assert preflight["Access-Control-Allow-Origin"] == SHOP
    assert "X-Hudong-Chat-Token" in preflight["Access-Control-Allow-Headers"]
    started = visitor.start(origin=SHOP)
    assert started.status_code == 201 and started["Access-Control-Allow-Origin"] == SHOP
    assert ChatSession.objects.get(public_id=visitor.session).origin == SHOP
    ok = visitor.client.post(
        f"/chat/w/sessions/{visitor.session}/messages/",
        {"text": "hi"},
        content_type="application/json",
        HTTP_ORIGIN=SHOP,
        **{TOKEN: visitor.token},
    )
    assert ok.status_code == 201 and ok["Access-Control-Allow-Origin"] == SHOP
    # Any other site is refused, and is not told it may read the answer
    evil = visitor.client.post(
        f"/chat/w/sessions/{visitor.session}/messages/",
        {"text": "hi"},
        content_type="application/json",
        HTTP_ORIGIN="https://evil.example",
        **{TOKEN: visitor.token},
    )
    assert (evil.status_code, evil.json()["code"]) == (403, "webchat.origin_forbidden")
    assert not evil.has_header("Access-Control-Allow-Origin")
    assert (
        visitor.client.options("/chat/w/sessions/", HTTP_ORIGIN="https://evil.example").status_code
        == 403
    )


@override_settings(HUDONG_CHAT_MESSAGES_PER_MINUTE=3)
def test_a_visitor_sending_too_fast_is_slowed_down(region_a: Any, visitor: Visitor) -> None:
    visitor.start(message="")
    statuses = [visitor.say(f"line {n}").status_code for n in range(4)]
    assert statuses == [201, 201, 201, 429]
    limited = visitor.say("again")
    assert limited.json()["code"] == "webchat.rate_limited" and limited["Retry-After"] == "60"


@override_settings(HUDONG_CHAT_SESSIONS_PER_HOUR=2)
def test_one_address_may_not_open_chats_without_end(region_a: Any) -> None:
    statuses = [Visitor(Client()).start().status_code for _ in range(3)]
    assert statuses == [201, 201, 429]


def test_an_agent_sees_and_takes_only_chats_in_their_scope(
    region_a: Any, agent_client: Client, agent_b: Any, visitor: Visitor
) -> None:
    # Given a chat of a customer of region A
    customer = CustomerFactory(region=region_a)
    customer.identifiers.create(kind="phone", value="13800138000", normalized="+8613800138000")
    visitor.start()
    other = Client()
    other.force_login(agent_b)
    # Then the agent of region B neither lists, reads, takes nor answers it
    assert other.get("/api/v1/chat/sessions").json()["waiting"] == []
    assert other.get(f"/api/v1/chat/sessions/{visitor.session}").status_code == 404
    assert other.post(f"/api/v1/chat/sessions/{visitor.session}/accept").status_code == 404
    assert other.get(f"/chat/console/?s={visitor.session}").status_code == 404
    # While the agent of region A does
    waiting = agent_client.get("/api/v1/chat/sessions").json()["waiting"]
    assert [s["session"] for s in waiting] == [visitor.session]


def test_an_agent_answers_only_a_chat_they_accepted(
    region_a: Any, agent_client: Client, visitor: Visitor
) -> None:
    visitor.start()
    response = agent_client.post(
        f"/api/v1/chat/sessions/{visitor.session}/reply", {"text": "hi"}, "application/json"
    )
    assert (response.status_code, response.json()["code"]) == (409, "webchat.not_your_chat")


def test_the_widget_texts_follow_the_page_language(region_a: Any, visitor: Visitor) -> None:
    english = visitor.client.get("/chat/w/config/", {"lang": "en-US"}).json()
    assert english["language"] == "en"
    assert english["strings"]["start"] == "Start chat"
    assert english["max_text"] == 2000


def test_anonymous_visitors_do_not_reach_the_console(client: Client) -> None:
    assert client.get("/chat/console/").status_code == 302
    assert client.get("/api/v1/chat/sessions").status_code == 401


def test_colleagues_see_who_has_a_chat_but_cannot_answer_it(
    region_a: Any, agent_a: Any, agent_client: Client, visitor: Visitor
) -> None:
    from hudong.core.models import Role
    from tests.factories import make_user

    visitor.start()
    agent_client.post(f"/api/v1/chat/sessions/{visitor.session}/accept")
    colleague = Client()
    colleague.force_login(make_user(Role.SUPERVISOR, region_a, username="sup-a"))
    page = colleague.get("/chat/console/").content.decode()
    assert 'data-testid="chat-others"' in page and "agent-a" in page
    answer = colleague.post(
        f"/api/v1/chat/sessions/{visitor.session}/reply", {"text": "hi"}, "application/json"
    )
    assert answer.status_code == 409


@pytest.mark.parametrize("asked", ["zh-CN", "zh-Hans", "zh"])
def test_a_chinese_page_gets_the_widget_in_simplified_chinese(
    region_a: Any, visitor: Visitor, asked: str
) -> None:
    assert visitor.client.get("/chat/w/config/", {"lang": asked}).json()["language"] == "zh-hans"
