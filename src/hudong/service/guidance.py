"""Guidance for the agent (D3): how to handle the customer, by how they come across.

The agent sets the case's temperament (calm, emotional, stubborn); the case page shows the
general steps of handling a complaint and, for an emotional or a stubborn customer, the advice
the complaint-handling training gives for them (感情用事者, 固执己见者).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from hudong.core import events
from hudong.core.errors import DomainError
from hudong.service.models import Case, Temperament

GENERAL: list[Promise] = [
    _("Thank the customer for raising it: a complaint is a second chance."),
    _("Listen to the whole story before answering, and take notes."),
    _("Acknowledge the problem and apologise for the inconvenience."),
    _("Find the cause with the facts: the order, the shipment, the product."),
    _("Offer a solution the customer agrees to, and say when it will be done."),
    _("Keep your promise, tell the customer, and follow up afterwards."),
]

BY_TEMPERAMENT: dict[str, list[Promise]] = {
    Temperament.EMOTIONAL: [
        _("Stay calm: do not take the anger personally."),
        _("Let the customer vent; do not interrupt."),
        _("Listen carefully and show you have heard what matters to them."),
        _("Soothe: acknowledge the feelings before the facts."),
        _("Keep a modest, polite tone, but stay principled: promise only what you can keep."),
    ],
    Temperament.STUBBORN: [
        _("First show that you understand the customer's point of view."),
        _("Then invite them to look at it from both sides, towards mutual understanding."),
        _("Explain patiently, with facts and options, and do not argue."),
        _("Be patient: persuading takes several steps; agree on one at a time."),
    ],
}

TITLES: dict[str, Promise] = {
    Temperament.CALM: _("A calm customer"),
    Temperament.EMOTIONAL: _("An emotional customer"),
    Temperament.STUBBORN: _("A stubborn customer"),
}


@dataclass(frozen=True)
class Guidance:
    temperament: str
    title: str
    advice: list[str]
    general: list[str]


def for_case(case: Case) -> Guidance:
    """What the agent should keep in mind for this case's customer, in the UI language."""
    temperament = case.temperament if case.temperament in Temperament.values else "calm"
    return Guidance(
        temperament=temperament,
        title=str(TITLES[temperament]),
        advice=[str(line) for line in BY_TEMPERAMENT.get(temperament, [])],
        general=[str(line) for line in GENERAL],
    )


@transaction.atomic
def set_temperament(case: Case, temperament: str, user: Any) -> Case:
    """The agent says how the customer comes across; the guidance follows."""
    if temperament not in Temperament.values:
        raise DomainError(
            "cases.bad_temperament", _("Choose calm, emotional or stubborn."), status=422
        )
    case = Case.objects.select_for_update().get(pk=case.pk)
    if case.temperament != temperament:
        before = case.temperament
        case.temperament = temperament
        case.save(update_fields=["temperament", "updated_at"])
        events.publish(
            "service.case_temperament_set",
            {
                "case_id": case.pk,
                "from": before,
                "to": temperament,
                "by": getattr(user, "pk", None),
            },
        )
    return case
