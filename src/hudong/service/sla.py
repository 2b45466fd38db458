"""SLA clocks (D2): due times in business time, a pause while waiting on the customer, and the
sweep that warns before a breach and escalates after one.

Which policy applies: the most specific active :class:`SlaPolicy` matching the case. A policy
matches when each criterion it names (category, priority, value tier) equals the case's; blank
criteria match anything. More named criteria win (category + priority + tier, then any two,
then any one, then the catch-all); between policies naming as many, category counts before
priority before tier; the lowest id settles a remaining tie.

The clocks run from the opening on the policy's business calendar (the default calendar when
it names none). While a case waits on the customer its clock stops: the business time it
waited is added to ``paused_seconds`` and pushes the resolution due time (and the pending
warning) forward by as much. The first reply that went out meets the first-response target.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from hudong.core import calendars, events, scoping
from hudong.core.errors import NotFound
from hudong.core.models import LiveMessage, Profile, Role
from hudong.interactions.tiers import value_tiers
from hudong.service.models import OPEN_STATUSES, Case, CaseStatus, SlaPolicy
from hudong.service.priority import priority

LIVE_TOPIC = "service.sla"
RUNNING = [s for s in OPEN_STATUSES if s != CaseStatus.WAITING_CUSTOMER]


# --- choosing the policy --------------------------------------------------------------------


def _specificity(policy: SlaPolicy) -> tuple[int, int]:
    named = (policy.category_id is not None, policy.priority is not None, bool(policy.tier))
    return sum(named), named[0] * 4 + named[1] * 2 + named[2]


def policy_for(case: Case, tier: str) -> SlaPolicy | None:
    """The most specific active policy matching ``case`` (of value ``tier``), or None."""
    candidates = SlaPolicy.objects.filter(
        Q(category__isnull=True) | Q(category_id=case.category_id),
        Q(priority__isnull=True) | Q(priority=case.priority),
        Q(tier="") | Q(tier=tier),
        active=True,
    ).order_by("id")
    return max(candidates, key=_specificity, default=None)


def calendar_of(policy: SlaPolicy) -> calendars.Calendar:
    """The policy's business calendar; the default one; or, with none stored, the usual
    Monday-to-Friday hours in Asia/Shanghai."""
    try:
        if policy.calendar is not None:
            return calendars.load(policy.calendar.code)
        return calendars.load()
    except NotFound:
        return calendars.Calendar.build(code="default")


def _minutes(n: int) -> dt.timedelta:
    return dt.timedelta(minutes=n)


# --- the case's clock -----------------------------------------------------------------------


def start(case: Case, tier: str) -> None:
    """Choose the policy of a just-opened case and set its due times (not saved)."""
    policy = policy_for(case, tier)
    case.sla_policy = policy
    if policy is None:
        return
    cal = calendar_of(policy)
    opened = case.created_at
    case.first_response_due = calendars.add_business_time(
        cal, opened, _minutes(policy.first_response_minutes)
    )
    case.resolution_due = calendars.add_business_time(
        cal, opened, _minutes(policy.resolution_minutes)
    )
    case.sla_warn_at = calendars.add_business_time(
        cal, opened, _minutes(policy.first_response_minutes * policy.warn_at_percent // 100)
    )


def _resolution_warn_at(case: Case, policy: SlaPolicy, cal: calendars.Calendar) -> dt.datetime:
    target = _minutes(policy.resolution_minutes * policy.warn_at_percent // 100)
    paused = dt.timedelta(seconds=case.paused_seconds)
    return calendars.add_business_time(cal, case.created_at, target + paused)


def responded(case: Case) -> list[str]:
    """The first response went out: the pending warning is now the resolution's. Returns the
    changed fields."""
    policy = case.sla_policy
    if policy is None or case.sla_warned_at is not None:
        return []
    case.sla_warn_at = _resolution_warn_at(case, policy, calendar_of(policy))
    return ["sla_warn_at"]


def pause(case: Case, now: dt.datetime) -> None:
    """The case now waits on the customer: its clock stops (not saved)."""
    if case.sla_policy_id is not None and case.paused_at is None:
        case.paused_at = now


def resume(case: Case, now: dt.datetime) -> None:
    """The case stops waiting: the business time it waited pushes its due times (not saved)."""
    if case.paused_at is None:
        return
    policy = case.sla_policy
    paused_at, case.paused_at = case.paused_at, None
    if policy is None:
        return
    cal = calendar_of(policy)
    waited = calendars.business_time_between(cal, paused_at, now)
    if not waited:
        return
    case.paused_seconds += int(waited.total_seconds())
    if case.resolution_due is not None and case.resolution_breached_at is None:
        case.resolution_due = calendars.add_business_time(cal, case.resolution_due, waited)
    if case.sla_warned_at is not None or case.sla_warn_at is None:
        return
    if case.first_response_at is not None:
        case.sla_warn_at = _resolution_warn_at(case, policy, cal)
    elif case.sla_warn_at > paused_at:
        case.sla_warn_at = calendars.add_business_time(cal, case.sla_warn_at, waited)


# --- the sweep ------------------------------------------------------------------------------


def _supervisors(case: Case) -> list[int]:
    """The active supervisors of the case's team who may open the case: a supervisor whose
    scope does not reach the customer is neither told about it nor handed it."""
    if case.team_id is None:
        return []
    profiles = (
        Profile.objects.filter(team_id=case.team_id, role=Role.SUPERVISOR, user__is_active=True)
        .select_related("user")
        .order_by("user_id")
    )
    return [p.user_id for p in profiles if scoping.can_see(p.user, "cases", case)]


def _payload(case: Case, kind: str) -> dict[str, Any]:
    due = case.first_response_due if kind == "first_response" else case.resolution_due
    return {
        "case_id": case.pk,
        "number": case.number,
        "subject": case.subject,
        "kind": kind,
        "due": due.isoformat() if due else None,
    }


class _Sweep:
    """What one sweep keeps between its batches: each team's supervisors (read once), which
    of them may open each case of the batch (one query per supervisor and batch, not per
    case), and the batch's events and live messages, written together before it commits."""

    def __init__(self) -> None:
        self._teams: dict[int, list[Any]] = {}
        self._may: dict[int, list[int]] = {}
        self.events: list[tuple[str, dict[str, Any]]] = []
        self.messages: list[LiveMessage] = []

    def _of_team(self, team_id: int) -> list[Any]:
        if team_id not in self._teams:
            profiles = Profile.objects.filter(
                team_id=team_id, role=Role.SUPERVISOR, user__is_active=True
            ).select_related("user")
            self._teams[team_id] = [p.user for p in profiles.order_by("user_id")]
        return self._teams[team_id]

    def prepare(self, cases: list[Case]) -> None:
        by_team: dict[int, list[int]] = {}
        for case in cases:
            if case.team_id is not None:
                by_team.setdefault(case.team_id, []).append(case.pk)
        self._may = {}
        for team_id, pks in by_team.items():
            for user in self._of_team(team_id):
                seen = scoping.visible(user, "cases", Case.objects.filter(pk__in=pks))
                for pk in seen.order_by().values_list("pk", flat=True):
                    self._may.setdefault(pk, []).append(user.pk)

    def supervisors(self, case: Case) -> list[int]:
        """:func:`_supervisors` of a case of the prepared batch."""
        return self._may.get(case.pk, [])

    def tell(self, user_ids: list[int], payload: dict[str, Any]) -> None:
        for user_id in dict.fromkeys(user_ids):
            self.messages.append(LiveMessage(user_id=user_id, topic=LIVE_TOPIC, payload=payload))

    def flush(self) -> None:
        events.publish_many(self.events)
        LiveMessage.objects.bulk_create(self.messages)
        self.events, self.messages = [], []


