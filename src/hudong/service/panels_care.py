"""The open care tasks panel on the customer page (one query)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from hudong.customers.models import Customer
from hudong.customers.panels import Panel, register
from hudong.service import care_queries


def _care_tasks(user: Any, customer: Customer) -> dict[str, Any]:
    return {"tasks": care_queries.customer_open_tasks(user, customer), "customer_id": customer.pk}


def _care_tasks_prepared(user: Any, customer: Customer) -> dict[str, Any]:
    return {
        "tasks": care_queries.customer_open_tasks_prepared(user, customer),
        "customer_id": customer.pk,
    }


def _care_tasks_data(ctx: dict[str, Any]) -> dict[str, Any]:
    return {
        "open": [
            {
                "id": t.pk,
                "rule": t.rule.name,
                "trigger": t.rule.trigger,
                "due_at": t.due_at.isoformat(),
                "assignee_id": t.assignee_id,
                "shipment_id": t.shipment_id,
                "order_line_id": t.order_line_id,
            }
            for t in ctx["tasks"]
        ]
    }


register(
    Panel(
        "care_tasks",
        _("Care tasks"),
        "service/care_panel.html",
        _care_tasks,
        order=4,
        data=_care_tasks_data,
        prepared=_care_tasks_prepared,
    )
)
