"""Who gets a case: round robin within a team, by skill, and by value.

1. the team's active members whose role is agent or supervisor and who may see the case
   (``core.scoping`` on "cases");
2. if the case's category names a skill, only those whose inbox skills
   (:class:`~hudong.interactions.inbox.models.AgentPresence`) include it;
3. for a top-tier (A) customer, the senior ones if there are any: the inbox's notion of
   seniority (role supervisor, or the skill "senior"), so the same people take the top tier on
   every channel;
4. round robin among what is left: the member whose last case of this team was assigned
   longest ago (never: first), ties by user id. It needs no counter: the cases themselves
   remember the turn.

Presence is not asked: a case is asynchronous work that waits in the assignee's queue, unlike a
live chat. Nobody left: ``cases.no_agent``.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from hudong.core import scoping
from hudong.core.errors import DomainError
from hudong.core.models import Role, Team
from hudong.interactions.inbox.models import AgentPresence
from hudong.interactions.inbox.routing import SENIOR_SKILL
from hudong.interactions.tiers import value_tier
from hudong.service.models import Case

WORKERS = (Role.AGENT, Role.SUPERVISOR)


def _skills(presence: AgentPresence | None) -> set[str]:
    return {str(s).strip().lower() for s in (presence.skills if presence else []) or []}


def candidates(case: Case, team: Team) -> list[Any]:
    """The members of ``team`` who could take ``case`` (steps 1–3)."""
    members = list(
        get_user_model()
        .objects.filter(is_active=True, profile__team=team, profile__role__in=WORKERS)
        .select_related("profile")
        .order_by("pk")
    )
    presences = {p.user_id: p for p in AgentPresence.objects.filter(user__in=members)}
    pool = [m for m in members if scoping.can_see(m, "cases", case)]
    skill = case.category.skill.strip().lower()
    if skill:
        pool = [m for m in pool if skill in _skills(presences.get(m.pk))]
    if pool and value_tier(case.customer) == "A":
        seniors = [
            m
            for m in pool
            if m.profile.role == Role.SUPERVISOR or SENIOR_SKILL in _skills(presences.get(m.pk))
        ]
        pool = seniors or pool
    return pool


def pick(case: Case, team: Team) -> Any:
    pool = candidates(case, team)
    if not pool:
        raise DomainError("cases.no_agent", _("Nobody in the team can take this case."), status=409)
    last = dict(
        Case.objects.filter(team=team, assignee__in=pool)
        .order_by()
        .values("assignee_id")
        .annotate(at=Max("assigned_at"))
        .values_list("assignee_id", "at")
    )
    never = [m for m in pool if last.get(m.pk) is None]
    if never:
        return never[0]
    return min(pool, key=lambda m: (last[m.pk], m.pk))
