"""Segments through the API and the pages: scope always holds, errors are problem JSON with
stable codes, and a segment built on the page has the same members as its filter via the API."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from hudong.core.models import Role
from hudong.core.models.audit import AuditEntry
from hudong.insights.models import Segment, SegmentMember
from hudong.insights.segments import actions, queries
from tests.factories import CustomerFactory, RegionFactory, make_user
from tests.insights.factories_segments import valued

pytestmark = pytest.mark.django_db


@pytest.fixture
def world() -> dict[str, Any]:
    east, north = RegionFactory(code="east"), RegionFactory(code="north")
    people = {}
    for i, (region, tier) in enumerate(
        [(east, "A"), (east, "B"), (east, "C"), (north, "A"), (north, "A")]
    ):
        c = CustomerFactory(name=f"客户{i}", region=region)
        valued(c, tier=tier, clv=Decimal(1000 - i))
        people[i] = c
    return {
        "east": east,
        "north": north,
        "people": people,
        "agent": make_user(Role.AGENT, east, username="agent-east"),
        "analyst": make_user(Role.ANALYST, east, username="analyst"),
    }


def client_for(user: Any) -> Client:
    c = Client()
    c.force_login(user)
    return c


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_an_east_agent_never_sees_a_north_member(world: dict[str, Any]) -> None:
    # Given a shared segment of every tier-A customer, made by an analyst (scope: all)
    segment = actions.create(world["analyst"], name="A", filter="tier = A", is_shared=True)
    agent = client_for(world["agent"])
    # When the east agent reads it through every door
    detail = agent.get(f"/api/v1/segments/{segment.pk}").json()
    members = agent.get(f"/api/v1/segments/{segment.pk}/members").json()
    preview = post(agent, "/api/v1/segments/preview", {"filter": "tier = A"}).json()
    page = agent.get(f"/insights/segments/{segment.pk}/").content.decode()
    export = b"".join(agent.get(f"/insights/segments/{segment.pk}/export.csv").streaming_content)
    # Then only the east member exists for them; the analyst sees all three
    east_a, north_1, north_2 = world["people"][0], world["people"][3], world["people"][4]
    assert detail["count"] == 1
    assert [m["id"] for m in members["items"]] == [east_a.pk]
    assert preview["count"] == 1 and [m["id"] for m in preview["sample"]] == [east_a.pk]
    assert east_a.name in page and north_1.name not in page and north_2.name not in page
    assert east_a.name in export.decode("utf-8-sig")
    assert north_1.name not in export.decode("utf-8-sig")
    assert client_for(world["analyst"]).get(f"/api/v1/segments/{segment.pk}").json()["count"] == 3


def test_live_count_respects_scope(world: dict[str, Any]) -> None:
    agent = client_for(world["agent"])
    html = agent.get("/insights/segments/count/", {"filter": "tier = A"}).content.decode()
    assert 'data-count="1"' in html
    assert world["people"][3].name not in html
    assert queries.count(world["analyst"], "tier = A") == 3


def test_static_members_are_cut_to_scope(world: dict[str, Any]) -> None:
    # Given an east agent's static list
    segment = actions.create(world["agent"], name="回访", kind="static")
    ids = [c.pk for c in world["people"].values()]
    # When they add every customer (north ones included)
    added = actions.add_static_members(segment, ids, world["agent"])
    # Then only the three they may see are added; adding again adds none
    assert added == 3
    assert actions.add_static_members(segment, ids, world["agent"]) == 0
    assert SegmentMember.objects.filter(snapshot__segment=segment).count() == 3
    assert queries.members(world["agent"], segment).count() == 3
    response = post(
        client_for(world["agent"]),
        f"/api/v1/segments/{segment.pk}/members",
        {"customer_ids": ids},
    )
    assert response.json() == {"added": 0}


def test_problem_json_with_stable_codes(world: dict[str, Any]) -> None:
    agent = client_for(world["agent"])
    for text, code in [
        ("tier in (A", "segments.syntax"),
        ("colour = red", "segments.unknown_field"),
        ("tier = Z", "segments.bad_value"),
    ]:
        response = post(agent, "/api/v1/segments/preview", {"filter": text})
        assert response.status_code == 400
        assert response["Content-Type"] == "application/problem+json"
        body = response.json()
        assert body["code"] == code and body["column"] >= 1 and body["detail"]
        created = post(agent, "/api/v1/segments", {"name": "x", "filter": text})
        assert created.json()["code"] == code
    assert not Segment.objects.exists()
    assert agent.get("/api/v1/segments/preview", {"filter": "gold or"}).status_code == 400


def test_crud_is_owner_only_and_audited(world: dict[str, Any]) -> None:
    analyst, agent = client_for(world["analyst"]), client_for(world["agent"])
    created = post(analyst, "/api/v1/segments", {"name": "大客户", "filter": "tier = A"})
    assert created.status_code == 201
    sid = created.json()["id"]
    # a private segment does not exist for others
    assert agent.get(f"/api/v1/segments/{sid}").status_code == 404
    changed = analyst.patch(
        f"/api/v1/segments/{sid}",
        data=json.dumps({"is_shared": True, "filter": "tier in (A, B)"}),
        content_type="application/json",
    )
    assert changed.status_code == 200 and changed.json()["count"] == 4
    # shared: readable, but not the agent's to change or delete
    assert agent.get(f"/api/v1/segments/{sid}").json()["count"] == 2
    refused = agent.patch(
        f"/api/v1/segments/{sid}",
        data=json.dumps({"name": "mine"}),
        content_type="application/json",
    )
    assert refused.status_code == 403 and refused.json()["code"] == "segments.not_owner"
    assert agent.delete(f"/api/v1/segments/{sid}").status_code == 403
    listed = agent.get("/api/v1/segments").json()
    assert [s["id"] for s in listed["items"]] == [sid]
    assert analyst.delete(f"/api/v1/segments/{sid}").status_code == 204
    assert not Segment.objects.filter(pk=sid).exists()
    actions_seen = set(
        AuditEntry.objects.filter(model="insights.Segment", object_pk=str(sid)).values_list(
            "action", flat=True
        )
    )
    assert actions_seen == {"create", "update", "delete"}


def test_page_and_api_give_the_same_members(world: dict[str, Any]) -> None:
    # Given the east agent builds a segment on the page
    agent = client_for(world["agent"])
    text = "tier in (A, B) or clv >= 998"
    response = agent.post(
        "/insights/segments/new/", {"name": "页面", "filter": text, "kind": "dynamic"}
    )
    assert response.status_code == 302
    segment = Segment.objects.get(name="页面")
    # When the same filter goes through the API
    preview = post(agent, "/api/v1/segments/preview", {"filter": text}).json()
    members = agent.get(f"/api/v1/segments/{segment.pk}/members").json()
    page = agent.get(f"/insights/segments/{segment.pk}/").content.decode()
    # Then the members are the same, and the same as the page shows
    api_ids = sorted(m["id"] for m in preview["sample"])
    assert api_ids == sorted(m["id"] for m in members["items"])
    assert api_ids == sorted(c.pk for c in queries.members(world["agent"], segment))
    assert preview["count"] == members["count"] == 3  # the east ones only
    for pk in api_ids:
        assert f'data-customer="{pk}"' in page


def test_the_editor_shows_filter_errors_with_their_column(world: dict[str, Any]) -> None:
    agent = client_for(world["agent"])
    html = agent.get("/insights/segments/count/", {"filter": "tier = A and colour = 1"})
    body = html.content.decode()
    assert html.status_code == 200
    assert 'data-code="segments.unknown_field"' in body and 'data-column="14"' in body
    response = agent.post(
        "/insights/segments/new/",
        {"name": "x", "filter": "tier =", "kind": "dynamic"},
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 200  # the form again, with the error on the filter
    assert "column 7" in response.content.decode()
    assert not Segment.objects.exists()


def test_customer_typed_text_is_escaped(world: dict[str, Any]) -> None:
    world["people"][0].name = "<script>alert(1)</script>"
    world["people"][0].save()
    segment = actions.create(world["agent"], name="<b>x</b>", filter="tier = A")
    agent = client_for(world["agent"])
    page = agent.get(f"/insights/segments/{segment.pk}/").content.decode()
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;" in page
    assert "<b>x</b>" not in agent.get("/insights/segments/").content.decode()
    count = agent.get("/insights/segments/count/", {"filter": 'name = "<i>"'}).content.decode()
    assert "<i>" not in count


def test_exports_neutralise_formulas(world: dict[str, Any]) -> None:
    world["people"][0].name = "=HYPERLINK(1)"
    world["people"][0].save()
    segment = actions.create(world["agent"], name="x", filter="tier = A")
    agent = client_for(world["agent"])
    csv_text = b"".join(
        agent.get(f"/insights/segments/{segment.pk}/export.csv").streaming_content
    ).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in csv_text
    xlsx = agent.get(f"/insights/segments/{segment.pk}/export.xlsx")
    assert xlsx.status_code == 200
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(b"".join(xlsx.streaming_content)), read_only=True)
    cells = [v for row in book.active.iter_rows(values_only=True) for v in row]
    assert "'=HYPERLINK(1)" in cells
    assert agent.get(f"/insights/segments/{segment.pk}/export.pdf").status_code == 404


def test_a_saved_filter_that_no_longer_compiles_is_shown_not_a_500(world: dict[str, Any]) -> None:
    # Given a segment whose category was removed after it was saved
    segment = Segment.objects.create(
        name="旧", filter='bought category "gone"', owner=world["agent"]
    )
    agent = client_for(world["agent"])
    # Then its pages and API say what is wrong
    count = agent.get(f"/insights/segments/{segment.pk}/count/")
    assert count.status_code == 200 and 'data-code="segments.bad_value"' in count.content.decode()
    page = agent.get(f"/insights/segments/{segment.pk}/")
    assert page.status_code == 200 and "gone" in page.content.decode()
    api = agent.get(f"/api/v1/segments/{segment.pk}/members")
    assert api.status_code == 400 and api.json()["code"] == "segments.bad_value"
    assert agent.get(f"/insights/segments/{segment.pk}/export.csv").status_code == 404
