"""Manual escalation: an agent hands a case to a supervisor of the team who may see it; the
case counts a transfer, keeps the first escalation time and the reason as an internal note,
and the supervisor hears of it. Without such a supervisor the agent is told so."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from hudong.core.models import DomainEvent, LiveMessage, Role
from hudong.service import actions
from hudong.service.models import Case, CaseNote
from tests.factories import RegionFactory, TeamFactory, make_user
from tests.service.conftest import open_case

pytestmark = pytest.mark.django_db


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def team(region_a: Any) -> Any:
    return TeamFactory(region=region_a, name="east-desk")


@pytest.fixture
def agent(region_a: Any, team: Any) -> Any:
    return make_user(Role.AGENT, region_a, team=team, username="agent-t")


def _assigned_case(customer: Any, agent: Any) -> Case:
    case = open_case(customer, agent)
    return actions.assign(case, agent, to=agent)


def test_an_agent_escalates_to_the_team_supervisor(
    customer_a: Any, region_a: Any, team: Any, agent: Any
) -> None:
    boss = make_user(Role.SUPERVISOR, region_a, team=team, username="boss")
    case = _assigned_case(customer_a, agent)
    # When the agent escalates from the case page with a reason
    response = _client(agent).post(
        f"/service/cases/{case.pk}/escalate/", {"reason": "客户要求主管处理"}
    )
    assert response.status_code == 302
    # Then the supervisor has the case, a transfer is counted, the time is stamped
    case.refresh_from_db()
    assert case.assignee_id == boss.pk and case.transfer_count == 1
    assert case.escalated_at is not None
    # And the reason is an internal note, the event is published, the supervisor is told
    note = CaseNote.objects.get(case=case)
    assert note.internal and "客户要求主管处理" in note.body
    assert DomainEvent.objects.filter(name="service.case_escalated").count() == 1
    assert LiveMessage.objects.filter(user=boss, topic="service.escalated").exists()


def test_the_first_escalation_time_stays(
    customer_a: Any, region_a: Any, team: Any, agent: Any
) -> None:
    from hudong.service import escalation

    make_user(Role.SUPERVISOR, region_a, team=team, username="boss1")
    second = make_user(Role.SUPERVISOR, region_a, team=team, username="boss2")
    case = _assigned_case(customer_a, agent)
    first = escalation.escalate(case, agent, "升级").escalated_at
    # When the first supervisor escalates again, it goes to the other one
    again = escalation.escalate(case, agent, "再升级")
    assert again.assignee_id == second.pk
    assert again.escalated_at == first and again.transfer_count == 2


def test_the_api_escalates_and_refuses_without_a_supervisor(
    customer_a: Any, region_a: Any, team: Any, agent: Any
) -> None:
    case = _assigned_case(customer_a, agent)
    client = _client(agent)
    url = f"/api/v1/cases/{case.pk}/escalate"
    # Given no supervisor in the team: a stable refusal, nothing changed
    refused = client.post(url, data=json.dumps({"reason": "x"}), content_type="application/json")
    assert (refused.status_code, refused.json()["code"]) == (409, "cases.no_supervisor")
    case.refresh_from_db()
    assert case.assignee_id == agent.pk and case.escalated_at is None
    # And a supervisor of another region (who may not see the customer) does not count
    make_user(Role.SUPERVISOR, RegionFactory(code="far"), team=team, username="far-boss")
    again = client.post(url, data=json.dumps({"reason": "x"}), content_type="application/json")
    assert again.json()["code"] == "cases.no_supervisor"
    # When the team gets a supervisor of the region, the API escalates
    boss = make_user(Role.SUPERVISOR, region_a, team=team, username="near-boss")
    done = client.post(
        url, data=json.dumps({"reason": "投诉升级"}), content_type="application/json"
    )
    assert done.status_code == 200
    assert done.json()["assignee_id"] == boss.pk and done.json()["escalated_at"]


def test_a_reason_is_required_and_a_resolved_case_is_refused(
    customer_a: Any, region_a: Any, team: Any, agent: Any
) -> None:
    make_user(Role.SUPERVISOR, region_a, team=team, username="boss")
    case = _assigned_case(customer_a, agent)
    client = _client(agent)
    url = f"/api/v1/cases/{case.pk}/escalate"
    blank = client.post(url, data=json.dumps({"reason": "  "}), content_type="application/json")
    assert blank.status_code == 422
    actions.acknowledge(case, agent)
    actions.transition(case, "resolved", agent)
    late = client.post(url, data=json.dumps({"reason": "x"}), content_type="application/json")
    assert (late.status_code, late.json()["code"]) == (409, "cases.closed")


def test_the_page_tells_the_agent_when_no_supervisor_can_take_it(
    customer_a: Any, agent: Any
) -> None:
    case = _assigned_case(customer_a, agent)
    client = _client(agent)
    response = client.post(
        f"/service/cases/{case.pk}/escalate/",
        {"reason": "x"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "No supervisor of this team can take this case." in response.content.decode()
    case.refresh_from_db()
    assert case.escalated_at is None


def test_an_agent_of_another_region_cannot_escalate(
    customer_a: Any, agent: Any, region_b: Any
) -> None:
    case = _assigned_case(customer_a, agent)
    outsider = _client(make_user(Role.AGENT, region_b, username="agent-b"))
    page = outsider.post(f"/service/cases/{case.pk}/escalate/", {"reason": "x"})
    api = outsider.post(
        f"/api/v1/cases/{case.pk}/escalate",
        data=json.dumps({"reason": "x"}),
        content_type="application/json",
    )
    assert (page.status_code, api.status_code) == (404, 404)
    case.refresh_from_db()
    assert case.escalated_at is None
