"""Bad input to the API gets a 4xx problem JSON with a stable code, never a 500."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from hudong.core.models import ApiToken

PROBLEM = "application/problem+json"


@pytest.fixture
def api(agent_a: Any) -> Client:
    _, key = ApiToken.issue(agent_a, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def assert_problem(resp: Any, status: int, code: str) -> dict[str, Any]:
    assert resp.status_code == status, resp.content[:300]
    assert resp["Content-Type"].startswith(PROBLEM)
    body = resp.json()
    assert body["code"] == code and body["status"] == status and body["detail"]
    return body


@pytest.mark.django_db
def test_health_is_public() -> None:
    resp = Client().get("/api/v1/health")
    assert resp.status_code == 200 and resp.json()["status"] == "ok"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method,url",
    [
        ("get", "/api/v1/me"),
        ("get", "/api/v1/regions"),
        ("get", "/api/v1/customers"),
        ("get", "/api/v1/customers/1"),
        ("post", "/api/v1/customers"),
        ("patch", "/api/v1/customers/1"),
    ],
)
def test_every_route_requires_authentication(method: str, url: str) -> None:
    kwargs = {} if method == "get" else {"data": "{}", "content_type": "application/json"}
    resp = getattr(Client(), method)(url, **kwargs)
    assert_problem(resp, 401, "auth.required")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "method,url,body,status,code",
    [
        ("get", "/api/v1/customers/0", None, 422, "request.invalid"),
        ("get", "/api/v1/customers/99999999999999999999999", None, 422, "request.invalid"),
        ("get", "/api/v1/customers/abc", None, 422, "request.invalid"),
        ("get", "/api/v1/customers/424242", None, 404, "customers.not_found"),
        ("get", "/api/v1/customers?limit=-1", None, 422, "request.invalid"),
        ("get", "/api/v1/customers?q=%00", None, 422, "request.invalid"),
        ("post", "/api/v1/customers", "not json", 400, "request.bad"),
        ("post", "/api/v1/customers", {"name": ""}, 422, "request.invalid"),
        (
            "post",
            "/api/v1/customers",
            {"name": "x", "region": "nowhere"},
            422,
            "customers.region_unknown",
        ),
        (
            "post",
            "/api/v1/customers",
            {"name": "x\x00", "region": "region-a"},
            422,
            "request.invalid",
        ),
        (
            "post",
            "/api/v1/customers",
            {"name": "x", "region": "region-a", "identifiers": [{"kind": "phone", "value": "abc"}]},
            422,
            "customers.identifier_invalid",
        ),
        ("patch", "/api/v1/customers/{id}", {"name": None}, 422, "customers.field_required"),
        ("patch", "/api/v1/customers/{id}", {"credit_limit": -5}, 422, "request.invalid"),
        ("patch", "/api/v1/customers/{id}", {"birth_date": "1990-13-45"}, 422, "request.invalid"),
        (
            "patch",
            "/api/v1/customers/{id}",
            {"region_code": "region-b"},
            403,
            "customers.region_forbidden",
        ),
        ("delete", "/api/v1/customers/{id}", None, 405, "request.method_not_allowed"),
        ("get", "/api/v1/no-such-route", None, 404, "not_found"),
    ],
)
def test_bad_input_gets_a_problem(
    api: Client,
    customer_a: Any,
    region_b: Any,
    method: str,
    url: str,
    body: Any,
    status: int,
    code: str,
) -> None:
    url = url.format(id=customer_a.pk)
    data = body if isinstance(body, str) else json.dumps(body) if body is not None else None
    kwargs = {"data": data, "content_type": "application/json"} if data is not None else {}
    resp = getattr(api, method)(url, **kwargs)
    assert_problem(resp, status, code)


@pytest.mark.django_db
def test_identifier_taken_is_a_conflict(api: Client, region_a: Any) -> None:
    payload = {
        "name": "甲",
        "region": "region-a",
        "identifiers": [{"kind": "phone", "value": "+86-138-0013-8000"}],
    }
    ok = api.post("/api/v1/customers", data=json.dumps(payload), content_type="application/json")
    assert ok.status_code == 201
    payload["identifiers"] = [{"kind": "phone", "value": "0086 13800138000"}]
    again = api.post("/api/v1/customers", data=json.dumps(payload), content_type="application/json")
    assert_problem(again, 409, "customers.identifier_taken")


@pytest.mark.django_db
def test_problem_messages_follow_the_language(api: Client) -> None:
    en = api.get("/api/v1/customers/424242", HTTP_ACCEPT_LANGUAGE="en").json()
    zh = api.get("/api/v1/customers/424242", HTTP_ACCEPT_LANGUAGE="zh-Hans").json()
    assert en["code"] == zh["code"] == "customers.not_found"
    assert en["detail"] == "Not found."
    assert zh["detail"] != en["detail"]


@pytest.mark.django_db
def test_openapi_document_and_docs_are_served() -> None:
    spec = Client().get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.")
    assert "/api/v1/customers/{customer_id}" in spec["paths"]
    assert Client().get("/api/v1/docs").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["offset=99999999999999999999999", "limit=100000", "limit=0"])
def test_absurd_pages_are_refused(api: Client, customer_a: Any, query: str) -> None:
    assert_problem(api.get(f"/api/v1/customers?{query}"), 422, "request.invalid")


@pytest.mark.django_db
def test_pages_hold_what_the_caller_may_see(api: Client, customer_a: Any, customer_b: Any) -> None:
    body = api.get("/api/v1/customers?limit=10").json()
    assert body["count"] == 1 and [c["id"] for c in body["items"]] == [customer_a.pk]


@pytest.mark.django_db
def test_a_time_with_an_impossible_utc_offset_is_a_422_not_a_500(
    agent_a: Any, customer_a: Any
) -> None:
    """PostgreSQL refuses offsets beyond ±15:59; every API time is checked before it gets there."""
    client = Client()
    client.force_login(agent_a)
    resp = client.post(
        f"/api/v1/customers/{customer_a.pk}/interactions",
        data=json.dumps(
            {"channel": "face", "subject": "到店", "started_at": "3050-02-13T04:03:09+22:26"}
        ),
        content_type="application/json",
    )
    assert resp.status_code == 422 and resp.json()["code"] == "request.invalid"
    resp = client.get("/api/v1/inbox/metrics", {"start": "0256-09-30T15:43:25-22:45"})
    assert resp.status_code == 422
