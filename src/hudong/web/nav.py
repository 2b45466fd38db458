from django.utils.translation import gettext_lazy as _

from hudong.core.navigation import NavItem, register

register(NavItem("home", _("Home"), "web:home", order=0))
register(NavItem("system", _("System"), "web:system", order=900, staff_only=True))
register(NavItem("audit", _("Audit trail"), "web:audit", order=910, staff_only=True))
