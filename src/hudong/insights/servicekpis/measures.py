"""Agent measures (I1) over the cases resolved in a period, per agent, team or region.

* first-contact resolution (FCR): resolved cases never transferred and never reopened, as a
  share of the resolved cases;
* escalation rate: resolved cases that were escalated (``escalated_at`` set); empowerment is
  its complement, the share the agent settled without escalating;
* SLA attainment: resolved cases that breached neither the first-response nor the resolution
  target;
* CSAT: the mean of the answered scores (1–5), the number of answers, the share of 4 and 5;
* handle time and non-contact time: exactly what the inbox records per agent
  (:mod:`hudong.interactions.inbox.metrics`), over the same period.

A case counts for its assignee, or, resolved without one, for whoever resolved it. The counts
are aggregated in the database, one row per agent; teams and regions add up their agents'
counts (so their rates are exact, not means of rates).
Which agents a user sees is the ``agent_metrics`` rule (:func:`visible_agents`): by default an
agent sees their own row, a supervisor the agents of their region, analysts everyone.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _

from hudong.core.errors import DomainError
from hudong.core.models import Profile
from hudong.insights.servicekpis.period import Period
from hudong.interactions.inbox import metrics as inbox_metrics
from hudong.interactions.inbox.queries import visible_agents
from hudong.interactions.models import Interaction
from hudong.service.models import Case, CaseChecklistItem

GROUPS = ("agent", "team", "region")
MAX_AGENTS = 500
COUNTS = (
    "resolved",
    "first_contact",
    "escalated",
    "sla_met",
    "csat_answers",
    "csat_sum",
    "csat_top",
    "handle_seconds",
    "non_contact_seconds",
    "on_duty_seconds",
)


def _share(part: int, whole: int) -> float | None:
    return round(100.0 * part / whole, 1) if whole else None


@dataclass
class Row:
    """The counts of one agent (or one team or region); the rates are derived."""

    key: str  # username, or the team's / region's name
    user_id: int | None = None
    agents: int = 1
    members: list[str] = field(default_factory=list)
    resolved: int = 0
    first_contact: int = 0
    escalated: int = 0
    sla_met: int = 0
    csat_answers: int = 0
    csat_sum: int = 0
    csat_top: int = 0
    handle_seconds: int = 0
    non_contact_seconds: int = 0
    on_duty_seconds: int = 0

    @property
    def fcr_rate(self) -> float | None:
        return _share(self.first_contact, self.resolved)

    @property
    def escalation_rate(self) -> float | None:
        return _share(self.escalated, self.resolved)

    @property
    def empowerment_rate(self) -> float | None:
        return _share(self.resolved - self.escalated, self.resolved)

    @property
    def sla_rate(self) -> float | None:
        return _share(self.sla_met, self.resolved)

    @property
    def csat_mean(self) -> float | None:
        return round(self.csat_sum / self.csat_answers, 2) if self.csat_answers else None

    @property
    def csat_top_share(self) -> float | None:
        return _share(self.csat_top, self.csat_answers)

    @property
    def handle_hours(self) -> float:
        return round(self.handle_seconds / 3600, 1)

    @property
    def non_contact_hours(self) -> float:
        return round(self.non_contact_seconds / 3600, 1)

    @property
    def active(self) -> bool:
        """Whether there is anything to show (charts leave idle agents out)."""
        return bool(self.resolved or self.handle_seconds or self.on_duty_seconds)

    def as_dict(self) -> dict[str, Any]:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        for name in RATES:
            data[name] = getattr(self, name)
        return data


RATES = (
    "fcr_rate",
    "escalation_rate",
    "empowerment_rate",
    "sla_rate",
    "csat_mean",
    "csat_top_share",
    "handle_hours",
    "non_contact_hours",
)


def agents_of(user: Any, region_id: int | None = None) -> list[Profile]:
    """The agents whose measures ``user`` may see, optionally only those of one region."""
    qs: QuerySet[Profile] = visible_agents(user)
    if region_id is not None:
        qs = qs.filter(region_id=region_id)
    return list(qs[:MAX_AGENTS])


def case_counts(user_ids: list[int], period: Period) -> dict[int, dict[str, int]]:
    """Per agent, the counts over the cases resolved in the period (one grouped query). A
    case counts for its assignee; one resolved without an assignee for whoever resolved it
    (the person the checklist's "resolve" step records)."""
    resolver = CaseChecklistItem.objects.filter(case_id=OuterRef("pk"), code="resolve").values(
        "done_by_id"
    )[:1]
    rows = (
        Case.objects.filter(resolved_at__gte=period.start, resolved_at__lt=period.end)
        .annotate(agent_id=Coalesce("assignee_id", Subquery(resolver), output_field=IntegerField()))
        .filter(agent_id__in=user_ids)
        .order_by()
        .values("agent_id")
        .annotate(
            resolved=Count("pk"),
            first_contact=Count("pk", filter=Q(transfer_count=0, reopened_count=0)),
            escalated=Count("pk", filter=Q(escalated_at__isnull=False)),
            sla_met=Count(
                "pk",
                filter=Q(
                    first_response_breached_at__isnull=True,
                    resolution_breached_at__isnull=True,
                ),
            ),
            csat_answers=Count("csat_score"),
            csat_sum=Sum("csat_score"),
            csat_top=Count("pk", filter=Q(csat_score__gte=4)),
        )
    )
    out: dict[int, dict[str, int]] = {}
    for r in rows:
        values: dict[str, Any] = dict(r)
        out[values.pop("agent_id")] = {k: int(v or 0) for k, v in values.items()}
    return out


def inbox_times(user_ids: list[int], period: Period) -> dict[int, tuple[int, int, int]]:
    """Per agent: handle, non-contact and on-duty seconds, as the inbox's agent metrics count
    them (:func:`hudong.interactions.inbox.metrics.per_agent`: the durations of the agent's
    contacts that started in the period; time on duty from the presence log), without the
    first-response and transfer figures this report does not show."""
    handled = dict(
        Interaction.objects.filter(
            agent_id__in=user_ids, started_at__gte=period.start, started_at__lt=period.end
        )
        .order_by()
        .values("agent_id")
        .annotate(s=Sum("duration_seconds"))
        .values_list("agent_id", "s")
    )
    duty = inbox_metrics._on_duty(user_ids, period.start, period.end)
    out = {}
    for user_id in user_ids:
        handle, on_duty = int(handled.get(user_id) or 0), duty.get(user_id, 0)
        out[user_id] = (handle, max(0, on_duty - handle), on_duty)
    return out


def per_agent(profiles: list[Profile], period: Period) -> list[Row]:
    """One row per agent: the case counts and the inbox's handle and non-contact time."""
    ids = [p.user_id for p in profiles]
    counts = case_counts(ids, period)
    times = inbox_times(ids, period)
    rows = []
    for p in profiles:
        handle, non_contact, on_duty = times[p.user_id]
        row = Row(
            key=p.user.get_username(),
            user_id=p.user_id,
            handle_seconds=handle,
            non_contact_seconds=non_contact,
            on_duty_seconds=on_duty,
        )
        for name, value in counts.get(p.user_id, {}).items():
            setattr(row, name, value)
        rows.append(row)
    return rows


def grouped(profiles: list[Profile], rows: list[Row], by: str) -> list[Row]:
    """Agents' rows added up per team or region (agents without one under "(none)")."""
    if by == "agent":
        return rows
    return inbox_metrics.sum_by_group(
        profiles, rows, by, lambda name: Row(key=name, agents=0), COUNTS
    )


def measures(
    user: Any, period: Period, by: str = "agent", region_id: int | None = None
) -> list[Row]:
    """The measures of the agents ``user`` may see over ``period``, grouped ``by``."""
    if by not in GROUPS:
        raise DomainError(
            "service_kpis.group_unknown", _("Group by agent, team or region."), status=400
        )
    profiles = agents_of(user, region_id)
    return grouped(profiles, per_agent(profiles, period), by)


SORTABLE = ("key", "resolved", "csat_answers", *RATES)


def sort_rows(rows: list[Row], sort: str) -> tuple[list[Row], str]:
    """Rows ordered by a column ("-" first: descending); empty values always last."""
    name = sort.lstrip("-")
    if name not in SORTABLE:
        return rows, "key"
    descending = sort.startswith("-")
    present = [r for r in rows if getattr(r, name) is not None]
    missing = [r for r in rows if getattr(r, name) is None]
    present.sort(key=lambda r: getattr(r, name), reverse=descending)
    return [*present, *missing], sort
