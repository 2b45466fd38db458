from django.utils.translation import gettext_lazy as _

from hudong.core.navigation import NavItem, register

register(NavItem("cases", _("Cases"), "service:queue", order=30, resource="cases"))
