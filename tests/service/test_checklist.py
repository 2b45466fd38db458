"""The complaint checklist (D3): each case gets its category's steps (else the default six),
the workflow ticks acknowledge and resolve, an agent ticks and unticks the others on the case
page or through the API, and a case outside the agent's scope does not exist for them."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from hudong.service import actions, checklist
from hudong.service.models import CaseChecklistItem, ChecklistStep
from tests.service.conftest import category, open_case

pytestmark = pytest.mark.django_db

SIX = ["acknowledge", "analyse", "resolve", "record", "follow-up", "improve"]


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _codes(case: Any) -> list[str]:
    return [s.code for s in checklist.progress(case).steps]


def test_a_case_gets_the_default_six_steps(customer_a: Any, agent_a: Any) -> None:
    # Given a category without its own checklist; When a case opens in it
    case = open_case(customer_a, agent_a)
    # Then the case carries the six standard steps, in order, none done
    progress = checklist.progress(case)
    assert [s.code for s in progress.steps] == SIX
    assert (progress.done, progress.total) == (0, 6)


def test_a_category_checklist_applies_to_it_and_its_children(customer_a: Any, agent_a: Any) -> None:
    # Given product quality with a checklist of its own (defect is its child, with none)
    parent = category("product-quality")
    ChecklistStep.objects.create(category=parent, code="photo", label="请客户拍照", position=0)
    ChecklistStep.objects.create(category=parent, code="resolve", label="换货", position=1)
    # When cases open in it, in its child and elsewhere
    own = open_case(customer_a, agent_a, code="product-quality")
    child = open_case(customer_a, agent_a, code="defect")
    other = open_case(customer_a, agent_a, code="delivery")
    # Then each gets the nearest checklist up the tree, else the default
    assert _codes(own) == ["photo", "resolve"]
    assert _codes(child) == ["photo", "resolve"]
    assert _codes(other) == SIX
    # And a later edit of the template does not rewrite an open case's list
    ChecklistStep.objects.filter(category=parent, code="photo").delete()
    assert _codes(own) == ["photo", "resolve"]


def test_the_workflow_ticks_acknowledge_and_resolve(customer_a: Any, agent_a: Any) -> None:
    case = open_case(customer_a, agent_a)
    # When the agent acknowledges, works and resolves the case
    for status in ("acknowledged", "in_progress", "resolved"):
        actions.transition(case, status, agent_a)
    # Then those two steps are done, by that agent, and the progress shows it
    steps = {s.code: s for s in checklist.progress(case).steps}
    assert steps["acknowledge"].done and steps["acknowledge"].done_by == "agent-a"
    assert steps["resolve"].done and steps["resolve"].done_at is not None
    assert not steps["analyse"].done
    assert checklist.progress(case).done == 2


def test_another_engineer_ticks_a_step_once(customer_a: Any, agent_a: Any) -> None:
    case = open_case(customer_a, agent_a)
    # When the root-cause recording ticks "record" twice
    assert checklist.tick(case, "record", agent_a) is True
    first = CaseChecklistItem.objects.get(case=case, code="record").done_at
    assert checklist.tick(case, "record") is False
    # Then the first time stays; and an unknown step is no error
    assert CaseChecklistItem.objects.get(case=case, code="record").done_at == first
    assert checklist.tick(case, "no-such-step") is False


def test_the_case_page_shows_progress_and_english_labels(customer_a: Any, agent_a: Any) -> None:
    case = open_case(customer_a, agent_a)
    CaseChecklistItem.objects.create(
        case=case, code="call-back", label="致电 <b>仓库</b>", position=9
    )
    actions.acknowledge(case, agent_a)
    # When an agent reads the case page in English
    body = (
        _client(agent_a)
        .get(f"/service/cases/{case.pk}/", HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    # Then the standard steps are in English, the custom one as typed (escaped), with progress
    assert 'data-testid="checklist-progress">1/7<' in body
    assert "Acknowledge and accept the complaint" in body
    assert "确认并受理投诉" not in body
    assert "致电 &lt;b&gt;仓库&lt;/b&gt;" in body


def test_an_edited_standard_label_shows_as_typed(customer_a: Any, agent_a: Any) -> None:
    ChecklistStep.objects.filter(category__isnull=True, code="improve").update(label="通知产品部")
    case = open_case(customer_a, agent_a)
    labels = {s.code: s.label for s in checklist.progress(case).steps}
    assert labels["improve"] == "通知产品部"


def test_an_agent_ticks_and_unticks_a_step_on_the_page(customer_a: Any, agent_a: Any) -> None:
    case = open_case(customer_a, agent_a)
    client = _client(agent_a)
    url = f"/service/cases/{case.pk}/checklist/analyse/"
    # When the agent ticks "analyse"
    assert client.post(url, {"done": "1"}).status_code == 302
    item = CaseChecklistItem.objects.get(case=case, code="analyse")
    assert item.done_at is not None and item.done_by == agent_a
    # And unticks it
    assert client.post(url, {"done": "0"}).status_code == 302
    item.refresh_from_db()
    assert item.done_at is None and item.done_by is None


def test_the_checklist_api(customer_a: Any, agent_a: Any) -> None:
    case = open_case(customer_a, agent_a)
    client = _client(agent_a)
    base = f"/api/v1/cases/{case.pk}/checklist"
    # When the agent ticks "record" through the API
    response = client.post(
        f"{base}/record", data=json.dumps({"done": True}), content_type="application/json"
    )
    assert response.status_code == 200
    data = client.get(base).json()
    # Then the checklist answers it done, with who did it
    assert (data["done"], data["total"]) == (1, 6)
    record = next(s for s in data["steps"] if s["code"] == "record")
    assert record["done"] and record["done_by"] == "agent-a" and record["done_at"]
    # And unticking works; an unknown step is 404 with its code
    client.post(f"{base}/record", data=json.dumps({"done": False}), content_type="application/json")
    assert client.get(base).json()["done"] == 0
    missing = client.post(f"{base}/nope", data="{}", content_type="application/json")
    assert (missing.status_code, missing.json()["code"]) == (404, "checklist.step_not_found")


def test_an_agent_of_another_region_cannot_see_or_tick(
    customer_a: Any, agent_a: Any, region_b: Any
) -> None:
    from hudong.core.models import Role
    from tests.factories import make_user

    case = open_case(customer_a, agent_a)
    outsider = _client(make_user(Role.AGENT, region_b, username="agent-b"))
    # When an agent of region B tries the page form and the API
    page = outsider.post(f"/service/cases/{case.pk}/checklist/analyse/", {"done": "1"})
    api = outsider.post(
        f"/api/v1/cases/{case.pk}/checklist/analyse",
        data=json.dumps({"done": True}),
        content_type="application/json",
    )
    read = outsider.get(f"/api/v1/cases/{case.pk}/checklist")
    # Then the case does not exist for them, and nothing was ticked
    assert (page.status_code, api.status_code, read.status_code) == (404, 404, 404)
    assert checklist.progress(case).done == 0
