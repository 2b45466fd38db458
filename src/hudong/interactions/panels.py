"""Interaction panels on the customer page: the breakpoint (leads the page) and the timeline."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from hudong.customers.models import Customer
from hudong.customers.panels import Panel, register
from hudong.interactions import policy, queries
from hudong.interactions.models import Channel


def _iso(value: Any) -> str | None:
    return value.isoformat() if value else None


def _breakpoint(user: Any, customer: Customer) -> dict[str, Any]:
    return {"threads": queries.breakpoints(user, customer), "customer_id": customer.pk}


def _breakpoint_prepared(user: Any, customer: Customer) -> dict[str, Any]:
    return {"threads": queries.breakpoints_prepared(user, customer), "customer_id": customer.pk}


def _breakpoint_data(ctx: dict[str, Any]) -> dict[str, Any]:
    return {
        "open": [
            {
                "thread_id": t.pk,
                "subject": t.subject,
                "channel": t.channel,
                "state": t.state,
                "next_step": t.next_step,
                "next_step_due": _iso(t.next_step_due),
                "overdue": t.is_overdue,
                "last_activity_at": _iso(t.last_activity_at),
            }
            for t in ctx["threads"]
        ]
    }


def _timeline(user: Any, customer: Customer) -> dict[str, Any]:
    return {
        "interactions": queries.timeline(user, customer),
        "channels": Channel.choices,
        "customer_id": customer.pk,
    }


def _timeline_prepared(user: Any, customer: Customer) -> dict[str, Any]:
    return {
        "interactions": queries.timeline_prepared(user, customer),
        "channels": Channel.choices,
        "customer_id": customer.pk,
    }


def _contact(user: Any, customer: Customer) -> dict[str, Any]:
    return {"policy": policy.summary(customer), "customer_id": customer.pk}


def _timeline_data(ctx: dict[str, Any]) -> dict[str, Any]:
    return {
        "interactions": [
            {
                "id": i.pk,
                "channel": i.channel,
                "direction": i.direction,
                "started_at": _iso(i.started_at),
                "subject": i.subject,
                "outcome": i.outcome,
                "thread_id": i.thread_id,
            }
            for i in ctx["interactions"][: queries.TIMELINE_LATEST]
        ]
    }


register(
    Panel(
        "breakpoint",
        _("Where we left off"),
        "interactions/panel_breakpoint.html",
        _breakpoint,
        order=1,
        data=_breakpoint_data,
        lead=True,
        prepared=_breakpoint_prepared,
    )
)
register(
    Panel(
        "timeline",
        _("Timeline"),
        "interactions/panel_timeline.html",
        _timeline,
        order=5,
        data=_timeline_data,
        prepared=_timeline_prepared,
    )
)
# Page only (no API form): the screen pop does not pay for the consent ledger read.
register(
    Panel(
        "contact_policy",
        _("Contact policy and consent"),
        "interactions/panel_contact.html",
        _contact,
        order=40,
    )
)
