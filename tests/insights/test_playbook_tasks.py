"""Follow-up tasks from a playbook list: created for the selected customers (or the whole
list), assigned to each customer's owner, audited, listed in "My tasks", completed."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from hudong.core.models import AuditEntry, Role
from hudong.insights.models import FollowUpTask, TaskStatus
from hudong.insights.playbook import actions
from tests.factories import CustomerFactory, make_user
from tests.insights.factories_playbook import complaints, value

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    return client


@pytest.fixture
def complainers(region_a: Any, region_b: Any) -> list[Any]:
    """Three big complainers: one owned by a sales user, one unowned, one in region B."""
    owner = make_user(Role.SALES, region_a, username="owner-a")
    found = [
        CustomerFactory(region=region_a, owner=owner),
        CustomerFactory(region=region_a),
        CustomerFactory(region=region_b),
    ]
    for customer in found:
        value(customer, "A")
        complaints(customer, 2)
    return found


def test_tasks_for_the_selected_rows_go_to_each_owner(agent_a: Any, complainers: list[Any]) -> None:
    owned, unowned, elsewhere = complainers
    # When the agent ticks all three ids (one forged: outside their region) and creates tasks
    resp = login(agent_a).post(
        "/insights/playbook/complained/act/",
        {
            "action": "task",
            "scope": "selected",
            "ids": [owned.pk, unowned.pk, elsewhere.pk],
            "title": "致电了解投诉",
            "due_date": "2026-12-01",
            "assignee": "owner",
            "min_complaints": "2",
        },
    )
    assert resp.status_code == 302 and "min_complaints=2" in resp["Location"]
    # Then the two visible customers have one open task each, with the owner as assignee
    tasks = {t.customer_id: t for t in FollowUpTask.objects.all()}
    assert set(tasks) == {owned.pk, unowned.pk}
    assert tasks[owned.pk].assignee_id == owned.owner_id
    assert tasks[unowned.pk].assignee_id == agent_a.pk  # no owner: the creator
    assert all(
        t.source == "complained" and t.status == TaskStatus.OPEN and t.created_by == agent_a
        for t in tasks.values()
    )
    assert str(tasks[owned.pk].due_date) == "2026-12-01"
    # and each creation is audited against its customer
    audited = AuditEntry.objects.filter(model="insights.FollowUpTask", action="create")
    assert set(audited.values_list("customer_id", flat=True)) == {owned.pk, unowned.pk}


def test_whole_list_and_assign_to_me(agent_a: Any, complainers: list[Any]) -> None:
    resp = login(agent_a).post(
        "/insights/playbook/complained/act/",
        {"action": "task", "scope": "all", "title": "回访", "assignee": "me"},
    )
    assert resp.status_code == 302
    assert FollowUpTask.objects.count() == 2
    assert set(FollowUpTask.objects.values_list("assignee_id", flat=True)) == {agent_a.pk}


def test_nothing_visible_is_not_found(agent_a: Any, complainers: list[Any]) -> None:
    resp = login(agent_a).post(
        "/insights/playbook/complained/act/",
        {"action": "task", "scope": "selected", "ids": [complainers[2].pk], "title": "x"},
    )
    assert resp.status_code == 404 and FollowUpTask.objects.count() == 0
    # a missing title is a message on the list, not an error page
    resp = login(agent_a).post(
        "/insights/playbook/complained/act/",
        {"action": "task", "scope": "selected", "ids": [complainers[0].pk], "title": ""},
    )
    assert resp.status_code == 302 and FollowUpTask.objects.count() == 0


def test_my_tasks_lists_open_tasks_and_completes_them(agent_a: Any, complainers: list[Any]) -> None:
    owned, unowned, _elsewhere = complainers
    (task,) = actions.create_tasks(agent_a, [unowned.pk], title="回访<b>")
    other = make_user(Role.AGENT, unowned.region, username="other-agent")
    actions.create_tasks(agent_a, [owned.pk], title="别人的", assignee_id=other.pk)
    client = login(agent_a)
    body = client.get("/insights/tasks/").content.decode()
    assert "回访&lt;b&gt;" in body and "别人的" not in body
    assert f'href="/customers/{unowned.pk}/"' in body
    # another agent cannot complete it; its assignee can
    assert login(other).post(f"/insights/tasks/{task.pk}/done/").status_code == 404
    assert client.post(f"/insights/tasks/{task.pk}/done/").status_code == 302
    task.refresh_from_db()
    assert task.status == TaskStatus.DONE and task.done_at is not None
    assert f'data-task="{task.pk}"' not in client.get("/insights/tasks/").content.decode()
    assert AuditEntry.objects.filter(
        model="insights.FollowUpTask", action="update", object_pk=str(task.pk)
    ).exists()


def test_tasks_api(agent_a: Any, complainers: list[Any]) -> None:
    owned, unowned, elsewhere = complainers
    client = login(agent_a)
    resp = client.post(
        "/api/v1/playbook/complained/tasks",
        data=json.dumps({"title": "拜访", "customer_ids": [owned.pk, elsewhere.pk]}),
        content_type="application/json",
    )
    assert resp.status_code == 201, resp.content
    assert resp.json()["created"] == 1 and resp.json()["tasks"][0]["customer_id"] == owned.pk
    resp = client.post(
        "/api/v1/playbook/complained/tasks",
        data=json.dumps({"title": "全部", "whole_list": True, "assignee_id": agent_a.pk}),
        content_type="application/json",
    )
    assert resp.json()["created"] == 2
    mine = client.get("/api/v1/tasks").json()
    assert {t["title"] for t in mine} == {"全部"}
    resp = client.post(
        f"/api/v1/customers/{unowned.pk}/tasks",
        data=json.dumps({"title": "单个"}),
        content_type="application/json",
    )
    assert resp.status_code == 201
    listed = client.get(f"/api/v1/customers/{unowned.pk}/tasks").json()
    assert {t["title"] for t in listed} == {"全部", "单个"}
    done = client.post(f"/api/v1/tasks/{listed[0]['id']}/done")
    assert done.status_code == 200 and done.json()["status"] == "done"
    bad = client.post(
        "/api/v1/playbook/complained/tasks",
        data=json.dumps({"title": "x", "customer_ids": [owned.pk], "assignee_id": 999999}),
        content_type="application/json",
    )
    assert bad.status_code == 400 and bad.json()["code"] == "playbook.assignee_invalid"
    assert client.get(f"/api/v1/customers/{elsewhere.pk}/tasks").status_code == 404


def test_add_the_selected_rows_to_a_static_segment(agent_a: Any, complainers: list[Any]) -> None:
    from hudong.insights.segments import actions as segment_actions
    from hudong.insights.segments import queries as segment_queries

    owned, unowned, elsewhere = complainers
    segment = segment_actions.create(agent_a, name="投诉大客户", kind="static")
    client = login(agent_a)
    assert "投诉大客户" in client.get("/insights/playbook/complained/").content.decode()
    resp = client.post(
        "/insights/playbook/complained/act/",
        {
            "action": "segment",
            "scope": "selected",
            "ids": [owned.pk, elsewhere.pk],
            "segment": segment.pk,
        },
    )
    assert resp.status_code == 302
    assert set(segment_queries.members(agent_a, segment).values_list("pk", flat=True)) == {owned.pk}
    # the whole list through the API adds the rest
    resp = client.post(
        "/api/v1/playbook/complained/segment",
        data=json.dumps({"segment_id": segment.pk, "whole_list": True}),
        content_type="application/json",
    )
    assert resp.status_code == 200 and resp.json() == {"added": 1}
    assert set(segment_queries.members(agent_a, segment).values_list("pk", flat=True)) == {
        owned.pk,
        unowned.pk,
    }
    # a segment of another user is not found
    other = make_user(Role.AGENT, owned.region, username="seg-other")
    theirs = segment_actions.create(other, name="别人的", kind="static")
    resp = client.post(
        "/api/v1/playbook/complained/segment",
        data=json.dumps({"segment_id": theirs.pk, "customer_ids": [owned.pk]}),
        content_type="application/json",
    )
    assert resp.status_code in {403, 404}
