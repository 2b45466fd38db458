from django.utils.translation import gettext_lazy as _

from hudong.core.navigation import NavItem, register

register(NavItem("segments", _("Segments"), "segments:list", order=61, resource="customers"))
