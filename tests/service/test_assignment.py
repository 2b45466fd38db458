"""Who gets a case: round robin within a team, by skill, top tier to seniors."""

from __future__ import annotations

from typing import Any

import pytest

from hudong.core.errors import DomainError
from hudong.core.models import Role
from hudong.interactions import tiers
from hudong.interactions.inbox.models import AgentPresence
from hudong.service import actions
from tests.factories import TeamFactory, make_user
from tests.service.conftest import open_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(region_a: Any) -> Any:
    return TeamFactory(name="售后一组", region=region_a)


def _agents(team: Any, region: Any, n: int, role: str = Role.AGENT) -> list[Any]:
    return [make_user(role, region, team=team, username=f"{role}-{i}") for i in range(n)]


def test_round_robin_takes_turns_within_the_team(
    team: Any, region_a: Any, customer_a: Any, agent_a: Any
) -> None:
    # Given three agents in a team (and one who left)
    a, b, c = _agents(team, region_a, 3)
    gone = make_user(Role.AGENT, region_a, team=team, username="gone")
    gone.is_active = False
    gone.save()
    # When six cases are assigned in turn
    got = [
        actions.assign(open_case(customer_a, agent_a), agent_a, team=team).assignee
        for _ in range(6)
    ]
    # Then each active agent gets every third one, in a fixed order
    assert got == [a, b, c, a, b, c]


def test_a_category_with_a_skill_goes_to_agents_who_have_it(
    team: Any, region_a: Any, customer_a: Any, agent_a: Any
) -> None:
    # Given a team where only one agent has the billing skill
    plain, biller = _agents(team, region_a, 2)
    AgentPresence.objects.create(user=biller, skills=["Billing"])
    # When billing cases are assigned
    cases = [open_case(customer_a, agent_a, code="billing") for _ in range(2)]
    # Then both go to the agent with the skill
    assert {actions.assign(c, agent_a, team=team).assignee for c in cases} == {biller}


def test_nobody_with_the_skill_is_a_clear_error(
    team: Any, region_a: Any, customer_a: Any, agent_a: Any
) -> None:
    _agents(team, region_a, 2)
    case = open_case(customer_a, agent_a, code="billing")
    with pytest.raises(DomainError) as refused:
        actions.assign(case, agent_a, team=team)
    assert refused.value.code == "cases.no_agent"


def test_a_top_tier_customer_goes_to_the_senior_agents(
    team: Any, region_a: Any, customer_a: Any, agent_a: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Given juniors, a supervisor and an agent marked senior in the same team
    _agents(team, region_a, 2)
    [lead] = _agents(team, region_a, 1, Role.SUPERVISOR)
    senior = make_user(Role.AGENT, region_a, team=team, username="senior")
    AgentPresence.objects.create(user=senior, skills=["senior"])
    # And a tier A customer
    monkeypatch.setattr(tiers, "_source", lambda ids: dict.fromkeys(ids, "A"))
    # When their cases are assigned, only seniors take them, in turn
    got = [
        actions.assign(open_case(customer_a, agent_a), agent_a, team=team).assignee
        for _ in range(4)
    ]
    assert set(got) == {lead, senior}
    assert got[0] != got[1]


def test_agents_of_another_region_never_get_the_case(
    team: Any, region_a: Any, region_b: Any, customer_a: Any, agent_a: Any
) -> None:
    # Given a team whose only member works in another region
    make_user(Role.AGENT, region_b, team=team, username="north")
    case = open_case(customer_a, agent_a)
    with pytest.raises(DomainError) as refused:
        actions.assign(case, agent_a, team=team)
    assert refused.value.code == "cases.no_agent"


def test_assigning_to_someone_who_cannot_see_the_case_is_refused(
    region_b: Any, case_a: Any, agent_a: Any
) -> None:
    north = make_user(Role.AGENT, region_b, username="north")
    with pytest.raises(DomainError) as refused:
        actions.assign(case_a, agent_a, to=north)
    assert refused.value.code == "cases.assignee_out_of_scope"
    assert actions.assign(case_a, agent_a, to=agent_a).assignee == agent_a
