"""Demo regions, teams and users (the logins the README lists)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from hudong.core.models import Profile, Region, Role, Team

REGIONS = [
    ("east", "华东 East China"),
    ("north", "华北 North China"),
    ("south", "华南 South China"),
    ("west", "西部 West China"),
]
DEMO_PASSWORD = "hudong-demo"

# username, role, region code (None: all), superuser
USERS = [
    ("admin", Role.ADMIN, None, True),
    ("agent.east", Role.AGENT, "east", False),
    ("agent.north", Role.AGENT, "north", False),
    ("supervisor.east", Role.SUPERVISOR, "east", False),
    ("marketer", Role.MARKETER, None, False),
    ("sales.east", Role.SALES, "east", False),
    ("analyst", Role.ANALYST, None, False),
]


@transaction.atomic
def seed_people() -> dict[str, Region]:
    """Create (or keep) the demo regions, one service team per region, and the demo users."""
    regions = {}
    for code, name in REGIONS:
        regions[code], _ = Region.objects.get_or_create(code=code, defaults={"name": name})
        Team.objects.get_or_create(
            name=f"service-{code}", defaults={"region": regions[code], "skills": ["service"]}
        )
    User = get_user_model()
    for username, role, region_code, is_super in USERS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(username=username, is_staff=is_super, is_superuser=is_super)
            user.set_password(DEMO_PASSWORD)
            user.save()
        region = regions.get(region_code) if region_code else None
        team = Team.objects.filter(region=region).first() if region else None
        Profile.objects.update_or_create(
            user=user, defaults={"role": role, "region": region, "team": team}
        )
    _extensions()
    return regions


def _extensions() -> None:
    """Agents and supervisors get desk phones 8101, 8102... so a test call can pop on screen."""
    from hudong.interactions.channels.telephony.models import Extension

    desks = Profile.objects.filter(role__in=[Role.AGENT, Role.SUPERVISOR]).order_by("user_id")
    for number, profile in enumerate(desks, start=8101):
        if not Extension.objects.filter(user_id=profile.user_id).exists():
            Extension.objects.get_or_create(
                number=str(number), defaults={"user_id": profile.user_id}
            )
