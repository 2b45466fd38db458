"""Service recovery (D4): what the company did to win a complaining customer back.

An agent records recovery actions (an apology, a refund, a coupon or compensation, a
replacement or re-delivery, a gift) with what each cost, tells the customer what was done
(客户知情原则: the customer is informed), and, once the case is resolved, records the outcome.

The rules, each with a stable code:

- ``recovery.case_closed`` (409): a closed case takes no new action and no "informed" step;
  reopen it first. The outcome may still be set on a closed case (it is often known later).
- ``recovery.bad_kind`` / ``recovery.bad_cost`` (422): the kind is one of
  :class:`RecoveryKind`; the cost is in CNY, at least 0 and at most
  ``HUDONG_RECOVERY_MAX_COST`` (default 100000), rounded to the fen.
- ``recovery.not_resolved`` (409): the outcome waits until the case is resolved.
- ``recovery.needs_action`` / ``recovery.needs_informed`` (422): "recovered" needs at least one
  action and the customer informed.
- ``recovery.message_not_sent`` (409): the message meant to inform the customer was refused by
  the contact policy or failed; the customer is not counted as informed (it stays on the case
  as a reply, with its state, like any reply).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.core import events
from hudong.core.errors import DomainError
from hudong.interactions.models import OutboundStatus
from hudong.service import actions
from hudong.service.models import (
    Case,
    CaseNote,
    CaseStatus,
    RecoveryAction,
    RecoveryKind,
    RecoveryOutcome,
)

FEN = Decimal("0.01")
DEFAULT_MAX_COST = Decimal("100000")
NOT_SENT = (OutboundStatus.REFUSED, OutboundStatus.FAILED)


def _user(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def max_cost() -> Decimal:
    """The most one action may cost (CNY): a typo of three zeros is caught, not booked."""
    return Decimal(str(getattr(settings, "HUDONG_RECOVERY_MAX_COST", DEFAULT_MAX_COST)))


def clean_cost(value: Any) -> Decimal:
    """The cost as CNY with two decimals, or ``recovery.bad_cost``."""
    try:
        cost = Decimal(str(value).strip() or "0")
    except (InvalidOperation, ValueError):
        cost = Decimal("NaN")
    if not cost.is_finite() or cost < 0 or cost > max_cost():
        raise DomainError(
            "recovery.bad_cost",
            _("The cost must be an amount in CNY between 0 and %(max)s.") % {"max": max_cost()},
            status=422,
        )
    return cost.quantize(FEN, rounding=ROUND_HALF_UP)


def _refuse_closed(case: Case) -> None:
    if case.status == CaseStatus.CLOSED:
        raise DomainError(
            "recovery.case_closed",
            _("The case is closed: reopen it to record a recovery step."),
            status=409,
        )


# --- reads ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Summary:
    """What the case page and the API show of a case's recovery."""

    actions: list[RecoveryAction]
    total_cost: Decimal
    customer_informed_at: Any
    outcome: str
    outcome_label: str


def actions_of(case: Case) -> list[RecoveryAction]:
    return list(case.recovery_actions.select_related("created_by").order_by("created_at", "id"))


def total_cost(case: Case) -> Decimal:
    total = RecoveryAction.objects.filter(case=case).aggregate(s=Sum("cost"))["s"]
    return Decimal(total or 0).quantize(FEN)


def summary(case: Case) -> Summary:
    """The case's recovery actions (oldest first), their total cost, the informed step and the
    outcome; the caller has checked that the user may see the case."""
    done = actions_of(case)
    outcome = case.recovery_outcome
    return Summary(
        actions=done,
        total_cost=sum((a.cost for a in done), Decimal("0")).quantize(FEN),
        customer_informed_at=case.customer_informed_at,
        outcome=outcome,
        outcome_label=str(RecoveryOutcome(outcome).label) if outcome else "",
    )


# --- writes ---------------------------------------------------------------------------------


@transaction.atomic
def record_action(
    case: Case, user: Any, *, kind: str, cost: Any = 0, note: str = ""
) -> RecoveryAction:
    """Record one recovery action and what it cost; event ``service.recovery_recorded``."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    _refuse_closed(case)
    if kind not in RecoveryKind.values:
        raise DomainError("recovery.bad_kind", _("Unknown kind of recovery action."), status=422)
    amount = clean_cost(cost)
    action = RecoveryAction.objects.create(
        case=case, kind=kind, cost=amount, note=note.strip()[:500], created_by=_user(user)
    )
    events.publish(
        "service.recovery_recorded",
        {
            "case_id": case.pk,
            "customer_id": case.customer_id,
            "action_id": action.pk,
            "kind": kind,
            "cost": str(amount),
            "total_cost": str(total_cost(case)),
            "by": getattr(_user(user), "pk", None),
        },
    )
    return action


def inform_customer(case: Case, user: Any, message: str = "") -> CaseNote | None:
    """Record that the customer knows what is done for them (客户知情原则), optionally telling
    them now with ``message``, sent as a case reply (same channel, same contact policy).

    Not atomic, like :func:`hudong.service.actions.reply`: the message goes out outside the
    write transaction. A message the policy defers (quiet hours) counts: it will reach them.
    """
    _refuse_closed(case)
    note = None
    if message.strip():
        note = actions.reply(case, user, message)
        if note.outbound is None or note.outbound.status in NOT_SENT:
            raise DomainError(
                "recovery.message_not_sent",
                _("The message could not be sent, so the customer is not marked as informed."),
                status=409,
            )
    _mark_informed(case, user, message_sent=note is not None)
    return note


@transaction.atomic
def _mark_informed(case: Case, user: Any, *, message_sent: bool) -> None:
    now = timezone.now()
    first = Case.objects.filter(pk=case.pk, customer_informed_at__isnull=True).exclude(
        status=CaseStatus.CLOSED
    )
    locked = first.select_for_update().first()
    if locked is not None:
        locked.customer_informed_at = now
        locked.save(update_fields=["customer_informed_at", "updated_at"])
        case.customer_informed_at = now
    events.publish(
        "service.customer_informed",
        {
            "case_id": case.pk,
            "customer_id": case.customer_id,
            "first": locked is not None,
            "message_sent": message_sent,
            "by": getattr(_user(user), "pk", None),
        },
    )


@transaction.atomic
def set_outcome(case: Case, user: Any, outcome: str) -> Case:
    """Record whether the customer was won back, once the case is resolved (or later)."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    if outcome not in RecoveryOutcome.values:
        raise DomainError("recovery.bad_outcome", _("Unknown recovery outcome."), status=422)
    if case.status not in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        raise DomainError(
            "recovery.not_resolved",
            _("Resolve the case before recording the recovery outcome."),
            status=409,
        )
    if outcome == RecoveryOutcome.RECOVERED:
        if not RecoveryAction.objects.filter(case=case).exists():
            raise DomainError(
                "recovery.needs_action",
                _("Record at least one recovery action before calling the customer recovered."),
                status=422,
            )
        if case.customer_informed_at is None:
            raise DomainError(
                "recovery.needs_informed",
                _("Inform the customer before calling them recovered."),
                status=422,
            )
    previous = case.recovery_outcome
    case.recovery_outcome = outcome
    case.save(update_fields=["recovery_outcome", "updated_at"])
    events.publish(
        "service.recovery_outcome_set",
        {
            "case_id": case.pk,
            "customer_id": case.customer_id,
            "from": previous,
            "to": outcome,
            "by": getattr(_user(user), "pk", None),
        },
    )
    return case
