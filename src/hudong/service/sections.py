"""The section registry of the case page.

The complaint checklist, service recovery, the satisfaction survey and the root cause each add
a section to the case page from their own module, so the page never has to know them. A section
is a template and a context function; the page renders them in order below the case header.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString

from hudong.service.models import Case

SectionContext = Callable[[HttpRequest, Case], dict[str, Any]]


@dataclass(frozen=True)
class Section:
    key: str
    template: str
    context: SectionContext
    order: int = 100


_SECTIONS: dict[str, Section] = {}


def register(section: Section) -> None:
    _SECTIONS[section.key] = section


def render_all(request: HttpRequest, case: Case) -> list[SafeString]:
    """Every registered section rendered for ``case``, in order."""
    return [
        render_to_string(s.template, {"case": case, **s.context(request, case)}, request=request)
        for s in sorted(_SECTIONS.values(), key=lambda s: (s.order, s.key))
    ]
