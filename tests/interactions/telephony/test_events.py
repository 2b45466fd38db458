"""Call events from the switch: the screen pop on ringing, the call on the timeline when it
ends, and every way a bad delivery is refused."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.test import override_settings
from django.utils import timezone

from hudong.core.models import Role
from hudong.core.models.live import LiveMessage
from hudong.interactions.actions import Contact, record_interaction, set_breakpoint
from hudong.interactions.channels.telephony.models import Call, Extension
from hudong.interactions.models import Interaction
from tests.factories import CustomerFactory, make_user
from tests.interactions.telephony.helpers import SECRET, URL, event, post

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_secret")]


@pytest.fixture
def _secret() -> Any:
    with override_settings(HUDONG_CTI_SECRET=SECRET):
        yield


@pytest.fixture
def desk(agent_a: Any) -> Extension:
    return Extension.objects.create(number="8001", user=agent_a)


@pytest.fixture
def caller(customer_a: Any) -> Any:
    customer_a.identifiers.create(kind="phone", value="13800138000", normalized="+8613800138000")
    return customer_a


def pops(user: Any, topic: str = "screen_pop") -> list[dict[str, Any]]:
    return list(
        LiveMessage.objects.filter(user_id=user.pk, topic=topic)
        .order_by("id")
        .values_list("payload", flat=True)
    )


def test_ringing_pops_the_caller_with_the_breakpoint_on_the_agents_screen(
    client: Any, desk: Extension, caller: Any, agent_a: Any
) -> None:
    # Given the customer wrote an email last week, and we promised to send a new part
    earlier = record_interaction(Contact(channel="email", customer=caller, subject="坏了的零件"))
    assert earlier.interaction.thread is not None
    set_breakpoint(earlier.interaction.thread, user=agent_a, next_step="寄出新零件")
    # When the customer calls extension 8001 from the number written another way
    response = post(client, event("ringing", "c-1", caller="+86 138-0013-8000", extension="8001"))
    # Then the agent at 8001 sees who calls, and where the last contact stopped
    assert response.status_code == 200, response.content
    assert response.json()["popped"] is True
    (pop,) = pops(agent_a)
    assert caller.name in pop["title"]
    assert "寄出新零件" in pop["detail"] and "坏了的零件" in pop["detail"]
    assert pop["url"] == f"/customers/{caller.pk}/"
    assert pop["frame_url"] == f"/cti/pop/{caller.pk}/"
    assert Call.objects.get(call_id="c-1").customer_id == caller.pk


def test_an_unknown_caller_pops_with_a_link_to_search_for_the_number(
    client: Any, desk: Extension, agent_a: Any, region_a: Any
) -> None:
    post(client, event("ringing", "c-2", caller="139 0000 1111", extension="8001"))
    (pop,) = pops(agent_a)
    assert pop["status"] == "unknown"
    assert "139 0000 1111" in pop["title"]
    assert pop["url"].startswith("/customers/?q=139")


def test_a_shared_number_pops_every_candidate(
    client: Any, desk: Extension, agent_a: Any, region_a: Any
) -> None:
    husband = CustomerFactory(region=region_a, name="王强")
    wife = CustomerFactory(region=region_a, name="刘芳")
    for person in (husband, wife):
        person.identifiers.create(
            kind="phone", value="010 1234 5678", normalized="+861012345678", is_shared=True
        )
    post(client, event("ringing", "c-3", caller="01012345678", extension="8001"))
    (pop,) = pops(agent_a)
    assert pop["status"] == "ambiguous"
    assert "王强" in pop["detail"] and "刘芳" in pop["detail"]
    assert {c["id"] for c in pop["candidates"]} == {husband.pk, wife.pk}


def test_a_caller_the_agent_may_not_see_pops_as_unknown(
    client: Any, desk: Extension, agent_a: Any, customer_b: Any
) -> None:
    customer_b.identifiers.create(kind="phone", value="13700137000", normalized="+8613700137000")
    post(client, event("ringing", "c-4", caller="13700137000", extension="8001"))
    (pop,) = pops(agent_a)
    assert pop["status"] == "unknown"
    assert customer_b.name not in json.dumps(pop, ensure_ascii=False)


def test_an_ended_call_is_logged_with_its_duration_and_asks_for_a_disposition(
    client: Any, desk: Extension, caller: Any, agent_a: Any
) -> None:
    start = timezone.now() - timedelta(minutes=5)
    post(client, event("ringing", "c-5", caller="13800138000", extension="8001"))
    post(
        client,
        event("answered", "c-5", extension="8001", answered_at=start.isoformat()),
    )
    response = post(
        client,
        event(
            "ended", "c-5", extension="8001", ended_at=(start + timedelta(seconds=192)).isoformat()
        ),
    )
    assert response.status_code == 200
    call = Interaction.objects.get(external_id="c-5")
    assert (call.channel, call.customer_id, call.agent_id) == ("phone", caller.pk, agent_a.pk)
    assert call.duration_seconds == 192
    assert call.identifier_used == "13800138000"
    (ended,) = pops(agent_a, "call_ended")
    assert ended["url"] == f"/cti/calls/{call.pk}/disposition/"
    assert "3:12" in ended["title"]


def test_a_call_nobody_answered_is_logged_as_missed(
    client: Any, desk: Extension, caller: Any, agent_a: Any
) -> None:
    # Given an agent who works in English
    agent_a.profile.language = "en"
    agent_a.profile.save()
    post(client, event("ringing", "c-6", caller="13800138000", extension="8001"))
    post(client, event("ended", "c-6", extension="8001"))
    missed = Interaction.objects.get(external_id="c-6")
    assert missed.duration_seconds == 0
    assert missed.meta["answered"] is False
    # The agent's screen says so in the agent's language, whatever the server's default
    assert pops(agent_a, "call_ended")[0]["title"] == f"Missed call from {caller.name}"


def test_the_same_event_twice_pops_once_and_logs_once(
    client: Any, desk: Extension, caller: Any, agent_a: Any
) -> None:
    ringing = event("ringing", "c-7", caller="13800138000", extension="8001")
    ended = event("ended", "c-7", extension="8001", duration=30)
    assert post(client, ringing).json()["status"] == "accepted"
    assert post(client, ringing).json()["status"] == "duplicate"
    post(client, ended)
    assert post(client, ended).json()["status"] == "duplicate"
    assert len(pops(agent_a)) == 1
    assert Interaction.objects.filter(external_id="c-7").count() == 1


def test_a_transfer_pops_the_agent_who_answers(
    client: Any, desk: Extension, caller: Any, agent_a: Any, region_a: Any
) -> None:
    colleague = make_user(Role.AGENT, region_a, username="agent-a2")
    Extension.objects.create(number="8002", user=colleague)
    post(client, event("ringing", "c-8", caller="13800138000", extension="8001"))
    post(client, event("answered", "c-8", extension="8002"))
    assert len(pops(agent_a)) == 1
    (transferred,) = pops(colleague)
    assert caller.name in transferred["title"]
    post(client, event("ended", "c-8", extension="8002", duration=10))
    assert Interaction.objects.get(external_id="c-8").agent_id == colleague.pk


def test_an_unassigned_extension_pops_nobody_but_the_call_is_still_logged(
    client: Any, caller: Any
) -> None:
    assert (
        post(client, event("ringing", "c-9", caller="13800138000", extension="9999")).json()[
            "popped"
        ]
        is False
    )
    post(client, event("ended", "c-9", extension="9999", duration=5))
    assert Interaction.objects.get(external_id="c-9").customer_id == caller.pk
    assert not LiveMessage.objects.exists()


def test_a_withheld_number_pops_as_unknown_and_logs_nothing(
    client: Any, desk: Extension, agent_a: Any
) -> None:
    post(client, event("ringing", "c-10", caller="anonymous", extension="8001"))
    post(client, event("ended", "c-10", extension="8001", duration=5))
    assert pops(agent_a)[0]["status"] == "unknown"
    assert not Interaction.objects.exists()


# --- refused deliveries -------------------------------------------------------------------


def test_a_forged_signature_is_refused_with_401(client: Any, desk: Extension, caller: Any) -> None:
    response = post(
        client, event("ringing", "c-11", caller="13800138000", extension="8001"), secret="guess"
    )
    assert response.status_code == 401
    assert response.json()["code"] == "telephony.signature_invalid"
    assert not LiveMessage.objects.exists() and not Call.objects.exists()


def test_a_missing_signature_is_refused_with_401(client: Any) -> None:
    body = json.dumps(event("ringing", "c-12", caller="13800138000")).encode()
    response = client.post(URL, data=body, content_type="application/json")
    assert response.status_code == 401
    assert response.json()["code"] == "telephony.signature_invalid"


def test_during_a_rotation_the_old_and_the_new_secret_both_work(client: Any) -> None:
    with override_settings(HUDONG_CTI_SECRET="new-secret, " + SECRET):
        assert post(client, event("ringing", "c-13", caller="1")).status_code == 200
        assert (
            post(client, event("ringing", "c-14", caller="1"), secret="new-secret").status_code
            == 200
        )
    with override_settings(HUDONG_CTI_SECRET="new-secret"):
        assert post(client, event("ringing", "c-15", caller="1")).status_code == 401


def test_a_stale_timestamp_is_refused(client: Any) -> None:
    old = (timezone.now() - timedelta(minutes=10)).isoformat()
    response = post(client, event("ringing", "c-16", caller="1", timestamp=old))
    assert response.status_code == 401
    assert response.json()["code"] == "telephony.stale"
    assert not Call.objects.exists()


def test_malformed_events_get_422_with_a_code(client: Any) -> None:
    not_json = post(client, b"{ringing")
    assert (not_json.status_code, not_json.json()["code"]) == (422, "telephony.malformed")
    wrong_type = post(client, event("hung-up", "c-17"))
    assert (wrong_type.status_code, wrong_type.json()["code"]) == (422, "telephony.malformed")
    assert wrong_type.json()["errors"][0]["loc"] == ["type"]
    a_list = post(client, b"[]")
    assert a_list.status_code == 422
    no_call = post(client, {"event_id": "x", "type": "ringing", "timestamp": "2026-01-01"})
    assert no_call.status_code == 422


def test_an_oversize_body_gets_413(client: Any) -> None:
    huge = event("ringing", "c-18", caller="1", padding="x" * 20_000)
    response = post(client, huge)
    assert (response.status_code, response.json()["code"]) == (413, "telephony.too_large")


def test_without_a_configured_secret_no_event_is_accepted(client: Any) -> None:
    with override_settings(HUDONG_CTI_SECRET=""):
        response = post(client, event("ringing", "c-19", caller="1"))
    assert (response.status_code, response.json()["code"]) == (401, "telephony.not_configured")


def test_an_outbound_call_is_logged_on_the_called_customer_and_waits_on_them(
    client: Any, desk: Extension, caller: Any
) -> None:
    # Given the agent calls the customer back (the switch names the customer as the callee)
    post(
        client, event("answered", "c-20", direction="out", callee="138 0013 8000", extension="8001")
    )
    post(client, event("ended", "c-20", extension="8001", duration=42))
    # Then the call is the company's, on the customer's timeline, and the ball is theirs
    call = Interaction.objects.get(external_id="c-20")
    assert (call.customer_id, call.direction, call.initiator) == (caller.pk, "out", "company")
    assert call.thread is not None and call.thread.state == "waiting_customer"


def test_a_switch_may_send_unix_seconds_or_local_times_without_offset(
    client: Any, desk: Extension, caller: Any
) -> None:
    now = timezone.now()
    unix = event("ringing", "c-21", caller="13800138000", extension="8001")
    unix["timestamp"] = int(now.timestamp())
    assert post(client, unix).status_code == 200
    local = event("ended", "c-21", extension="8001", duration=1)
    local["timestamp"] = timezone.localtime(now).replace(tzinfo=None).isoformat()
    assert post(client, local).status_code == 200
