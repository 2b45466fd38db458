from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CommerceConfig(AppConfig):
    name = "hudong.commerce"
    label = "commerce"
    verbose_name = _("Commerce")

    def ready(self) -> None:
        from hudong.commerce import imports as _imports  # noqa: F401  (registers import kinds)
        from hudong.commerce import models, panels  # noqa: F401
        from hudong.core import audit, scoping

        scoping.register(
            "orders", models.Order, region_path="customer__region", owner_path="customer__owner"
        )
        scoping.register(
            "invoices",
            models.Invoice,
            region_path="customer__region",
            owner_path="customer__owner",
        )
        audit.track(models.Order, customer="customer_id")
        audit.track(models.Invoice, customer="customer_id")
        audit.track(models.Return, customer="customer_id")
        for model in (models.Product, models.Category, models.Carrier, models.Warehouse):
            audit.track(model)
