"""The panel registry of the customer page (the 360 view).

Higher apps (commerce, interactions, service, insights...) register a panel here at start-up;
the customer page renders every registered panel in order, each from its own template and
context function. Adding a panel never edits the customer page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from hudong.customers.models import Customer

PanelContext = Callable[[Any, Customer], dict[str, Any]]
PanelData = Callable[[dict[str, Any]], dict[str, Any]]


@dataclass(frozen=True)
class Panel:
    key: str
    title: Any
    template: str
    context: PanelContext
    order: int = 100
    # The panel's context as JSON for the API's 360 payload (None: the panel is page-only).
    data: PanelData | None = None
    # A lead panel opens the page, above the profile (the conversation's breakpoint).
    lead: bool = False
    # The same context read with prepared SQL (:mod:`hudong.core.prepared`), for the screen
    # pop, where compiling the ORM's queries would cost more than the reads. It must give
    # exactly what ``context`` gives (a test compares them); None: the screen pop uses
    # ``context``.
    prepared: PanelContext | None = None


_PANELS: dict[str, Panel] = {}


def register(panel: Panel) -> None:
    _PANELS[panel.key] = panel


def render_context(user: Any, customer: Customer) -> list[dict[str, Any]]:
    """Each panel with its context, ready for the customer page."""
    return [
        {
            "key": p.key,
            "title": p.title,
            "template": p.template,
            "lead": p.lead,
            **p.context(user, customer),
        }
        for p in sorted(_PANELS.values(), key=lambda p: (p.order, p.key))
    ]


def payload(user: Any, customer: Customer, *, prepared: bool = False) -> dict[str, Any]:
    """Every panel that has an API form, by key, for the 360 payload; ``prepared`` reads each
    panel's context through its prepared form where it has one (the screen pop)."""
    out: dict[str, Any] = {}
    for p in sorted(_PANELS.values(), key=lambda p: (p.order, p.key)):
        if p.data is not None:
            context = p.prepared if prepared and p.prepared is not None else p.context
            out[p.key] = p.data(context(user, customer))
    return out
