"""The case page's service-recovery and satisfaction sections, registered at start-up.

Importing :mod:`hudong.service.csat` here also subscribes the survey to the case's closing.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from hudong.service import csat, recovery
from hudong.service.forms_recovery import InformForm, OutcomeForm, RecoveryActionForm
from hudong.service.models import Case, CaseStatus
from hudong.service.sections import Section, register


def recovery_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    return {
        "recovery": recovery.summary(case),
        "can_act": case.status != CaseStatus.CLOSED,
        "can_set_outcome": case.status in (CaseStatus.RESOLVED, CaseStatus.CLOSED),
        "action_form": RecoveryActionForm(),
        "inform_form": InformForm(),
        "outcome_form": OutcomeForm(initial={"outcome": case.recovery_outcome or None}),
    }


def csat_context(request: HttpRequest, case: Case) -> dict[str, Any]:
    return {"survey": csat.latest(case), "low_score": csat.low_score()}


register(Section("recovery", "service/section_recovery.html", recovery_context, order=40))
register(Section("csat", "service/section_csat.html", csat_context, order=45))
