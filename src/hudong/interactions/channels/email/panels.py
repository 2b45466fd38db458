"""The customer page's panel of files the customer emailed (downloads only)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from hudong.customers.models import Customer
from hudong.customers.panels import Panel, register
from hudong.interactions.channels.email import queries


def _context(user: Any, customer: Customer) -> dict[str, Any]:
    return {"attachments": queries.recent_attachments(user, customer.pk)}


register(
    Panel(
        "email_attachments",
        _("Email attachments"),
        "email_channel/panel_attachments.html",
        _context,
        order=45,
    )
)
