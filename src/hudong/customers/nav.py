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
register(NavItem("import", _("Import"), "customers:import", order=16, resource="imports_allowed"))
register(NavItem("export", _("Export"), "customers:export", order=17, resource="customers"))
