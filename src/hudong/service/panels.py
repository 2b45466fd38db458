"""The open cases panel on the customer page (one query)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from hudong.customers.models import Customer
from hudong.customers.panels import Panel, register
from hudong.service import queries


def _open_cases(user: Any, customer: Customer) -> dict[str, Any]:
    return {"cases": queries.open_cases(user, customer), "customer_id": customer.pk}


def _open_cases_prepared(user: Any, customer: Customer) -> dict[str, Any]:
    return {"cases": queries.open_cases_prepared(user, customer), "customer_id": customer.pk}


def _open_cases_data(ctx: dict[str, Any]) -> dict[str, Any]:
    return {
        "open": [
            {
                "id": c.pk,
                "number": c.number,
                "subject": c.subject,
                "status": c.status,
                "priority": c.priority,
                "category": c.category.code,
                "assignee_id": c.assignee_id,
                "created_at": c.created_at.isoformat(),
            }
            for c in ctx["cases"]
        ]
    }


register(
    Panel(
        "open_cases",
        _("Open cases"),
        "service/panel_cases.html",
        _open_cases,
        order=3,
        data=_open_cases_data,
        prepared=_open_cases_prepared,
    )
)
