"""Guidance for the agent (D3): the case page and the API show advice for the customer's
temperament (calm, emotional, stubborn) and the general steps, in the reader's language."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from hudong.core.models import Role
from hudong.service.models import Case
from tests.factories import make_user
from tests.service.conftest import open_case

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _page(client: Client, case: Case) -> str:
    return str(client.get(f"/service/cases/{case.pk}/", **EN).content.decode())


def test_a_calm_customer_gets_the_general_steps_only(customer_a: Any, agent_a: Any) -> None:
    case = open_case(customer_a, agent_a)
    body = _page(_client(agent_a), case)
    assert 'data-temperament="calm"' in body
    assert "Listen to the whole story before answering" in body
    assert 'data-testid="guidance-advice"' not in body


@pytest.mark.parametrize(
    ("temperament", "expected", "absent"),
    [
        ("emotional", "Let the customer vent", "look at it from both sides"),
        ("stubborn", "look at it from both sides", "Let the customer vent"),
    ],
)
def test_the_agent_sets_the_temperament_and_sees_its_advice(
    customer_a: Any, agent_a: Any, temperament: str, expected: str, absent: str
) -> None:
    case = open_case(customer_a, agent_a)
    client = _client(agent_a)
    # When the agent says how the customer comes across
    response = client.post(f"/service/cases/{case.pk}/temperament/", {"temperament": temperament})
    assert response.status_code == 302
    # Then the case keeps it and the page shows the advice for it, and the general steps
    case.refresh_from_db()
    assert case.temperament == temperament
    body = _page(client, case)
    assert expected in body and absent not in body
    assert "Listen to the whole story before answering" in body


def test_the_guidance_api(customer_a: Any, agent_a: Any) -> None:
    case = open_case(customer_a, agent_a)
    client = _client(agent_a)
    url = f"/api/v1/cases/{case.pk}/temperament"
    # When the temperament is set through the API
    response = client.post(
        url, data=json.dumps({"temperament": "emotional"}), content_type="application/json", **EN
    )
    # Then the answer is the guidance for it
    data = response.json()
    assert response.status_code == 200 and data["temperament"] == "emotional"
    assert any("Stay calm" in line for line in data["advice"]) and data["general"]
    assert client.get(f"/api/v1/cases/{case.pk}/guidance").json()["temperament"] == "emotional"
    # And an unknown temperament is refused without a change
    bad = client.post(
        url, data=json.dumps({"temperament": "angry"}), content_type="application/json"
    )
    assert bad.status_code == 422
    case.refresh_from_db()
    assert case.temperament == "emotional"


def test_a_bad_temperament_on_the_page_is_refused(customer_a: Any, agent_a: Any) -> None:
    case = open_case(customer_a, agent_a)
    response = _client(agent_a).post(
        f"/service/cases/{case.pk}/temperament/", {"temperament": "<script>"}
    )
    assert response.status_code == 422
    assert "<script>" not in response.content.decode()


def test_an_agent_of_another_region_cannot_set_it(
    customer_a: Any, agent_a: Any, region_b: Any
) -> None:
    case = open_case(customer_a, agent_a)
    outsider = _client(make_user(Role.AGENT, region_b, username="agent-b"))
    page = outsider.post(f"/service/cases/{case.pk}/temperament/", {"temperament": "stubborn"})
    api = outsider.get(f"/api/v1/cases/{case.pk}/guidance")
    assert (page.status_code, api.status_code) == (404, 404)
    case.refresh_from_db()
    assert case.temperament == "calm"
