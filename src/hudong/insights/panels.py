"""Insights panels on the customer page: what the customer is worth (tier, lists, value, RFM,
CLV and churn risk) and the follow-up tasks still open. One query each."""

from __future__ import annotations

from functools import partial
from typing import Any

from django.utils.translation import gettext_lazy as _

from hudong.core.prepared import Prepared
from hudong.customers.models import Customer
from hudong.customers.panels import Panel, register
from hudong.insights.models import CustomerValue
from hudong.insights.playbook import queries as playbook_queries

# (flag, label): the lists of 表7.1/7.2 a customer can be on
BADGES = (
    ("is_gold", _("Gold")),
    ("is_mvc", _("MVC")),
    ("is_mgc", _("MGC")),
    ("is_drag", _("Drag")),
    ("is_bzc", _("BZC")),
)


_VALUE = Prepared(lambda cid: CustomerValue.objects.filter(customer_id=cid).order_by("pk")[:1])


def _value(user: Any, customer: Customer, prepared: bool = False) -> dict[str, Any]:
    rows = _VALUE(customer.pk) if prepared else _VALUE.orm(customer.pk)
    value = rows[0] if rows else None
    badges = [(key[3:], label) for key, label in BADGES if value and getattr(value, key)]
    return {"value": value, "badges": badges, "customer_id": customer.pk}


def _money(amount: Any) -> str | None:
    return None if amount is None else str(amount)


def _value_data(ctx: dict[str, Any]) -> dict[str, Any]:
    v: CustomerValue | None = ctx["value"]
    if v is None:
        return {"computed": False}
    return {
        "computed": True,
        "tier": v.tier,
        "lists": [key for key, _label in ctx["badges"]],
        "revenue": _money(v.revenue),
        "gross_margin": _money(v.gross_margin),
        "cost_to_serve": _money(v.cost_to_serve),
        "profit": _money(v.profit),
        "rfm": v.rfm,
        "r_score": v.r_score,
        "f_score": v.f_score,
        "m_score": v.m_score,
        "clv": _money(v.clv),
        "clv_low": _money(v.clv_low),
        "clv_high": _money(v.clv_high),
        "p_alive": v.p_alive,
        "expected_purchases": v.expected_purchases,
        "computed_at": v.computed_at.isoformat() if v.computed_at else None,
        "run_id": v.run_id,
    }


def _tasks(user: Any, customer: Customer) -> dict[str, Any]:
    return {"tasks": playbook_queries.open_tasks(customer), "customer_id": customer.pk}


register(
    Panel(
        "value",
        _("Value and lifetime value"),
        "insights/playbook/panel_value.html",
        _value,
        order=3,
        data=_value_data,
        prepared=partial(_value, prepared=True),
    )
)
# Page only: the screen pop's payload does not pay for the task list.
register(
    Panel(
        "open_tasks",
        _("Open tasks"),
        "insights/playbook/panel_tasks.html",
        _tasks,
        order=4,
    )
)
