from django.utils.translation import gettext_lazy as _

from hudong.core.navigation import NavItem, register

register(NavItem("customers", _("Customers"), "customers:list", order=10, resource="customers"))
register(
    NavItem(
        "duplicates",
        _("Duplicates"),
        "customers:duplicates",
        order=12,
        resource="merges_allowed",
    )
)
register(
    NavItem("data_quality", _("Data quality"), "customers:worklist", order=14, resource="customers")
)
