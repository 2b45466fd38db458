"""Manual escalation: an agent hands a case up to a supervisor of the team.

The supervisor is picked the way the SLA sweep picks one on a breach (an active supervisor of
the case's team who may see the customer), so a case never goes to someone outside its scope.
The escalation counts as a transfer (agent measures, I1), stamps ``escalated_at`` once, keeps
the reason as an internal note, and tells the supervisor at once.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hudong.core import events, live, scoping
from hudong.core.errors import DomainError
from hudong.service import sla
from hudong.service.models import Case, CaseNote, CaseStatus

LIVE_TOPIC = "service.escalated"
MAX_REASON = 2000


def _user(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _supervisor_for(case: Case, user: Any) -> int:
    """The first supervisor of the case's team (else the escalating user's team) who may see
    the case and does not have it already."""
    if case.team_id is None:
        profile = scoping.profile_of(user)
        case.team = profile.team if profile else None
    candidates = [
        pk for pk in sla._supervisors(case) if pk not in (case.assignee_id, getattr(user, "pk", 0))
    ]
    if not candidates:
        raise DomainError(
            "cases.no_supervisor",
            _("No supervisor of this team can take this case."),
            status=409,
        )
    return candidates[0]


@transaction.atomic
def escalate(case: Case, user: Any, reason: str) -> Case:
    """Hand ``case`` to a supervisor of its team, with the reason kept as an internal note."""
    reason = reason.strip() if isinstance(reason, str) else ""
    if not reason:
        raise DomainError("cases.reason_required", _("Say why the case goes up."), status=422)
    case = Case.objects.select_for_update().select_related("customer").get(pk=case.pk)
    if case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        raise DomainError("cases.closed", _("Reopen the case to escalate it."), status=409)
    to = _supervisor_for(case, user)
    now = timezone.now()
    previous = case.assignee_id
    if previous is not None:
        case.transfer_count += 1
    case.escalated_at = case.escalated_at or now
    case.assignee_id, case.assigned_at = to, now
    case.save()
    CaseNote.objects.create(
        case=case,
        author=_user(user),
        body=gettext("Escalated to a supervisor: %(reason)s") % {"reason": reason[:MAX_REASON]},
        internal=True,
    )
    payload = {
        "case_id": case.pk,
        "number": case.number,
        "subject": case.subject,
        "from": previous,
        "to": to,
        "by": getattr(_user(user), "pk", None),
        "reason": reason[:MAX_REASON],
    }
    events.publish("service.case_escalated", payload)
    live.push(to, LIVE_TOPIC, payload)
    return case