def _claim(
    cases: list[Case], field: str, now: dt.datetime, new_priority: Callable[[Case], int]
) -> list[Case]:
    """The cases whose ``field`` (a warning or breach time, empty so far) this sweep sets.

    One conditional update per new priority, then the rows that now carry this sweep's time:
    a case another sweep marked first is not claimed again, so nothing is told twice."""
    groups: dict[int, list[int]] = {}
    for case in cases:
        groups.setdefault(new_priority(case), []).append(case.pk)
    for value, pks in groups.items():
        Case.objects.filter(pk__in=pks, **{f"{field}__isnull": True}).update(
            **{field: now}, priority=value, updated_at=now
        )
    pks = [c.pk for c in cases]
    mine = set(Case.objects.filter(pk__in=pks, **{field: now}).values_list("pk", flat=True))
    return [c for c in cases if c.pk in mine]


def _warn(cases: list[Case], tiers: dict[int, str], now: dt.datetime, sweep: _Sweep) -> int:
    def at_risk(case: Case) -> int:
        return priority(case.severity, tiers.get(case.customer_id, "C"), "at_risk")

    claimed = _claim(cases, "sla_warned_at", now, at_risk)
    for case in claimed:
        kind = "first_response" if case.first_response_at is None else "resolution"
        payload = _payload(case, kind)
        sweep.events.append(("service.sla_warning", payload))
        recipients = [case.assignee_id] if case.assignee_id else []
        sweep.tell(recipients + sweep.supervisors(case), {**payload, "state": "at_risk"})
    return len(claimed)


