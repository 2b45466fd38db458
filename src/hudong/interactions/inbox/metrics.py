"""Measures per agent, and per team or region, computed from the recorded data of a period.

* first response time: for conversations whose first answer fell in the period, the time
  from ``Thread.opened_at`` to ``Thread.first_response_at``, credited to the agent of that
  first outbound contact; the figure is the mean (and the count).
* handle time: the sum of ``Interaction.duration_seconds`` of the agent's contacts that
  started in the period (calls, chats, visits; a message has no duration).
* time on duty: time in status *available* or *busy* from the presence log, clipped to the
  period (and to now). Non-contact time = time on duty minus handle time, never below zero.
* transfers: conversations the agent handed on (out) and received (in) in the period.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.db.models import Count, OuterRef, Subquery, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.core.errors import DomainError
from hudong.core.models import Profile
from hudong.interactions.inbox.models import ON_DUTY, PresenceChange, Transfer
from hudong.interactions.models import Direction, Interaction, Thread

MAX_PERIOD = dt.timedelta(days=366)
GROUPS = ("agent", "team", "region")


@dataclass
class Measures:
    key: str  # the agent's username, or the team's / region's name
    agents: int = 1
    first_responses: int = 0
    first_response_seconds: int = 0  # total; the mean is derived
    handled: int = 0
    handle_seconds: int = 0
    on_duty_seconds: int = 0
    non_contact_seconds: int = 0
    transfers_out: int = 0
    transfers_in: int = 0
    user_id: int | None = None
    members: list[str] = field(default_factory=list)

    @property
    def first_response_avg(self) -> float | None:
        if not self.first_responses:
            return None
        return round(self.first_response_seconds / self.first_responses, 1)

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["first_response_avg_seconds"] = self.first_response_avg
        return data


def period(start: dt.datetime | None, end: dt.datetime | None) -> tuple[dt.datetime, dt.datetime]:
    """The period asked for, by default the last seven days; refused if empty or too long."""
    end = end or timezone.now()
    start = start or end - dt.timedelta(days=7)
    if start >= end or end - start > MAX_PERIOD:
        raise DomainError(
            "inbox.period_invalid",
            _("The period must start before it ends and last at most a year."),
            status=422,
        )
    return start, end


def _first_responses(ids: list[int], start: dt.datetime, end: dt.datetime) -> dict[int, list[int]]:
    responder = (
        Interaction.objects.filter(thread=OuterRef("pk"), direction=Direction.OUTBOUND)
        .order_by("started_at", "id")
        .values("agent_id")[:1]
    )
    rows = (
        Thread.objects.filter(first_response_at__gte=start, first_response_at__lt=end)
        .annotate(responder=Subquery(responder))
        .filter(responder__in=ids)
        .values_list("responder", "opened_at", "first_response_at")
    )
    found: dict[int, list[int]] = {}
    for user_id, opened, answered in rows:
        if answered is None:
            continue
        found.setdefault(user_id, []).append(max(0, int((answered - opened).total_seconds())))
    return found


def _on_duty(ids: list[int], start: dt.datetime, end: dt.datetime) -> dict[int, int]:
    """Seconds each agent spent on duty in [start, end), from the presence log."""
    stop = min(end, timezone.now())
    before = (
        PresenceChange.objects.filter(user_id=OuterRef("user_id"), at__lt=start)
        .order_by("-at", "-id")
        .values("status")[:1]
    )
    initial = dict(
        Profile.objects.filter(user_id__in=ids)
        .annotate(s=Subquery(before))
        .values_list("user_id", "s")
    )
    changes: dict[int, list[tuple[dt.datetime, str]]] = {}
    for user_id, status, at in (
        PresenceChange.objects.filter(user_id__in=ids, at__gte=start, at__lt=stop)
        .order_by("user_id", "at", "id")
        .values_list("user_id", "status", "at")
    ):
        changes.setdefault(user_id, []).append((at, status))
    totals: dict[int, int] = {}
    for user_id in ids:
        state, since, seconds = initial.get(user_id), start, 0.0
        for at, status in [*changes.get(user_id, []), (stop, "")]:
            if state in ON_DUTY and at > since:
                seconds += (at - since).total_seconds()
            state, since = status, at
        totals[user_id] = int(seconds)
    return totals


def per_agent(profiles: list[Profile], start: dt.datetime, end: dt.datetime) -> list[Measures]:
    """The measures of each of these agents (already permission-checked) in the period."""
    ids = [p.user_id for p in profiles]
    handled: dict[int, Any] = {
        row["agent_id"]: row
        for row in Interaction.objects.filter(
            agent_id__in=ids, started_at__gte=start, started_at__lt=end
        )
        .order_by()
        .values("agent_id")
        .annotate(n=Count("id"), s=Sum("duration_seconds"))
    }
    firsts = _first_responses(ids, start, end)
    duty = _on_duty(ids, start, end)
    span = Transfer.objects.filter(at__gte=start, at__lt=end).order_by()
    outs = dict(
        span.filter(from_user_id__in=ids)
        .values("from_user_id")
        .annotate(n=Count("id"))
        .values_list("from_user_id", "n")
    )
    ins = dict(
        span.filter(to_user_id__in=ids)
        .values("to_user_id")
        .annotate(n=Count("id"))
        .values_list("to_user_id", "n")
    )
    rows = []
    for p in profiles:
        h: dict[str, Any] = dict(handled.get(p.user_id) or {})
        handle = int(h.get("s") or 0)
        answers = firsts.get(p.user_id, [])
        rows.append(
            Measures(
                key=p.user.get_username(),
                user_id=p.user_id,
                first_responses=len(answers),
                first_response_seconds=sum(answers),
                handled=int(h.get("n") or 0),
                handle_seconds=handle,
                on_duty_seconds=duty.get(p.user_id, 0),
                non_contact_seconds=max(0, duty.get(p.user_id, 0) - handle),
                transfers_out=outs.get(p.user_id, 0),
                transfers_in=ins.get(p.user_id, 0),
            )
        )
    return rows


def grouped(profiles: list[Profile], rows: list[Measures], by: str) -> list[Measures]:
    """Agents' measures summed per team or region (means weighted by their counts)."""
    if by == "agent":
        return rows
    attrs = (
        "first_responses",
        "first_response_seconds",
        "handled",
        "handle_seconds",
        "on_duty_seconds",
        "non_contact_seconds",
        "transfers_out",
        "transfers_in",
    )
    return sum_by_group(profiles, rows, by, lambda name: Measures(key=name, agents=0), attrs)


