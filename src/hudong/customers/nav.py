from django.utils.translation import gettext_lazy as _

from hudong.core.navigation import NavItem, register

register(NavItem("customers", _("Customers"), "customers:list", order=10, resource="customers"))
