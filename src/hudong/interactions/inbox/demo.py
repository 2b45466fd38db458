"""Demo data of the inbox: presence, skills and a working-day presence log for every agent.

The demo generator creates the agents and their contacts; this gives each of them what routing
and the measures need (skills, languages, capacity, and shifts in the presence log for the
two weeks before ``as_of``), so the inbox routes and the agent metrics page shows time on duty
and non-contact time. Deterministic for a seed; running it again adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from zoneinfo import ZoneInfo

from django.db import transaction

from hudong.core.models import Profile, Role
from hudong.interactions.inbox.models import AgentPresence, PresenceChange, PresenceStatus

SKILLS = ("returns", "billing", "delivery", "warranty", "b2b")
LOCAL = ZoneInfo("Asia/Shanghai")
DAYS = 14
# One shift: (local time, status). Lunch away; some agents take a mid-afternoon break busy.
SHIFT = (
    (dt.time(9, 0), PresenceStatus.AVAILABLE),
    (dt.time(12, 0), PresenceStatus.AWAY),
    (dt.time(13, 0), PresenceStatus.AVAILABLE),
    (dt.time(18, 0), PresenceStatus.OFFLINE),
)


@transaction.atomic
def seed_presence(as_of: dt.datetime, seed: int = 42) -> int:
    """Give every agent and supervisor without a presence row one, with two weeks of shifts
    (weekdays) before ``as_of``. Returns how many agents it set up."""
    rng = random.Random(seed)
    profiles = list(
        Profile.objects.filter(role__in=[Role.AGENT, Role.SUPERVISOR], user__presence__isnull=True)
        .select_related("user")
        .order_by("user_id")
    )
    changes: list[PresenceChange] = []
    for profile in profiles:
        senior = profile.role == Role.SUPERVISOR
        skills = sorted(rng.sample(SKILLS, 2)) + (["senior"] if senior else [])
        languages = ["zh-hans", "en"] if rng.random() < 0.3 else ["zh-hans"]
        AgentPresence.objects.create(
            user=profile.user,
            status=PresenceStatus.OFFLINE,
            skills=skills,
            languages=languages,
            capacity=rng.randint(4, 8),
            since=as_of,
        )
        changes += _shifts(profile.user_id, as_of, rng)
    PresenceChange.objects.bulk_create(changes, batch_size=5000)
    return len(profiles)


def _shifts(user_id: int, as_of: dt.datetime, rng: random.Random) -> list[PresenceChange]:
    today = as_of.astimezone(LOCAL).date()
    rows = []
    for back in range(DAYS, 0, -1):
        day = today - dt.timedelta(days=back)
        if day.weekday() >= 5:
            continue
        for at, status in SHIFT:
            jitter = dt.timedelta(minutes=rng.randint(-10, 10))
            when = dt.datetime.combine(day, at, tzinfo=LOCAL) + jitter
            rows.append(PresenceChange(user_id=user_id, status=status, at=when))
    return rows
