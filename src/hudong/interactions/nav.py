from django.utils.translation import gettext_lazy as _

from hudong.core.navigation import NavItem, register

register(
    NavItem(
        "touchpoints",
        _("Touchpoints"),
        "interactions:touchpoints",
        order=40,
        resource="interactions",
    )
)
register(
    NavItem(
        "cost_to_serve",
        _("Cost to serve"),
        "interactions:cost_to_serve",
        order=42,
        resource="interactions",
    )
)
