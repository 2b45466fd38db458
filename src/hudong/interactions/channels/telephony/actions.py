"""Every write of the telephony channel: an event from the switch, a disposition by the agent.

An event is acted on once: its id is stored in the same transaction as its effects, so a
retried delivery finds it and does nothing. The screen pop is a live message written in that
transaction too (:func:`hudong.core.live.push`): the pop exists exactly when the event counted.
An agent waits for that transaction, so it goes ahead of bulk ingest for SQLite's write lock
(:func:`hudong.interactions.channels.priority.urgent`).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hudong.core import audit, events, live
from hudong.core.errors import DomainError
from hudong.core.models.audit import AuditAction
from hudong.customers.resolution.ingest import Incoming
from hudong.interactions.actions import Contact, record_interaction, set_breakpoint
from hudong.interactions.channels import priority
from hudong.interactions.channels.telephony import pop
from hudong.interactions.channels.telephony.models import Call, CallEvent, CallState, Extension
from hudong.interactions.channels.telephony.schemas import CtiEvent
from hudong.interactions.models import Channel, Interaction, ThreadState


@dataclass
class Handled:
    call: Call
    duplicate: bool = False
    popped: bool = False
    interaction_id: int | None = None


def agent_at(extension: str) -> Any:
    """The active agent answering ``extension``, or None (an unassigned extension pops nobody)."""
    if not extension:
        return None
    row = (
        Extension.objects.select_related("user", "user__profile")
        .filter(number=extension, active=True, user__is_active=True)
        .first()
    )
    return row.user if row is not None else None


def _pop(call: Call, agent: Any, event: CtiEvent) -> bool:
    """Show the call on ``agent``'s screen unless it is there already (a transfer pops anew)."""
    if agent is None or agent.pk in call.popped_user_ids:
        return False
    # The call's number: an "answered" event after a transfer may not repeat it.
    payload, customer = pop.ringing(
        agent, call.number, call_id=call.call_id, sent_at=event.timestamp.isoformat()
    )
    live.push(agent.pk, "screen_pop", payload)
    call.popped_user_ids = [*call.popped_user_ids, agent.pk]
    if customer is not None:
        call.customer = customer
    return True


def _record(call: Call, event: CtiEvent) -> Interaction | None:
    """Log the finished call on the customer's timeline (None: no number and nobody known)."""
    answered = call.answered_at is not None
    ended = call.ended_at or event.timestamp
    if answered and call.answered_at is not None:
        started = call.answered_at
        seconds = event.duration
        if seconds is None:
            seconds = max(int((ended - started).total_seconds()), 0)
    else:
        started, seconds = call.rang_at or ended, 0
    identifiers = [Incoming("phone", call.number)] if pop.valid_number(call.number) else []
    if not identifiers and call.customer is None:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        subject = "" if answered else gettext("Missed call")
    recorded = record_interaction(
        Contact(
            channel=Channel.PHONE,
            direction=call.direction,
            identifiers=identifiers,
            customer=call.customer if not identifiers else None,
            subject=subject,
            started_at=started,
            duration_seconds=seconds,
            agent=call.agent,
            external_id=call.call_id,
            source="telephony",
            meta={
                "call_id": call.call_id,
                "extension": call.extension,
                "answered": answered,
                "rang_at": call.rang_at.isoformat() if call.rang_at else None,
            },
        )
    )
    return recorded.interaction


def _store(event: CtiEvent) -> tuple[Call, bool]:
    """The call this event belongs to, and whether the event is new."""
    call, _created = Call.objects.get_or_create(
        call_id=event.call_id,
        defaults={"number": event.number, "direction": event.direction},
    )
    try:
        with transaction.atomic():
            CallEvent.objects.create(
                event_id=event.event_id, call=call, kind=event.type, sent_at=event.timestamp
            )
    except IntegrityError:
        return call, False
    return call, True


def handle_event(event: CtiEvent) -> Handled:
    """Act on one authenticated event from the switch; the same event id twice acts once.
    The transaction is urgent: a person is waiting for the screen pop it writes."""
    with priority.urgent(), transaction.atomic():
        return _handle(event)


def _handle(event: CtiEvent) -> Handled:
    call, new = _store(event)
    if not new:
        return Handled(call, duplicate=True)
    agent = agent_at(event.extension)
    if event.number and not call.number:
        call.number = event.number
    if event.extension:
        call.extension = event.extension
    if agent is not None:
        call.agent = agent
    handled = Handled(call)
    if event.type == "ringing":
        call.rang_at = call.rang_at or event.started_at or event.timestamp
        handled.popped = _pop(call, agent, event)
    elif event.type == "answered":
        call.answered_at = event.answered_at or event.timestamp
        call.rang_at = call.rang_at or event.started_at
        if call.state != CallState.ENDED:
            call.state = CallState.ANSWERED
        handled.popped = _pop(call, agent, event)
    else:
        call.state = CallState.ENDED
        call.ended_at = event.ended_at or event.timestamp
        call.answered_at = call.answered_at or event.answered_at
        call.rang_at = call.rang_at or event.started_at
        if call.interaction is None:
            call.interaction = _record(call, event)
            if call.interaction is not None and call.agent is not None:
                message = pop.ended(
                    call.agent,
                    call.interaction,
                    call_id=call.call_id,
                    answered=call.answered_at is not None,
                )
                live.push(call.agent.pk, "call_ended", message)
    call.save()
    handled.interaction_id = call.interaction_id
    events.publish(
        f"telephony.{event.type}",
        {
            "call_id": call.call_id,
            "agent_id": call.agent_id,
            "customer_id": call.customer_id,
            "interaction_id": call.interaction_id,
        },
    )
    return handled


@transaction.atomic
def set_disposition(
    interaction: Interaction,
    *,
    user: Any,
    outcome: str,
    next_step: str = "",
    due: dt.datetime | None = None,
    state: str = "",
) -> Interaction:
    """The agent's word on a finished call: how it went, and where the conversation stands."""
    if interaction.channel != Channel.PHONE:
        raise DomainError(
            "telephony.not_a_call", _("Only a phone call takes a disposition."), status=422
        )
    if state and state not in ThreadState.values:
        raise DomainError(
            "interactions.state_unknown", _("Unknown conversation state."), status=422
        )
    before = interaction.outcome
    interaction.outcome = outcome.strip()[:200]
    interaction.save(update_fields=["outcome"])
    audit.record(
        AuditAction.UPDATE,
        interaction,
        before={"outcome": before},
        after={"outcome": interaction.outcome},
        customer_id=interaction.customer_id,
    )
    if interaction.thread is not None:
        set_breakpoint(
            interaction.thread,
            user=user,
            state=state or None,
            next_step=next_step,
            due=due,
            clear_due=due is None,
        )
    events.publish(
        "telephony.disposition_set",
        {
            "interaction_id": interaction.pk,
            "customer_id": interaction.customer_id,
            "agent_id": getattr(user, "pk", None),
        },
    )
    return interaction
