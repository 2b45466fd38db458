"""The complaint process on the case page: the checklist with its progress, and the guidance
for the customer's temperament with the form to set it and the escalation button."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from hudong.service import checklist, guidance
from hudong.service.models import Case, Temperament
from hudong.service.sections import Section, register


def _checklist(request: HttpRequest, case: Case) -> dict[str, Any]:
    return {"progress": checklist.progress(case)}


def _guidance(request: HttpRequest, case: Case) -> dict[str, Any]:
    return {
        "guidance": guidance.for_case(case),
        "temperaments": Temperament.choices,
        "can_escalate": case.is_open,
    }


register(Section("checklist", "service/section_checklist.html", _checklist, order=10))
register(Section("guidance", "service/section_guidance.html", _guidance, order=20))
