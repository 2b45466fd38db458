"""The satisfaction follow-up (D3, G1): a CSAT survey on closing, answered through a signed link.

When a case closes (event ``service.case_status_changed`` with ``to`` = closed) a survey is
created and a short message with a signed link to ``/survey/<token>/`` goes to the customer on
their preferred channel through the contact policy (purpose service): queued in the handler's
transaction and delivered right after it commits, like ``outbound.send_now`` but without
holding the write lock across the gateway's round trip. A survey is proactive, so in the
customer's quiet hours it waits for the morning. One survey per closing:
the handler runs at least once, so it looks for a survey sent since this closing first; a case
reopened and closed again gets a new one.

The customer answers 1-5 and a comment, without logging in. The first answer stands. A score at
or below ``HUDONG_CSAT_LOW_SCORE`` (default 2) alerts the team's supervisors (a live message and
an internal note on the case) and, unless ``HUDONG_CSAT_REOPEN_ON_LOW`` is off, reopens the case.

Codes: ``csat.link_invalid`` (400, a tampered or truncated link), ``csat.link_expired`` (410,
older than ``HUDONG_CSAT_LINK_DAYS``, default 30), ``csat.bad_score`` (422),
``csat.already_answered`` (409).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from hudong.core import events, live, scoping
from hudong.core.errors import DomainError
from hudong.core.models import DomainEvent, Profile, Role
from hudong.interactions import outbound
from hudong.interactions.channels.email.conf import public_url
from hudong.interactions.models import OutboundStatus, Purpose
from hudong.service import actions, checklist
from hudong.service.models import Case, CaseNote, CaseStatus, CsatSurvey

log = logging.getLogger(__name__)
SALT = "hudong.service.csat"
LIVE_TOPIC = "service.csat"
MAX_TOKEN = 200
MAX_COMMENT = 2000
GONE_OUT = (
    OutboundStatus.QUEUED,
    OutboundStatus.SENDING,
    OutboundStatus.SENT,
    OutboundStatus.DELIVERED,
)
# Internal notes, translated into the site's language when written (see _note).
NOT_SENT_NOTE = gettext_noop("The satisfaction survey could not be sent: %(reason)s")
LOW_SCORE_NOTE = gettext_noop(
    "Low satisfaction score %(reason)s: the customer is not satisfied. The supervisors are told."
)


def low_score() -> int:
    return int(getattr(settings, "HUDONG_CSAT_LOW_SCORE", 2))


def reopen_on_low() -> bool:
    return bool(getattr(settings, "HUDONG_CSAT_REOPEN_ON_LOW", True))


def link_days() -> int:
    return int(getattr(settings, "HUDONG_CSAT_LINK_DAYS", 30))


# --- the signed link ------------------------------------------------------------------------


def token_for(survey: CsatSurvey) -> str:
    return signing.dumps(survey.pk, salt=SALT)


def survey_url(survey: CsatSurvey) -> str:
    """Absolute, like the unsubscribe links of outbound mail (``HUDONG_PUBLIC_URL``)."""
    return public_url() + reverse("csat:answer", args=[token_for(survey)])


def survey_for(token: str) -> CsatSurvey:
    """The survey a link names, or a stable error: never a 500 on a mangled link."""
    invalid = DomainError(
        "csat.link_invalid", _("This survey link is not valid. Please use the link as sent.")
    )
    if not token or len(token) > MAX_TOKEN:
        raise invalid
    try:
        pk = signing.loads(token, salt=SALT, max_age=dt.timedelta(days=link_days()))
    except signing.SignatureExpired as exc:
        raise DomainError(
            "csat.link_expired",
            _("This survey link has expired. Thank you all the same."),
            status=410,
        ) from exc
    except (signing.BadSignature, ValueError) as exc:
        raise invalid from exc
    survey = (
        CsatSurvey.objects.select_related("case", "case__customer").filter(pk=pk).first()
        if isinstance(pk, int)
        else None
    )
    if survey is None:
        raise invalid
    return survey


# --- sending on closing ---------------------------------------------------------------------


@events.subscribe("service.case_status_changed")
def on_status_changed(event: DomainEvent) -> None:
    if (event.payload or {}).get("to") == CaseStatus.CLOSED:
        send_survey(int(event.payload["case_id"]))


def send_survey(case_id: int) -> CsatSurvey | None:
    """Create and send the survey of the case's current closing (once; None if the case is
    no longer closed or this closing already has its survey)."""
    with transaction.atomic():
        case = (
            # only the case row: PostgreSQL locks no row of an outer join's nullable side
            Case.objects.select_for_update(of=("self",))
            .select_related("customer", "interaction__thread")
            .filter(pk=case_id)
            .first()
        )
        if case is None or case.status != CaseStatus.CLOSED or case.closed_at is None:
            return None
        if CsatSurvey.objects.filter(case=case, sent_at__gte=case.closed_at).exists():
            return None
        survey = CsatSurvey.objects.create(case=case, sent_at=timezone.now())
    _deliver(case, survey)
    return survey


def _deliver(case: Case, survey: CsatSurvey) -> None:
    with translation.override(case.customer.language or settings.LANGUAGE_CODE):
        body = gettext(
            "Your request %(number)s is closed. How satisfied are you with our service? "
            "Rate us from 1 to 5: %(url)s"
        ) % {"number": case.number, "url": survey_url(survey)}
        subject = gettext("How did we do? (%(number)s)") % {"number": case.number}
    thread = case.interaction.thread if case.interaction_id and case.interaction else None
    try:
        message = outbound.queue(
            case.customer,
            purpose=Purpose.SERVICE,
            body=body,
            subject=subject,
            thread=thread,
            origin=f"csat:{case.number}",
        )
    except DomainError as exc:  # no channel reaches the customer: say so on the case
        log.info("csat %s not sent: %s", survey.pk, exc.code)
        _note(case, NOT_SENT_NOTE, exc.message)
        return
    survey.outbound, survey.channel = message, message.channel
    survey.save(update_fields=["outbound", "channel"])
    # As outbound.send_now does, but once the event's transaction committed: an SMS or SMTP
    # round trip must not hold the write lock (the queued delivery task is the fallback).
    transaction.on_commit(lambda: outbound.deliver(message.pk), robust=True)
    if message.status in GONE_OUT:
        checklist.tick(case, "follow-up")
    else:  # refused by the contact policy: the follow-up is the agent's to do by hand
        _note(case, NOT_SENT_NOTE, message.reason or message.get_status_display())
    events.publish(
        "service.csat_sent",
        {
            "case_id": case.pk,
            "customer_id": case.customer_id,
            "survey_id": survey.pk,
            "channel": message.channel,
            "delivery": message.status,
        },
    )


def _note(case: Case, msgid: str, reason: Any) -> None:
    """An internal note in the site's language (colleagues read it, not the customer)."""
    with translation.override(settings.LANGUAGE_CODE):
        body = gettext(msgid) % {"reason": str(reason)}
    CaseNote.objects.create(case=case, author=None, internal=True, body=body)


