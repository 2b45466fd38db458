"""The complaint process on the case page: the checklist with its progress, the guidance for
the customer's temperament with the form to set it and the escalation button, and (for a case
filed on the public form) what the customer wrote through their status link."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from hudong.service import checklist, guidance, public
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


def _from_customer(request: HttpRequest, case: Case) -> dict[str, Any]:
    """Only for web-form cases: what the customer wrote through their status link."""
    if case.source != "web_form":
        return {"entries": None}
    return {"entries": [e for e in public.conversation(case) if e.from_customer]}


register(Section("checklist", "service/section_checklist.html", _checklist, order=10))
register(Section("guidance", "service/section_guidance.html", _guidance, order=20))
register(Section("from-customer", "service/public_section_messages.html", _from_customer, order=25))
