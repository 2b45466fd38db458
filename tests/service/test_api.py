"""The case API: open, list, read, move, write notes, assign; errors are problem JSON."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from hudong.core.models import Role
from hudong.interactions.models import Interaction
from tests.factories import TeamFactory, make_user

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_an_agent_opens_works_and_lists_a_case(customer_a: Any, region_a: Any) -> None:
    # Given an agent in a team
    agent = make_user(Role.AGENT, region_a, team=TeamFactory(region=region_a), username="a1")
    client = _client(agent)
    contact = Interaction.objects.create(
        customer=customer_a, channel="phone", direction="in", initiator="customer"
    )
    # When they open a case from the customer's call
    resp = _post(
        client,
        f"/api/v1/customers/{customer_a.pk}/cases",
        {
            "category": "packaging",
            "subject": "包装破损",
            "severity": "high",
            "interaction_id": contact.pk,
        },
    )
    assert resp.status_code == 201, resp.content
    case = resp.json()
    assert case["number"].startswith("C") and case["status"] == "new"
    assert (case["category"], case["priority"], case["channel"]) == ("packaging", 2, "phone")
    assert case["source"] == "interaction"
    # Then it is in the queue, and in the customer's open cases
    assert [c["id"] for c in client.get("/api/v1/cases").json()] == [case["id"]]
    assert client.get("/api/v1/cases?category=product-quality").json()[0]["id"] == case["id"]
    assert client.get("/api/v1/cases?priority=4").json() == []
    assert client.get(f"/api/v1/customers/{customer_a.pk}/cases").json()[0]["id"] == case["id"]
    # And it moves along the workflow
    url = f"/api/v1/cases/{case['id']}"
    moved = _post(client, f"{url}/transition", {"status": "acknowledged"}).json()
    assert moved["status"] == "acknowledged" and moved["acknowledged_at"]
    # And takes an internal note
    note = _post(client, f"{url}/notes", {"body": "先联系仓库", "internal": True})
    assert note.status_code == 201 and note.json()["internal"] is True
    assert client.get(f"{url}/notes").json()[0]["body"] == "先联系仓库"
    # And round robin gives it to the only agent of the team
    assigned = _post(client, f"{url}/assign", {}).json()
    assert assigned["assignee_id"] == agent.pk
    assert client.get("/api/v1/cases?assignee=me").json()[0]["id"] == case["id"]


def test_a_refused_transition_is_a_409_problem(customer_a: Any, agent_a: Any) -> None:
    client = _client(agent_a)
    case = _post(
        client, f"/api/v1/customers/{customer_a.pk}/cases", {"category": "other", "subject": "x"}
    ).json()
    resp = _post(client, f"/api/v1/cases/{case['id']}/transition", {"status": "closed"})
    assert resp.status_code == 409
    assert resp["content-type"].startswith("application/problem+json")
    assert resp.json()["code"] == "cases.bad_transition"


def test_bad_input_is_refused_with_stable_codes(customer_a: Any, agent_a: Any) -> None:
    client = _client(agent_a)
    url = f"/api/v1/customers/{customer_a.pk}/cases"
    unknown = _post(client, url, {"category": "nope", "subject": "x"})
    assert (unknown.status_code, unknown.json()["code"]) == (422, "cases.category_not_found")
    assert _post(client, url, {"category": "other", "subject": ""}).status_code == 422
    assert (
        _post(client, url, {"category": "other", "subject": "x", "severity": "x"}).status_code
        == 422
    )
    missing = client.get("/api/v1/cases/999999")
    assert (missing.status_code, missing.json()["code"]) == (404, "cases.not_found")


def test_the_seeded_categories_form_a_tree() -> None:
    from hudong.service.models import CaseCategory

    codes = set(CaseCategory.objects.values_list("code", flat=True))
    assert {
        "product-quality",
        "packaging",
        "defect",
        "misuse",
        "service-attitude",
        "delivery",
        "billing",
        "other",
    } <= codes
    assert CaseCategory.objects.get(code="defect").parent.code == "product-quality"  # type: ignore[union-attr]
    assert CaseCategory.objects.get(code="billing").skill == "billing"
