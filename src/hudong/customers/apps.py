from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "hudong.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from hudong.core import audit, scoping
        from hudong.customers import models

        scoping.register("customers", models.Customer, region_path="region", owner_path="owner")
        audit.track(models.Customer, customer="pk")
        for child in (models.Identifier, models.Address, models.Attribute):
            audit.track(child, customer="customer_id")