# --- the answer -----------------------------------------------------------------------------


def clean_score(value: Any) -> int:
    try:
        score = int(str(value).strip())
    except (TypeError, ValueError):
        score = 0
    if not 1 <= score <= 5:
        raise DomainError("csat.bad_score", _("Choose a score from 1 to 5."), status=422)
    return score


@transaction.atomic
def answer(token: str, score: Any, comment: str = "") -> CsatSurvey:
    """Store the customer's answer on the survey and the case (the first answer stands)."""
    found = survey_for(token)
    points = clean_score(score)
    survey = CsatSurvey.objects.select_for_update().select_related("case").get(pk=found.pk)
    if survey.answered_at is not None:
        raise DomainError(
            "csat.already_answered",
            _("We already have your answer to this survey; the first one counts. Thank you!"),
            status=409,
        )
    survey.score, survey.comment = points, (comment or "").strip()[:MAX_COMMENT]
    survey.answered_at = timezone.now()
    survey.save(update_fields=["score", "comment", "answered_at"])
    case = Case.objects.select_for_update().get(pk=survey.case_id)
    case.csat_score = points
    case.save(update_fields=["csat_score", "updated_at"])
    low = points <= low_score()
    events.publish(
        "service.csat_answered",
        {
            "case_id": case.pk,
            "customer_id": case.customer_id,
            "survey_id": survey.pk,
            "score": points,
            "low": low,
            "assignee_id": case.assignee_id,
        },
    )
    if low:
        _low_score(case, survey)
    return survey


def supervisors(case: Case) -> list[int]:
    """The team's active supervisors who may see the case (else its assignee)."""
    found: list[int] = []
    if case.team_id is not None:
        profiles = Profile.objects.filter(
            team_id=case.team_id, role=Role.SUPERVISOR, user__is_active=True
        ).select_related("user")
        found = [p.user_id for p in profiles if scoping.can_see(p.user, "cases", case)]
    return found or ([case.assignee_id] if case.assignee_id else [])


def _low_score(case: Case, survey: CsatSurvey) -> None:
    """Alert the supervisors and (by default) reopen: an unhappy customer is a case again."""
    _note(
        case,
        LOW_SCORE_NOTE,
        f"{survey.score}/5" + (f" ({survey.comment})" if survey.comment else ""),
    )
    payload = {
        "case_id": case.pk,
        "number": case.number,
        "subject": case.subject,
        "score": survey.score,
        "url": reverse("service:detail", args=[case.pk]),
    }
    for user_id in dict.fromkeys(supervisors(case)):
        live.push(user_id, LIVE_TOPIC, payload)
    if reopen_on_low() and case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED):
        actions.transition(case, CaseStatus.IN_PROGRESS, None)


def latest(case: Case) -> CsatSurvey | None:
    """The case's newest survey (the case page and the API show it)."""
    return case.surveys.select_related("outbound").order_by("-sent_at", "-id").first()
