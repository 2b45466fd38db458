"""The queue and its API: region scoping, order by value and waiting time, take, transfer,
release, presence, and the error codes a client branches on."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hudong.core.models import Role
from hudong.interactions.inbox.models import PresenceChange, Transfer
from tests.factories import CustomerFactory, make_user
from tests.interactions.inbox.conftest import top_tier

pytestmark = pytest.mark.django_db


def api(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, url: str, body: dict[str, Any] | None = None) -> Any:
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def test_a_region_a_agent_never_sees_region_b_conversations(
    region_a: Any, region_b: Any, make_agent: Callable[..., Any], inbound: Callable[..., Any]
) -> None:
    # Given a waiting conversation in each region and an agent of region A
    agent = make_agent("a-agent", region_a, status="away")
    mine = inbound(CustomerFactory(region=region_a, name="甲"))
    theirs = inbound(CustomerFactory(region=region_b, name="乙"))
    client = api(agent)
    # When the agent lists the inbox on the page and over the API
    page = client.get("/inbox/").content.decode()
    listed = client.get("/api/v1/inbox/conversations").json()
    # Then only region A's conversation is there
    assert [row["id"] for row in listed["items"]] == [mine.pk]
    assert "甲" in page and "乙" not in page
    # And region B's cannot be opened, taken or answered (404: not even its existence)
    assert client.get(f"/inbox/?thread={theirs.pk}").status_code == 404
    taken = post(client, f"/api/v1/inbox/conversations/{theirs.pk}/take")
    assert taken.status_code == 404 and taken.json()["code"] == "inbox.thread_not_found"
    replied = post(client, f"/api/v1/inbox/conversations/{theirs.pk}/reply", {"body": "hi"})
    assert replied.status_code == 404


def test_the_queue_leads_with_the_top_tier_then_the_longest_waiting(
    region_a: Any, make_agent: Callable[..., Any], inbound: Callable[..., Any]
) -> None:
    agent = make_agent("a-agent", region_a, status="away")
    now = timezone.now()
    recent = inbound(CustomerFactory(region=region_a), started_at=now - dt.timedelta(minutes=5))
    old = inbound(CustomerFactory(region=region_a), started_at=now - dt.timedelta(hours=2))
    vip = inbound(
        top_tier(CustomerFactory(region=region_a)), started_at=now - dt.timedelta(minutes=1)
    )
    rows = api(agent).get("/api/v1/inbox/conversations").json()["items"]
    assert [(r["id"], r["tier"]) for r in rows] == [(vip.pk, "A"), (old.pk, "C"), (recent.pk, "C")]


def test_taking_a_conversation_another_agent_has_is_refused(
    region_a: Any, make_agent: Callable[..., Any], inbound: Callable[..., Any]
) -> None:
    first = make_agent("first", region_a)
    second = make_agent("second", region_a, status="away")
    thread = inbound(CustomerFactory(region=region_a))
    assert thread.assigned_to == first
    refused = post(api(second), f"/api/v1/inbox/conversations/{thread.pk}/take")
    assert refused.status_code == 409 and refused.json()["code"] == "inbox.assigned_elsewhere"
    # Released to the queue, the second agent can take it
    assert post(api(first), f"/api/v1/inbox/conversations/{thread.pk}/release").status_code == 200
    taken = post(api(second), f"/api/v1/inbox/conversations/{thread.pk}/take")
    assert taken.status_code == 200 and taken.json()["assigned_to"] == "second"


def test_a_transfer_is_recorded_and_counted(
    region_a: Any, region_b: Any, make_agent: Callable[..., Any], inbound: Callable[..., Any]
) -> None:
    # Given a conversation routed to the first agent
    first = make_agent("first", region_a, skills=("billing",))
    second = make_agent("second", region_a, status="busy")
    outsider = make_agent("outsider", region_b, status="busy")
    thread = inbound(CustomerFactory(region=region_a), skill="billing")
    client = api(first)
    # When they transfer it to an agent of another region: refused with a code
    wrong = post(client, f"/api/v1/inbox/conversations/{thread.pk}/transfer", {"to": outsider.pk})
    assert wrong.status_code == 422 and wrong.json()["code"] == "inbox.transfer_target_cannot_see"
    # And to a colleague of the region, with a reason
    done = post(
        client,
        f"/api/v1/inbox/conversations/{thread.pk}/transfer",
        {"to": second.pk, "reason": "需要退款权限"},
    )
    assert done.status_code == 200
    # Then the conversation is the colleague's and the transfer is recorded
    thread.refresh_from_db()
    assert thread.assigned_to == second
    moved = Transfer.objects.get()
    assert (moved.from_user, moved.to_user, moved.by, moved.reason) == (
        first,
        second,
        first,
        "需要退款权限",
    )
    # And counted in both agents' measures (the supervisor of the region sees both)
    supervisor = make_user(Role.SUPERVISOR, region_a, username="boss")
    rows = api(supervisor).get("/api/v1/inbox/metrics").json()["rows"]
    counts = {r["key"]: (r["transfers_out"], r["transfers_in"]) for r in rows}
    assert counts["first"] == (1, 0) and counts["second"] == (0, 1)
    assert "outsider" not in counts
    # And the first agent may no longer move it
    again = post(client, f"/api/v1/inbox/conversations/{thread.pk}/transfer", {"to": first.pk})
    assert again.status_code == 403 and again.json()["code"] == "inbox.not_yours"


def test_presence_over_the_api_is_logged(region_a: Any, make_agent: Callable[..., Any]) -> None:
    agent = make_agent("p-agent", region_a, status="offline")
    client = api(agent)
    changed = client.put(
        "/api/v1/inbox/presence",
        data=json.dumps({"status": "available"}),
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["status"] == "available"
    assert client.get("/api/v1/inbox/presence").json()["status"] == "available"
    assert list(PresenceChange.objects.values_list("status", flat=True)) == ["available"]
    bad = client.put(
        "/api/v1/inbox/presence",
        data=json.dumps({"status": "asleep"}),
        content_type="application/json",
    )
    assert bad.status_code == 422


def test_a_supervisor_sets_skills_of_their_region_agents_only(
    region_a: Any, region_b: Any, make_agent: Callable[..., Any]
) -> None:
    agent = make_agent("skilled", region_a)
    other = make_agent("elsewhere", region_b)
    supervisor = make_user(Role.SUPERVISOR, region_a, username="sup-a")
    client = api(supervisor)
    body = json.dumps({"skills": ["Returns", "billing"], "languages": ["en"], "capacity": 3})
    done = client.patch(
        f"/api/v1/inbox/agents/{agent.pk}", data=body, content_type="application/json"
    )
    assert done.status_code == 200
    assert done.json()["skills"] == ["billing", "returns"] and done.json()["capacity"] == 3
    hidden = client.patch(
        f"/api/v1/inbox/agents/{other.pk}", data=body, content_type="application/json"
    )
    assert hidden.status_code == 404
    # An agent may not change their own skills
    own = api(agent).patch(
        f"/api/v1/inbox/agents/{agent.pk}", data=body, content_type="application/json"
    )
    assert own.status_code == 403 and own.json()["code"] == "inbox.not_supervisor"
    listed = {a["username"] for a in client.get("/api/v1/inbox/agents").json()}
    assert listed == {"skilled", "sup-a"}


def test_metrics_refuse_an_empty_period_and_an_unknown_group(
    region_a: Any, make_agent: Callable[..., Any]
) -> None:
    client = api(make_agent("m-agent", region_a))
    empty = client.get(
        "/api/v1/inbox/metrics",
        {"start": "2026-01-02T00:00:00Z", "end": "2026-01-01T00:00:00Z"},
    )
    assert empty.status_code == 422 and empty.json()["code"] == "inbox.period_invalid"
    assert client.get("/api/v1/inbox/metrics", {"group": "planet"}).status_code == 422


def test_a_supervisor_taking_over_is_a_recorded_transfer(
    region_a: Any, make_agent: Callable[..., Any], inbound: Callable[..., Any]
) -> None:
    agent = make_agent("first", region_a)
    thread = inbound(CustomerFactory(region=region_a))
    supervisor = make_user(Role.SUPERVISOR, region_a, username="boss")
    taken = post(api(supervisor), f"/api/v1/inbox/conversations/{thread.pk}/take")
    assert taken.status_code == 200 and taken.json()["assigned_to"] == "boss"
    moved = Transfer.objects.get(thread=thread)
    assert (moved.from_user, moved.to_user, moved.by) == (agent, supervisor, supervisor)
