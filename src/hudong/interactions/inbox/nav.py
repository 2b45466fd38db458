"""The inbox's entries in the main navigation (discovered by the web app)."""

from django.utils.translation import gettext_lazy as _

from hudong.core.navigation import NavItem, register

register(NavItem("inbox", _("Inbox"), "inbox:queue", order=20, resource="threads"))
register(
    NavItem(
        "agent_metrics", _("Agent metrics"), "inbox:metrics", order=22, resource="agent_metrics"
    )
)
