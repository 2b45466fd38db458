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
from typing import Any

from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from hudong.core import calendars, events, live, scoping
from hudong.core.errors import NotFound
from hudong.core.models import Profile, Role
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


def _push(user_ids: list[int], topic: str, payload: dict[str, Any]) -> None:
    for user_id in dict.fromkeys(user_ids):
        live.push(user_id, topic, payload)


@transaction.atomic
def _warn(case: Case, tier: str, now: dt.datetime) -> bool:
    if not Case.objects.filter(pk=case.pk, sla_warned_at__isnull=True).update(
        sla_warned_at=now,
        priority=priority(case.severity, tier, "at_risk"),
        updated_at=now,
    ):
        return False
    kind = "first_response" if case.first_response_at is None else "resolution"
    payload = _payload(case, kind)
    events.publish("service.sla_warning", payload)
    recipients = [case.assignee_id] if case.assignee_id else []
    _push(recipients + _supervisors(case), LIVE_TOPIC, {**payload, "state": "at_risk"})
    return True


@transaction.atomic
def _breach(case: Case, kind: str, tier: str, now: dt.datetime) -> bool:
    field = f"{kind}_breached_at"
    if not Case.objects.filter(pk=case.pk, **{f"{field}__isnull": True}).update(
        **{field: now},
        priority=priority(case.severity, tier, "breached"),
        updated_at=now,
    ):
        return False
    supervisors = _supervisors(case)
    escalated_to = None
    if supervisors and case.assignee_id not in supervisors:
        escalated_to = supervisors[0]
        Case.objects.filter(pk=case.pk).update(
            assignee_id=escalated_to,
            assigned_at=now,
            escalated_at=Coalesce("escalated_at", Value(now)),
            transfer_count=F("transfer_count") + (1 if case.assignee_id else 0),
        )
    payload = {
        **_payload(case, kind),
        "from": case.assignee_id,
        "escalated_to": escalated_to,
    }
    events.publish("service.sla_breached", payload)
    recipients = supervisors or ([case.assignee_id] if case.assignee_id else [])
    _push(recipients, LIVE_TOPIC, {**payload, "state": "breached"})
    return True


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Warn the cases whose clock passed the warning mark and escalate those past a due time.

    Three indexed queries on the due fields select the few cases concerned; each change is a
    conditional update, so a second sweep (or two running at once) changes nothing again."""
    now = now or timezone.now()
    running = Case.objects.filter(status__in=RUNNING, sla_policy__isnull=False)
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
    for case in warn:
        counts["warned"] += _warn(case, tiers.get(case.customer_id, "C"), now)
    for kind, cases in (("first_response", first), ("resolution", late)):
        for case in cases:
            case.refresh_from_db(fields=["assignee", "assigned_at"])
            counts["breached"] += _breach(case, kind, tiers.get(case.customer_id, "C"), now)
    return counts
