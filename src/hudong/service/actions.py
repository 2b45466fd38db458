"""Every write of the service area: one atomic function per use case.

Each publishes its domain event in the same transaction (the outbox delivers it once the
change committed), and the audit trail records every changed case by signal. Callers have
checked that the user may see the case (:mod:`hudong.service.queries`); these functions check
what the workflow and the other party (the assignee) allow.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.core import events, scoping
from hudong.core.errors import DomainError
from hudong.core.models import Team
from hudong.customers.models import Customer
from hudong.interactions import outbound
from hudong.interactions.channels import sender_for
from hudong.interactions.models import Interaction, OutboundStatus, Purpose
from hudong.interactions.tiers import value_tier
from hudong.service import assignment, checklist, sla, workflow
from hudong.service.models import Case, CaseCategory, CaseNote, CaseSource, CaseStatus, Severity
from hudong.service.priority import priority

S = CaseStatus


def _user(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def last_sequence(year: int) -> int:
    """The sequence of the year's last case number stored (0 before the first)."""
    prefix = f"C{year}-"
    last = (
        Case.objects.filter(number__startswith=prefix)
        .order_by("-number")
        .values_list("number", flat=True)
        .first()
    )
    return int(last[len(prefix) :]) if last else 0


def number(year: int, seq: int) -> str:
    return f"C{year}-{seq:06d}"


def next_number(year: int) -> str:
    """C<year>-<6 digits>, one more than the year's last (writes are serialised by the
    transaction; the unique constraint catches a concurrent writer on PostgreSQL)."""
    return number(year, last_sequence(year) + 1)


NUMBER_ATTEMPTS = 5


def _create_numbered(year: int, **fields: Any) -> Case:
    """Create the case with the year's next number. Two agents opening cases at the same
    moment on PostgreSQL can draw the same number: the unique constraint refuses the second,
    whose savepoint is rolled back, and it draws again (it now sees the first one's row)."""
    for attempt in range(NUMBER_ATTEMPTS):
        number = next_number(year)
        try:
            with transaction.atomic():
                return Case.objects.create(number=number, **fields)
        except IntegrityError:
            if attempt == NUMBER_ATTEMPTS - 1 or not Case.objects.filter(number=number).exists():
                raise
    raise AssertionError("unreachable")


@transaction.atomic
def open_case(
    customer: Customer,
    *,
    user: Any,
    category: CaseCategory,
    subject: str,
    description: str = "",
    severity: str = Severity.MEDIUM,
    interaction: Interaction | None = None,
    source: str = "",
    team: Team | None = None,
) -> Case:
    """Open a case for ``customer``: from one of their contacts, a web form, or by an agent."""
    subject = subject.strip()
    if not subject:
        raise DomainError("cases.subject_required", _("Give the case a subject."), status=422)
    if not category.active:
        raise DomainError("cases.category_inactive", _("This category is not in use."), status=422)
    if severity not in Severity.values:
        raise DomainError("cases.bad_severity", _("Unknown severity."), status=422)
    if interaction is not None and interaction.customer_id != customer.pk:
        raise DomainError("cases.interaction_not_found", _("Contact not found."), status=404)
    profile = scoping.profile_of(user)
    now = timezone.now()
    tier = value_tier(customer)
    case = _create_numbered(
        now.year,
        customer=customer,
        category=category,
        subject=subject[:200],
        description=description.strip(),
        severity=severity,
        priority=priority(severity, tier),
        source=source or (CaseSource.INTERACTION if interaction else CaseSource.AGENT),
        channel=interaction.channel if interaction else "",
        interaction=interaction,
        team=team or (profile.team if profile else None),
        created_by=_user(user),
        created_at=now,
    )
    sla.start(case, tier)
    checklist.copy_to(case)
    if case.sla_policy_id is not None:
        case.save(
            update_fields=["sla_policy", "first_response_due", "resolution_due", "sla_warn_at"]
        )
    events.publish(
        "service.case_opened",
        {
            "case_id": case.pk,
            "number": case.number,
            "customer_id": customer.pk,
            "category": category.code,
            "severity": severity,
            "priority": case.priority,
        },
    )
    return case


