"""Role × region × every segment endpoint that takes a segment id: a shared segment is readable
by everyone who sees customers, its members only within each reader's scope; only the owner
(or a superuser) changes it; a private segment does not exist for others."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.test import Client

from hudong.core.models import Role
from hudong.core.scoping import DEFAULT_POLICY
from hudong.insights.models import Segment
from hudong.insights.segments import actions, snapshots
from tests.factories import CustomerFactory, RegionFactory, make_user

pytestmark = pytest.mark.django_db

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.SALES, Role.MARKETER, Role.ANALYST, Role.ADMIN]

# (name, url, how to find the customer in the answer)
READS = [
    ("segment API", "/api/v1/segments/{sid}", "count"),
    ("members API", "/api/v1/segments/{sid}/members", "json-id"),
    ("snapshots API", "/api/v1/segments/{sid}/snapshots", "snapshot-count"),
    ("members page", "/insights/segments/{sid}/", "link"),
    ("list count", "/insights/segments/{sid}/count/", "data-count"),
    ("members CSV", "/insights/segments/{sid}/export.csv", "name"),
    ("members XLSX", "/insights/segments/{sid}/export.xlsx", "name"),
]


def _body(response: Any, url: str) -> str:
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
        if url.endswith(".xlsx"):
            from openpyxl import load_workbook

            book = load_workbook(io.BytesIO(content), read_only=True)
            return "\n".join(
                ",".join("" if v is None else str(v) for v in row)
                for row in book.active.iter_rows(values_only=True)
            )
        return content.decode("utf-8-sig")
    return response.content.decode()


def _sees(how: str, body: str, customer: Any) -> bool:
    if how == "count":
        return json.loads(body)["count"] == 1
    if how == "json-id":
        return customer.pk in [m["id"] for m in json.loads(body)["items"]]
    if how == "snapshot-count":
        return json.loads(body)[-1]["count"] == 1
    if how == "link":
        return f"/customers/{customer.pk}/" in body
    if how == "data-count":
        return 'data-count="1"' in body
    return customer.name in body


@pytest.fixture
def shared() -> dict[str, Any]:
    region_a, region_b = RegionFactory(code="a"), RegionFactory(code="b")
    owner = make_user(Role.ANALYST, region_a, username="owner")
    return {"a": region_a, "b": region_b, "owner": owner}


@pytest.mark.parametrize("kind", ["dynamic", "static"])
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("where", ["own-region", "other-region"])
def test_reads_show_members_only_in_scope(
    shared: dict[str, Any], role: str, where: str, kind: str
) -> None:
    # Given a shared segment holding one customer of region a or b
    customer = CustomerFactory(
        region=shared["a"] if where == "own-region" else shared["b"], name="王芳Segment"
    )
    segment = actions.create(
        shared["owner"],
        name="s",
        kind=kind,
        filter=f"id = {customer.pk}",
        is_shared=True,
    )
    if kind == "dynamic":
        snapshots.take_all()
    user = make_user(role, shared["a"], superuser=(role == Role.ADMIN))
    client = Client()
    client.force_login(user)
    visible = {"all": True, "region": where == "own-region", "own": False}[DEFAULT_POLICY[role]]
    for name, url, how in READS:
        if how == "snapshot-count" and kind == "static":
            continue
        # When they read the segment through this door
        full = url.format(sid=segment.pk)
        response = client.get(full)
        # Then the segment exists for them and the customer shows exactly when in scope
        assert response.status_code == 200, (name, response.status_code)
        assert _sees(how, _body(response, full), customer) == visible, name


@pytest.mark.parametrize("role", ROLES)
def test_writes_are_for_the_owner(shared: dict[str, Any], role: str) -> None:
    segment = actions.create(shared["owner"], name="s", filter="tier = A", is_shared=True)
    static = actions.create(shared["owner"], name="l", kind="static", is_shared=True)
    user = make_user(role, shared["a"], superuser=(role == Role.ADMIN))
    client = Client()
    client.force_login(user)
    allowed = role == Role.ADMIN  # a superuser; everyone else is not the owner
    patch = client.patch(
        f"/api/v1/segments/{segment.pk}",
        data=json.dumps({"name": "x"}),
        content_type="application/json",
    )
    add = client.post(
        f"/api/v1/segments/{static.pk}/members",
        data=json.dumps({"customer_ids": [CustomerFactory(region=shared["a"]).pk]}),
        content_type="application/json",
    )
    edit = client.post(
        f"/insights/segments/{segment.pk}/edit/",
        {"name": "y", "filter": "tier = B", "kind": "dynamic"},
    )
    assert patch.status_code == (200 if allowed else 403)
    assert add.status_code == (200 if allowed else 403)
    assert edit.status_code == (302 if allowed else 403)
    delete_page = client.post(f"/insights/segments/{segment.pk}/delete/")
    delete_api = client.delete(f"/api/v1/segments/{static.pk}")
    assert delete_page.status_code == (302 if allowed else 403)
    assert delete_api.status_code == (204 if allowed else 403)
    assert Segment.objects.filter(pk=segment.pk).exists() != allowed
    # and anyone who sees customers may create their own
    created = client.post(
        "/api/v1/segments",
        data=json.dumps({"name": "mine", "filter": "gold"}),
        content_type="application/json",
    )
    assert created.status_code == 201


def test_a_private_segment_does_not_exist_for_others(shared: dict[str, Any]) -> None:
    segment = actions.create(shared["owner"], name="private", filter="")
    other = make_user(Role.ANALYST, shared["a"], username="other")
    client = Client()
    client.force_login(other)
    for url in [
        "/api/v1/segments/{sid}",
        "/api/v1/segments/{sid}/members",
        "/api/v1/segments/{sid}/snapshots",
        "/insights/segments/{sid}/",
        "/insights/segments/{sid}/edit/",
        "/insights/segments/{sid}/count/",
        "/insights/segments/{sid}/export.csv",
    ]:
        assert client.get(url.format(sid=segment.pk)).status_code == 404, url
    assert client.delete(f"/api/v1/segments/{segment.pk}").status_code == 404
    assert client.get("/api/v1/segments").json()["items"] == []


def test_a_user_without_customer_scope_sees_no_segment(shared: dict[str, Any]) -> None:
    segment = actions.create(shared["owner"], name="s", filter="", is_shared=True)
    nobody = make_user("nobody-role", shared["a"], username="nobody")
    client = Client()
    client.force_login(nobody)
    assert client.get(f"/api/v1/segments/{segment.pk}").status_code == 404
    created = client.post(
        "/api/v1/segments", data=json.dumps({"name": "x"}), content_type="application/json"
    )
    assert created.status_code == 403


def test_anonymous_gets_nothing(shared: dict[str, Any]) -> None:
    segment = actions.create(shared["owner"], name="s", filter="", is_shared=True)
    client = Client()
    for url in [
        "/api/v1/segments",
        "/api/v1/segments/{sid}",
        "/api/v1/segments/{sid}/members",
        "/api/v1/segments/{sid}/snapshots",
        "/insights/segments/",
        "/insights/segments/new/",
        "/insights/segments/count/?filter=gold",
        "/insights/segments/{sid}/",
        "/insights/segments/{sid}/export.csv",
    ]:
        assert client.get(url.format(sid=segment.pk)).status_code in {302, 401}, url
