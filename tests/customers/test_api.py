"""The identity API: identify with the 360 payload, the review queue, merges and drip answers."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from hudong.core.models import AuditEntry, Role
from hudong.customers import actions
from hudong.customers.models import Customer, MatchCandidate
from tests.factories import CustomerFactory, InvoiceFactory, ShipmentFactory, make_user


def api(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


@pytest.mark.django_db
def test_identify_returns_the_360_payload_and_audits_the_view(
    agent_a: Any, customer_a: Any
) -> None:
    # Given a customer with a phone, a late shipment and an overdue invoice
    actions.add_identifier(customer_a, "phone", "13800138000")
    ShipmentFactory(order__customer=customer_a)
    InvoiceFactory(customer=customer_a)
    # When the switch delivers the number in its own spelling
    resp = api(agent_a).get("/api/v1/identify", {"q": "+86 138 0013 8000"})
    # Then the agent gets the whole picture at once
    data = resp.json()
    assert resp.status_code == 200 and data["status"] == "found"
    view = data["customer"]
    assert view["id"] == customer_a.pk and view["identifiers"][0]["normalized"] == "+8613800138000"
    assert view["panels"]["orders"]["last_shipment"]["late"] is True
    assert len(view["panels"]["credit"]["overdue"]) == 1
    assert view["questions"] and 0 <= view["completeness"] <= 100
    assert AuditEntry.objects.filter(action="view", customer_id=customer_a.pk).exists()


@pytest.mark.django_db
def test_identify_of_a_shared_number_lists_candidates(agent_a: Any, region_a: Any) -> None:
    for name in ("王芳", "王磊"):
        c = CustomerFactory(region=region_a, name=name)
        actions.add_identifier(c, "phone", "010-65432100", shared=True)
    data = api(agent_a).get("/api/v1/identify", {"q": "01065432100"}).json()
    assert data["status"] == "ambiguous" and data["customer"] is None
    assert {c["name"] for c in data["candidates"]} == {"王芳", "王磊"}


@pytest.mark.django_db
def test_review_decision_and_undo_over_the_api(region_a: Any) -> None:
    supervisor = make_user(Role.SUPERVISOR, region_a, username="sup")
    a, b = CustomerFactory(region=region_a), CustomerFactory(region=region_a)
    pair = MatchCandidate.objects.create(left=a, right=b, probability=0.9)
    client = api(supervisor)
    assert [p["id"] for p in client.get("/api/v1/duplicates").json()["items"]] == [pair.pk]
    resp = post(client, f"/api/v1/duplicates/{pair.pk}/decision", {"decision": "merge"})
    assert resp.status_code == 200 and resp.json()["status"] == "merged"
    merge = client.get("/api/v1/merges").json()["items"][0]
    assert (merge["survivor_id"], merge["merged_id"]) == (a.pk, b.pk)
    resp = post(client, f"/api/v1/merges/{merge['id']}/undo", {})
    assert resp.status_code == 200 and resp.json()["undone_at"]
    assert Customer.objects.get(pk=b.pk).merged_into_id is None
    # deciding twice is a conflict with a stable code, not a 500
    resp = post(client, f"/api/v1/duplicates/{pair.pk}/decision", {"decision": "merge"})
    assert resp.status_code == 409 and resp.json()["code"] == "customers.candidate_decided"


@pytest.mark.django_db
def test_an_agent_may_not_merge_over_the_api(agent_a: Any, region_a: Any) -> None:
    a, b = CustomerFactory(region=region_a), CustomerFactory(region=region_a)
    resp = post(api(agent_a), "/api/v1/merges", {"keep": a.pk, "merge": b.pk})
    assert resp.status_code == 403 and resp.json()["code"] == "customers.merge_forbidden"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"key": "birth_date", "value": "31/31/2020"}, "customers.answer_invalid"),
        ({"key": "preferred_channel", "value": "pigeon"}, "customers.answer_invalid"),
        ({"key": "no_such_question", "value": "x"}, "customers.question_not_found"),
    ],
)
def test_bad_drip_answers_are_problems(agent_a: Any, customer_a: Any, body: Any, code: str) -> None:
    resp = post(api(agent_a), f"/api/v1/customers/{customer_a.pk}/answers", body)
    assert resp.status_code in {404, 422} and resp.json()["code"] == code


@pytest.mark.django_db
def test_an_answer_raises_completeness(agent_a: Any, customer_a: Any) -> None:
    client = api(agent_a)
    before = client.get(f"/api/v1/customers/{customer_a.pk}/360").json()["completeness"]
    resp = post(
        client,
        f"/api/v1/customers/{customer_a.pk}/answers",
        {"key": "email", "value": "ZW@Example.com"},
    )
    assert resp.status_code == 200 and resp.json()["completeness"] > before
    assert customer_a.identifiers.get(kind="email").verified_at is not None


@pytest.mark.django_db
def test_the_screen_pop_reads_a_fixed_number_of_queries(
    agent_a: Any, customer_a: Any, django_assert_num_queries: Any
) -> None:
    """identify + 360 is the hot path of every incoming call: its query count is pinned, so
    a panel that adds an N+1 shows up here. (Session auth: the token path saves one query.)"""
    actions.add_identifier(customer_a, "phone", "13800138000")
    for _ in range(3):
        ShipmentFactory(order__customer=customer_a)
        InvoiceFactory(customer=customer_a)
    client = api(agent_a)
    client.get("/api/v1/identify", {"q": "13800138000"})  # warm the per-process caches
    # session, user+profile; identifier, customer; 3 prefetches; audit insert; 3 order panel
    # reads; open invoices; the open conversations (breakpoint) and the latest contacts; the
    # customer's value row (insights); the open cases and the open care tasks (service)
    with django_assert_num_queries(18):
        resp = client.get("/api/v1/identify", {"q": "+86 138 0013 8000"})
    assert resp.json()["status"] == "found"


@pytest.mark.django_db
def test_a_choice_is_stored_in_the_customers_language(agent_a: Any, region_a: Any) -> None:
    # Given an English-speaking customer, asked by an agent working in Chinese
    customer = CustomerFactory(region=region_a, language="en", birth_date="1990-01-01")
    actions.add_identifier(customer, "email", "amy@example.com")
    view = api(agent_a).get(f"/api/v1/customers/{customer.pk}/360").json()
    channel = next(q for q in view["questions"] if q["key"] == "preferred_channel")
    assert {"value": "WeChat", "label": "微信"} in channel["choices"]
    # When the agent picks WeChat
    resp = post(
        api(agent_a),
        f"/api/v1/customers/{customer.pk}/answers",
        {"key": "preferred_channel", "value": "WeChat"},
    )
    # Then the attribute reads as the customer would write it
    assert resp.status_code == 200
    assert customer.attributes.get(key="preferred_channel").value == "WeChat"
