from django.utils.translation import gettext_lazy as _

from hudong.core.navigation import NavItem, register

register(NavItem("webchat", _("Web chat"), "webchat:console", order=24, resource="threads"))