def _breach(
    cases: list[Case], kind: str, tiers: dict[int, str], now: dt.datetime, sweep: _Sweep
) -> int:
    def breached(case: Case) -> int:
        return priority(case.severity, tiers.get(case.customer_id, "C"), "breached")

    claimed = _claim(cases, f"{kind}_breached_at", now, breached)
    escalated = _escalate(claimed, now, sweep)
    for case in claimed:
        payload = {
            **_payload(case, kind),
            "from": case.assignee_id,
            "escalated_to": escalated.get(case.pk),
        }
        sweep.events.append(("service.sla_breached", payload))
        supervisors = sweep.supervisors(case)
        recipients = supervisors or ([case.assignee_id] if case.assignee_id else [])
        sweep.tell(recipients, {**payload, "state": "breached"})
    return len(claimed)


def _escalate(cases: list[Case], now: dt.datetime, sweep: _Sweep) -> dict[int, int]:
    """Hand each breached case to its team's first supervisor who may open it (unless one
    holds it already); one update per supervisor. Returns case id → supervisor."""
    escalated: dict[int, int] = {}
    groups: dict[tuple[int, int], list[int]] = {}
    for case in cases:
        supervisors = sweep.supervisors(case)
        if supervisors and case.assignee_id not in supervisors:
            escalated[case.pk] = supervisors[0]
            moved = 1 if case.assignee_id else 0  # a transfer only if someone held it
            groups.setdefault((supervisors[0], moved), []).append(case.pk)
    for (to, moved), pks in groups.items():
        Case.objects.filter(pk__in=pks).update(
            assignee_id=to,
            assigned_at=now,
            escalated_at=Coalesce("escalated_at", Value(now)),
            transfer_count=F("transfer_count") + moved,
        )
    return escalated


# Cases changed per transaction: one commit (an fsync on SQLite) per case made a catch-up
# sweep of thousands of cases take minutes; a batch commits its cases together.
SWEEP_BATCH = 500
# What the sweep reads of a case: a catch-up selects thousands, and a full row costs.
SWEEP_FIELDS = (
    "number",
    "subject",
    "customer_id",
    "severity",
    "team_id",
    "assignee_id",
    "first_response_at",
    "first_response_due",
    "resolution_due",
)


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Warn the cases whose clock passed the warning mark and escalate those past a due time.

    Three indexed queries ((status, due time) indexes, so closed cases are never read)
    select the cases concerned; each change is a conditional update, so a second sweep (or
    two running at once) changes nothing again. The changes are committed, with their events
    and live messages, in batches of :data:`SWEEP_BATCH`."""
    now = now or timezone.now()
    running = (
        Case.objects.filter(status__in=RUNNING, sla_policy__isnull=False)
        .only(*SWEEP_FIELDS)
        .order_by("pk")
    )
    warn = list(running.filter(sla_warn_at__lte=now, sla_warned_at__isnull=True))
    first = list(
        running.filter(
            first_response_due__lte=now,
            first_response_at__isnull=True,
            first_response_breached_at__isnull=True,
        )
    )
    late = list(running.filter(resolution_due__lte=now, resolution_breached_at__isnull=True))
    tiers = value_tiers({c.customer_id for c in warn + first + late})
    counts = {"warned": 0, "breached": 0}
    state = _Sweep()
    for batch in _batches(warn):
        state.prepare(batch)
        with transaction.atomic():
            counts["warned"] += _warn(batch, tiers, now, state)
            state.flush()
    for kind, cases in (("first_response", first), ("resolution", late)):
        for batch in _batches(cases):
            state.prepare(batch)
            with transaction.atomic():
                _current_assignees(batch)
                counts["breached"] += _breach(batch, kind, tiers, now, state)
                state.flush()
    return counts


def _batches(cases: list[Case]) -> list[list[Case]]:
    return [cases[k : k + SWEEP_BATCH] for k in range(0, len(cases), SWEEP_BATCH)]


def _current_assignees(cases: list[Case]) -> None:
    """Re-read who holds each case (a breach earlier in this sweep may have escalated it)."""
    rows = Case.objects.filter(pk__in=[c.pk for c in cases]).values_list("pk", "assignee_id")
    current = dict(rows)
    for case in cases:
        if case.pk in current:
            case.assignee_id = current[case.pk]
