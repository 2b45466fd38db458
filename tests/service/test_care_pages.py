"""Care tasks as agents meet them: the work list, done and skipped calls, the customer panel,
the API, and tasks outside their scope that do not exist for them."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from hudong.core.models import Role
from hudong.interactions.models import Interaction
from hudong.service import care
from hudong.service.models import CareRule, CareTask
from tests.factories import CustomerFactory, OrderFactory, ShipmentFactory, TeamFactory, make_user

pytestmark = pytest.mark.django_db


def care_task(customer: Any, assignee: Any = None) -> CareTask:
    """A follow-up call after a delivery three days ago, as the default rule creates it."""
    ShipmentFactory(
        order=OrderFactory(customer=customer, number=f"SO-CARE-{customer.pk}"),
        status="delivered",
        delivered_at=timezone.now() - dt.timedelta(days=3),
        tracking_number=f"SF{customer.pk:08d}",
    )
    care.run_rules()
    task = CareTask.objects.get(customer=customer)
    if assignee is not None:
        CareTask.objects.filter(pk=task.pk).update(assignee=assignee)
        task.refresh_from_db()
    return task


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_json(client: Client, url: str, body: dict[str, Any]) -> Any:
    return client.post(url, data=json.dumps(body), content_type="application/json")


def test_the_work_list_shows_my_calls_with_what_they_are_about(
    customer_a: Any, agent_a: Any
) -> None:
    # Given a care task of mine and one nobody has taken yet
    mine = care_task(customer_a, agent_a)
    other = care_task(CustomerFactory(region=customer_a.region, name="王<b>芳</b>"))
    # When I open my care tasks
    page = client_for(agent_a).get("/service/care/").content.decode()
    # Then I see mine with the customer, the rule and its instructions, and the shipment
    mine_part, unassigned_part = page.split('data-testid="care-unassigned"')
    assert f'data-care-task="{mine.pk}"' in mine_part
    assert customer_a.name in mine_part and mine.rule.name in mine_part
    assert "收货三天后致电客户" in mine_part
    assert "SO-CARE-" in mine_part and "SF" in mine_part
    # And the unassigned one below, its customer's name escaped
    assert f'data-care-task="{other.pk}"' in unassigned_part
    assert "王&lt;b&gt;芳&lt;/b&gt;" in unassigned_part


def test_a_done_call_is_closed_with_its_outcome_and_logged_on_the_timeline(
    customer_a: Any, agent_a: Any
) -> None:
    # Given my care task
    task = care_task(customer_a, agent_a)
    # When I mark it done with what the customer said, logging the call
    resp = client_for(agent_a).post(
        f"/service/care/{task.pk}/done/",
        {"outcome": "客户满意，已教会使用", "log_call": "on", "duration_minutes": "4"},
    )
    # Then it is done, with the outcome, and the call is on the customer's timeline
    assert resp.status_code == 302
    task.refresh_from_db()
    assert (task.status, task.outcome, task.done_by) == ("done", "客户满意，已教会使用", agent_a)
    call = Interaction.objects.get(customer=customer_a)
    assert (call.channel, call.direction, call.duration_seconds) == ("phone", "out", 240)
    # And it left my list
    assert (
        f'data-care-task="{task.pk}"'
        not in client_for(agent_a).get("/service/care/").content.decode()
    )


def test_done_needs_an_outcome_and_a_closed_task_cannot_be_closed_again(
    customer_a: Any, agent_a: Any
) -> None:
    task = care_task(customer_a, agent_a)
    client = client_for(agent_a)
    # When I say done without an outcome, it stays open
    assert (
        post_json(client, f"/api/v1/care/tasks/{task.pk}/done", {"outcome": " "}).json()["code"]
        == "care.outcome_required"
    )
    task.refresh_from_db()
    assert task.status == "open"
    # When I skip it, and then try to mark it done
    skipped = post_json(client, f"/api/v1/care/tasks/{task.pk}/skip", {"reason": "客户已退货"})
    again = post_json(client, f"/api/v1/care/tasks/{task.pk}/done", {"outcome": "ok"})
    # Then it is skipped with the reason, and the second close is refused
    assert skipped.status_code == 200
    assert (skipped.json()["status"], skipped.json()["outcome"]) == ("skipped", "客户已退货")
    assert (again.status_code, again.json()["code"]) == (409, "care.not_open")
    assert not Interaction.objects.filter(customer=customer_a).exists()


def test_someone_elses_task_is_theirs_but_an_unassigned_one_can_be_taken(
    customer_a: Any, agent_a: Any, region_a: Any
) -> None:
    # Given a colleague's task and an unassigned one
    colleague = make_user(Role.AGENT, region_a, username="colleague")
    theirs = care_task(customer_a, colleague)
    free = care_task(CustomerFactory(region=region_a))
    client = client_for(agent_a)
    # Then I may not close theirs
    refused = post_json(client, f"/api/v1/care/tasks/{theirs.pk}/done", {"outcome": "ok"})
    assert (refused.status_code, refused.json()["code"]) == (403, "care.not_yours")
    # But I may take the free one, and it shows in my list
    assert post_json(client, f"/api/v1/care/tasks/{free.pk}/take", {}).json()["assignee_id"] == (
        agent_a.pk
    )
    listed = client.get("/api/v1/care/tasks?mine=1&status=open").json()
    assert [t["id"] for t in listed] == [free.pk]
    # And a supervisor may close anyone's
    boss = make_user(Role.SUPERVISOR, region_a, username="boss")
    done = post_json(client_for(boss), f"/api/v1/care/tasks/{theirs.pk}/done", {"outcome": "ok"})
    assert done.json()["status"] == "done"


def test_the_unassigned_list_holds_my_teams_tasks_not_other_teams(region_a: Any) -> None:
    # Given two teams and a rule for each
    mine, other = TeamFactory(region=region_a), TeamFactory(region=region_a)
    agent = make_user(Role.AGENT, region_a, team=mine, username="team-agent")
    t_mine = care_task(CustomerFactory(region=region_a))
    t_other = care_task(CustomerFactory(region=region_a))
    CareTask.objects.filter(pk=t_mine.pk).update(team=mine)
    CareTask.objects.filter(pk=t_other.pk).update(team=other)
    # When I ask for what nobody has taken yet
    got = client_for(agent).get("/api/v1/care/tasks?unassigned=1").json()
    # Then I see my team's only
    assert [t["id"] for t in got] == [t_mine.pk]


def test_the_customer_page_lists_the_customers_open_care_tasks(
    customer_a: Any, agent_a: Any
) -> None:
    # Given an open care task of the customer
    task = care_task(customer_a, agent_a)
    client = client_for(agent_a)
    # When I open the customer page and the customer's care tasks
    page = client.get(f"/customers/{customer_a.pk}/").content.decode()
    listed = client.get(f"/service/care/customers/{customer_a.pk}/").content.decode()
    api = client.get(f"/api/v1/customers/{customer_a.pk}/care-tasks").json()
    # Then the panel shows it, and so do the customer's care list and API
    assert 'data-testid="care-panel"' in page and f'data-care-task="{task.pk}"' in page
    assert f'data-care-task="{task.pk}"' in listed
    assert [t["id"] for t in api] == [task.pk]
    # And the 360 payload carries it for the screen pop
    view = client.get(f"/api/v1/customers/{customer_a.pk}/360").json()
    assert [t["id"] for t in view["panels"]["care_tasks"]["open"]] == [task.pk]


def test_my_tasks_and_the_case_queue_link_to_my_care_tasks(customer_a: Any, agent_a: Any) -> None:
    care_task(customer_a, agent_a)
    client = client_for(agent_a)
    tasks_page = client.get("/insights/tasks/").content.decode()
    queue_page = client.get("/service/cases/").content.decode()
    assert 'data-testid="care-link" data-count="1"' in tasks_page and "/service/care/" in tasks_page
    assert "/service/care/" in queue_page


ROUTES = [
    ("get", "/api/v1/care/tasks/{id}", None),
    ("json", "/api/v1/care/tasks/{id}/done", {"outcome": "ok", "log_call": True}),
    ("json", "/api/v1/care/tasks/{id}/skip", {"reason": "x"}),
    ("json", "/api/v1/care/tasks/{id}/take", {}),
    ("form", "/service/care/{id}/done/", {"outcome": "ok", "log_call": "on"}),
    ("form", "/service/care/{id}/skip/", {"reason": "x"}),
    ("form", "/service/care/{id}/take/", {}),
]


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r[1])
def test_a_task_outside_my_scope_does_not_exist_for_me(route: Any, region_b: Any) -> None:
    # Given an agent of region B and an unassigned care task of a region A customer
    task = care_task(CustomerFactory())
    agent = make_user(Role.AGENT, region_b, username="b-agent")
    client = client_for(agent)
    method, url, body = route
    url = url.format(id=task.pk)
    # When they reach it through this door
    if method == "get":
        status = client.get(url).status_code
    elif method == "form":
        status = client.post(url, data=body).status_code
    else:
        status = post_json(client, url, body).status_code
    # Then it does not exist for them, and nothing changed
    assert status == 404
    task.refresh_from_db()
    assert (task.status, task.assignee_id) == ("open", None)
    assert task.pk not in [t["id"] for t in client.get("/api/v1/care/tasks?status=all").json()]


def test_an_admin_runs_a_rule_now_and_sees_what_it_did(customer_a: Any, admin_user: Any) -> None:
    # Given a delivery three days ago and the default follow-up rule
    ShipmentFactory(
        order=OrderFactory(customer=customer_a),
        status="delivered",
        delivered_at=timezone.now() - dt.timedelta(days=3),
    )
    rule = CareRule.objects.get(trigger="after_delivery")
    # When the admin runs it now from the rules list
    resp = client_for(admin_user).post(
        "/admin/service/carerule/",
        {"action": "run_now", "_selected_action": [rule.pk]},
        follow=True,
    )
    # Then the task exists and the page says how many were created
    assert CareTask.objects.filter(customer=customer_a, rule=rule).count() == 1
    assert resp.status_code == 200
    said = [str(m) for m in resp.context["messages"]]
    assert len(said) == 1 and "1" in said[0]
    # And the tasks list shows it
    listed = client_for(admin_user).get("/admin/service/caretask/").content.decode()
    assert customer_a.name in listed


def test_a_supervisor_sees_the_calls_their_team_has_open(region_a: Any) -> None:
    # Given a team with a supervisor and an agent, and an agent of another team
    team = TeamFactory(region=region_a)
    boss = make_user(Role.SUPERVISOR, region_a, team=team, username="care-boss")
    member = make_user(Role.AGENT, region_a, team=team, username="care-member")
    outsider = make_user(Role.AGENT, region_a, team=TeamFactory(region=region_a), username="out")
    ours = care_task(CustomerFactory(region=region_a), member)
    theirs = care_task(CustomerFactory(region=region_a), outsider)
    # When the supervisor opens the care work list
    page = client_for(boss).get("/service/care/").content.decode()
    team_part = page.split('data-testid="care-team"')[1]
    # Then the team's section holds the member's call and not the other team's
    assert f'data-care-task="{ours.pk}"' in team_part
    assert f'data-care-task="{theirs.pk}"' not in team_part
    # And the API says the same; an agent's page has no team section
    got = client_for(boss).get("/api/v1/care/tasks?team=1").json()
    assert [t["id"] for t in got] == [ours.pk]
    assert (
        'data-testid="care-team"' not in client_for(member).get("/service/care/").content.decode()
    )
