"""The customer page's panel of the latest emails, each readable in full with its files."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from hudong.customers.models import Customer
from hudong.customers.panels import Panel, register
from hudong.interactions.channels.email import queries


def _context(user: Any, customer: Customer) -> dict[str, Any]:
    return {"mails": queries.recent_mails(user, customer.pk)}


register(
    Panel(
        "emails",
        _("Emails"),
        "email_channel/panel_emails.html",
        _context,
        order=45,
    )
)