def sum_by_group(
    profiles: list[Profile], rows: list[Any], by: str, new: Callable[[str], Any], attrs: Any
) -> list[Any]:
    """Agents' rows added up per team or region (``by``), agents without one under "(none)".

    Shared with the service measures so both reports group the same agents the same way. A row
    has ``key``, ``user_id`` and the ``attrs``; a group row (``new(name)``) also has ``agents``
    and ``members``.
    """
    none = str(_("(none)"))
    names = {p.user_id: str((p.team if by == "team" else p.region) or none) for p in profiles}
    groups: dict[str, Any] = {}
    for row in rows:
        name = names.get(row.user_id or 0, none)
        g = groups.setdefault(name, new(name))
        g.agents += 1
        g.members.append(row.key)
        for attr in attrs:
            setattr(g, attr, getattr(g, attr) + getattr(row, attr))
    return sorted(groups.values(), key=lambda g: g.key)


def report(
    user: Any,
    *,
    start: dt.datetime | None = None,
    end: dt.datetime | None = None,
    by: str = "agent",
) -> dict[str, Any]:
    """The measures of the agents ``user`` may see ("agent_metrics" scope), grouped ``by``."""
    from hudong.interactions.inbox.queries import visible_agents

    if by not in GROUPS:
        raise DomainError("inbox.group_unknown", _("Group by agent, team or region."), status=422)
    start, end = period(start, end)
    profiles = list(visible_agents(user)[:500])
    rows = grouped(profiles, per_agent(profiles, start, end), by)
    return {"start": start, "end": end, "group": by, "rows": [r.as_dict() for r in rows]}
