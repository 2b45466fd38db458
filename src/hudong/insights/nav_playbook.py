from django.utils.translation import gettext_lazy as _

from hudong.core.navigation import NavItem, register

register(NavItem("playbook", _("Playbook"), "playbook:index", order=62, resource="insights"))
register(NavItem("my_tasks", _("My tasks"), "playbook:my_tasks", order=63, resource="insights"))
