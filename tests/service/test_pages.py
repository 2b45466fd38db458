"""The case pages: the queue, a case with its buttons and its two kinds of notes, opening a
case from the customer page, and the open cases panel of the 360 view."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from hudong.service.models import Case, CaseNote
from tests.service.conftest import FakeSms, category, open_case

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_customer_page_shows_open_cases_and_a_link_to_open_one(
    customer_a: Any, agent_a: Any
) -> None:
    # Given an open case and a closed one
    open_one = open_case(customer_a, agent_a, subject="屏幕有划痕", code="defect")
    done = open_case(customer_a, agent_a, subject="早已解决")
    Case.objects.filter(pk=done.pk).update(status="closed")
    # When the agent opens the customer page
    body = _client(agent_a).get(f"/customers/{customer_a.pk}/").content.decode()
    # Then the panel lists the open case only, and offers to open one
    assert 'data-panel="open_cases"' in body
    assert open_one.number in body and done.number not in body
    assert f"/service/customers/{customer_a.pk}/cases/new/" in body


def test_the_360_api_carries_the_open_cases(customer_a: Any, agent_a: Any) -> None:
    case = open_case(customer_a, agent_a)
    data = _client(agent_a).get(f"/api/v1/customers/{customer_a.pk}/360").json()
    assert [c["number"] for c in data["panels"]["open_cases"]["open"]] == [case.number]


def test_an_agent_opens_a_case_from_a_contact_on_the_page(customer_a: Any, agent_a: Any) -> None:
    from hudong.interactions.models import Interaction

    call = Interaction.objects.create(
        customer=customer_a, channel="phone", direction="in", initiator="customer", subject="投诉"
    )
    client = _client(agent_a)
    url = f"/service/customers/{customer_a.pk}/cases/new/"
    form = client.get(url, {"interaction": call.pk}).content.decode()
    assert 'data-testid="open-case-form"' in form
    resp = client.post(
        url,
        {
            "category": category("service-attitude").pk,
            "subject": "客服态度差",
            "severity": "medium",
            "interaction": call.pk,
        },
    )
    case = Case.objects.get()
    assert resp.status_code == 302 and resp["Location"] == f"/service/cases/{case.pk}/"
    assert (case.interaction_id, case.source, case.created_by_id) == (
        call.pk,
        "interaction",
        agent_a.pk,
    )


def test_the_case_page_moves_the_case_and_keeps_internal_notes_apart(
    sms: FakeSms, customer_a: Any, agent_a: Any
) -> None:
    customer_a.identifiers.create(kind="phone", value="13800138000", normalized="+8613800138000")
    case = open_case(customer_a, agent_a)
    client = _client(agent_a)
    page = client.get(f"/service/cases/{case.pk}/").content.decode()
    assert 'data-status="acknowledged"' in page and 'data-status="closed"' not in page
    # When the agent acknowledges, writes an internal note and replies
    client.post(f"/service/cases/{case.pk}/transition/", {"status": "acknowledged"})
    client.post(f"/service/cases/{case.pk}/notes/", {"body": "<b>内部</b>备注", "internal": "on"})
    client.post(f"/service/cases/{case.pk}/notes/", {"body": "已为您加急处理"})
    # Then the case moved, the reply went out and the note did not
    case.refresh_from_db()
    assert case.status == "acknowledged" and case.first_response_at is not None
    assert [m.body for m in sms.sent] == ["已为您加急处理"]
    assert CaseNote.objects.filter(case=case, internal=True).count() == 1
    page = client.get(f"/service/cases/{case.pk}/").content.decode()
    internal = page.split('data-testid="internal-notes"')[1]
    replies = page.split('data-testid="replies"')[1].split('data-testid="internal-notes"')[0]
    assert "&lt;b&gt;内部&lt;/b&gt;备注" in internal and "<b>内部" not in page
    assert "已为您加急处理" in replies and "内部" not in replies
    # And a refused move says why, without a crash
    resp = client.post(f"/service/cases/{case.pk}/transition/", {"status": "closed"})
    assert resp.status_code == 409


def test_the_queue_filters_and_orders_by_priority_then_age(customer_a: Any, agent_a: Any) -> None:
    low = open_case(customer_a, agent_a, severity="low", subject="低")
    urgent = open_case(customer_a, agent_a, severity="critical", subject="急")
    medium = open_case(customer_a, agent_a, severity="medium", subject="中")
    client = _client(agent_a)
    body = client.get("/service/cases/").content.decode()
    assert body.index(urgent.number) < body.index(medium.number) < body.index(low.number)
    only = client.get("/service/cases/", {"priority": "1"}).content.decode()
    assert urgent.number in only and low.number not in only
    assert 'href="/service/cases/"' in body  # the nav item "Cases"
