"""The customer page's panel of the latest emails (each readable in full) and of the files
the customer sent (downloads only)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from hudong.customers.models import Customer
from hudong.customers.panels import Panel, register
from hudong.interactions.channels.email import queries


def _context(user: Any, customer: Customer) -> dict[str, Any]:
    return {
        "mails": queries.recent_mails(user, customer.pk),
        "attachments": queries.recent_attachments(user, customer.pk),
    }


register(
    Panel(
        "email_attachments",
        _("Emails and attachments"),
        "email_channel/panel_attachments.html",
        _context,
        order=45,
    )
)
