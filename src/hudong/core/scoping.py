"""Row-level access, decided here and nowhere else.

Each resource (``customers``, ``orders``...) is registered once with the lookup path from its
model to the customer and the customer's region and owner. Which role sees how much is data
(:class:`~hudong.core.models.AccessRule`), so a company sets its own policy. No rule means
nothing: deny by default. Superusers and the ``all`` scope see everything.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, Q, QuerySet

from hudong.core.models.access import AccessRule, Profile, Role, Scope


@dataclass(frozen=True)
class Resource:
    name: str
    model: type[Model]
    region_path: str  # e.g. "region" on customers, "customer__region" on orders
    owner_path: str  # e.g. "owner"
    policy: dict[str, str] | None = None  # default rules when not DEFAULT_POLICY


_RESOURCES: dict[str, Resource] = {}

# The policy a fresh installation starts with (see ``seed_default_rules``).
DEFAULT_POLICY: dict[str, str] = {
    Role.AGENT: Scope.REGION,
    Role.SUPERVISOR: Scope.REGION,
    Role.SALES: Scope.OWN,
    Role.MARKETER: Scope.ALL,
    Role.ANALYST: Scope.ALL,
    Role.ADMIN: Scope.ALL,
}


def register(
    name: str,
    model: type[Model],
    *,
    region_path: str,
    owner_path: str,
    policy: dict[str, str] | None = None,
) -> None:
    """Declare a resource; ``policy`` is the default rule per role a fresh installation gets
    (for a privilege such as merging customers, narrower than reading them)."""
    _RESOURCES[name] = Resource(name, model, region_path, owner_path, policy)


def resources() -> dict[str, Resource]:
    return dict(_RESOURCES)


def resource(name: str) -> Resource:
    return _RESOURCES[name]


def profile_of(user: Any) -> Profile | None:
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.profile
    except Profile.DoesNotExist:
        return None


def scope_for(user: Any, resource: str) -> str:
    """The scope ``user`` has on ``resource``; ``none`` unless a rule grants more."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Scope.NONE
    if user.is_superuser:
        return Scope.ALL
    profile = profile_of(user)
    if profile is None:
        return Scope.NONE
    return rules_of(profile.role).get(resource, Scope.NONE)


_RULES: dict[str, tuple[float, dict[str, str]]] = {}
RULES_TTL = 10.0  # seconds: an admin's change of policy reaches every worker within this


def rules_of(role: str) -> dict[str, str]:
    """resource → scope for ``role``. Asked on every request, so kept in memory briefly;
    a change saved in this process clears it at once (see ``forget_rules``)."""
    now = time.monotonic()
    cached = _RULES.get(role)
    if cached is None or cached[0] < now:
        rules = dict(AccessRule.objects.filter(role=role).values_list("resource", "scope"))
        cached = _RULES[role] = (now + RULES_TTL, rules)
    return cached[1]


def forget_rules(**kwargs: Any) -> None:
    _RULES.clear()


def _filter(user: Any, res: Resource, scope: str) -> Q | None:
    """The row filter for a scope, or None for "nothing"."""
    profile = profile_of(user)
    if scope == Scope.ALL:
        return Q()
    if profile is None:
        return None
    if scope == Scope.REGION and profile.region_id:
        return Q(**{f"{res.region_path}_id": profile.region_id})
    if scope == Scope.OWN:
        return Q(**{f"{res.owner_path}_id": user.pk})
    if scope == Scope.TEAM and profile.team_id:
        return Q(**{f"{res.owner_path}__profile__team_id": profile.team_id})
    return None


def visible(user: Any, resource: str, queryset: QuerySet | None = None) -> QuerySet:
    """Every read a user triggers starts here: the rows of ``resource`` they may see."""
    res = _RESOURCES[resource]
    qs = queryset if queryset is not None else res.model._default_manager.all()
    condition = _filter(user, res, scope_for(user, resource))
    if condition is None:
        return qs.none()
    return qs.filter(condition)


def admits(user: Any, resource: str, *, region_id: int | None, owner_id: int | None) -> bool | None:
    """Whether a row of ``resource`` with this region and owner is visible to ``user``, decided
    in memory with the same rule as :func:`visible` (for a read that already has the row, such
    as the screen pop's). ``None`` when memory cannot tell (a team scope needs the owner's
    team): the caller then asks the database through :func:`visible`."""
    scope = scope_for(user, resource)
    if scope == Scope.ALL:
        return True
    profile = profile_of(user)
    if profile is None:
        return False
    if scope == Scope.REGION and profile.region_id:
        return region_id is not None and region_id == profile.region_id
    if scope == Scope.OWN:
        return owner_id is not None and owner_id == user.pk
    if scope == Scope.TEAM and profile.team_id:
        return None
    return False


def can_see(user: Any, resource: str, obj: Model) -> bool:
    return visible(user, resource).filter(pk=obj.pk).exists()


def seed_default_rules() -> int:
    """Create the default rule for every role and registered resource that has none."""
    created = 0
    for name, res in _RESOURCES.items():
        for role, scope in (res.policy or DEFAULT_POLICY).items():
            _, was_created = AccessRule.objects.get_or_create(
                role=role, resource=name, defaults={"scope": scope}
            )
            created += was_created
    return created


def may_place(user: Any, resource: str, *, region_id: int | None, owner_id: int | None) -> bool:
    """Whether ``user`` may create or move a record of ``resource`` to this region/owner:
    the same rule as reading, applied to where the record would land (a team scope, which
    :func:`admits` cannot decide from these two, places nothing)."""
    return admits(user, resource, region_id=region_id, owner_id=owner_id) is True
