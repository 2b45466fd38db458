from django.utils.translation import gettext_lazy as _

from hudong.core.navigation import NavItem, register

register(NavItem("dashboards", _("Dashboards"), "dashboards:index", order=60, resource="insights"))