@transaction.atomic
def transition(case: Case, to_status: str, user: Any) -> Case:
    """Move ``case`` along the workflow; anything the workflow does not allow is refused."""
    case = Case.objects.select_for_update().get(pk=case.pk)
    current = case.status
    if to_status not in S.values or not workflow.allowed(current, to_status):
        raise DomainError(
            "cases.bad_transition",
            _("A case cannot go from “%(from)s” to “%(to)s”.")
            % {
                "from": S(current).label,
                "to": S(to_status).label if to_status in S.values else to_status,
            },
            status=409,
        )
    now = timezone.now()
    if workflow.is_reopen(current, to_status):
        case.reopened_count += 1
        case.resolved_at = None
        case.closed_at = None
    if to_status == S.ACKNOWLEDGED and case.acknowledged_at is None:
        case.acknowledged_at = now
    elif to_status == S.RESOLVED:
        case.resolved_at = now
    elif to_status == S.CLOSED:
        case.closed_at = now
    # The resolution clock stops while the case waits on the customer and while it is resolved
    # (or closed); a reopened case gets back the time it had left, not a stale due time.
    if to_status in (S.WAITING_CUSTOMER, S.RESOLVED):
        sla.pause(case, now)
    elif to_status in sla.RUNNING:
        sla.resume(case, now)
    case.status = to_status
    case.save()
    checklist.on_status(case, to_status, _user(user))
    events.publish(
        "service.case_status_changed",
        {
            "case_id": case.pk,
            "customer_id": case.customer_id,
            "from": current,
            "to": to_status,
            "by": getattr(_user(user), "pk", None),
            "reopen": workflow.is_reopen(current, to_status),
        },
    )
    return case


def acknowledge(case: Case, user: Any) -> Case:
    return transition(case, S.ACKNOWLEDGED, user)


@transaction.atomic
def add_internal_note(case: Case, user: Any, body: str) -> CaseNote:
    """A note for colleagues only: never shown or sent to the customer."""
    body = body.strip()
    if not body:
        raise DomainError("cases.note_empty", _("Write the note first."), status=422)
    return CaseNote.objects.create(case=case, author=_user(user), body=body, internal=True)


def reply(case: Case, user: Any, body: str) -> CaseNote:
    """Answer the customer on their channel, through the contact policy.

    Not atomic on purpose (like the inbox's reply): the message is written and delivered
    outside the write transaction, then the note records it. A reply the policy refuses or
    defers is still recorded, with the message's state; only one that went out counts as the
    case's first response.
    """
    body = body.strip()
    if not body:
        raise DomainError("cases.note_empty", _("Write the reply first."), status=422)
    if not case.is_open and case.status != S.RESOLVED:
        raise DomainError("cases.closed", _("Reopen the case to reply."), status=409)
    thread = case.interaction.thread if case.interaction_id and case.interaction else None
    channel = case.channel if case.channel and sender_for(case.channel) else ""
    message = outbound.send_now(
        case.customer,
        purpose=Purpose.SERVICE,
        channel=channel,
        body=body,
        subject=f"[{case.number}] {case.subject}",
        thread=thread,
        reply=True,
        user=_user(user),
        origin=f"case:{case.number}",
    )
    return _record_reply(case, user, body, message)


@transaction.atomic
def _record_reply(case: Case, user: Any, body: str, message: Any) -> CaseNote:
    note = CaseNote.objects.create(
        case=case,
        author=_user(user),
        body=body,
        internal=False,
        outbound=message,
        interaction_id=message.interaction_id,
    )
    went_out = message.status in (OutboundStatus.SENT, OutboundStatus.DELIVERED)
    if went_out and case.first_response_at is None:
        case.first_response_at = note.created_at
        changed = sla.responded(case)
        case.save(update_fields=["first_response_at", "updated_at", *changed])
    return note


@transaction.atomic
def assign(case: Case, user: Any, *, to: Any = None, team: Team | None = None) -> Case:
    """Give the case to ``to``, or pick the agent (see :mod:`hudong.service.assignment`)."""
    case = Case.objects.select_related("customer", "category").select_for_update().get(pk=case.pk)
    team = team or case.team
    if to is None:
        if team is None:
            profile = scoping.profile_of(user)
            team = profile.team if profile else None
        if team is None:
            raise DomainError("cases.no_team", _("Choose a team for the case."), status=422)
        to = assignment.pick(case, team)
    elif not (to.is_active and scoping.can_see(to, "cases", case)):
        raise DomainError(
            "cases.assignee_out_of_scope", _("This person cannot work on this case."), status=422
        )
    previous = case.assignee_id
    if previous is not None and previous != to.pk:
        case.transfer_count += 1
    case.assignee, case.team, case.assigned_at = to, team, timezone.now()
    case.save()
    events.publish(
        "service.case_assigned",
        {"case_id": case.pk, "from": previous, "to": to.pk, "by": getattr(_user(user), "pk", None)},
    )
    return case
