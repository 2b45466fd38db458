from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CustomersConfig(AppConfig):
    name = "hudong.customers"
    label = "customers"
    verbose_name = _("Customers")

    def ready(self) -> None:
        from django.db.models.signals import post_delete, post_migrate, post_save

        from hudong.core import audit, scoping
        from hudong.customers import models
        from hudong.customers.imports import job as _import_job  # noqa: F401  (job kind)
        from hudong.customers.quality import forget_questions
        from hudong.customers.resolution import batch  # noqa: F401  (the resolution job kind)

        post_migrate.connect(_seed, sender=self)
        for signal in (post_save, post_delete):
            signal.connect(forget_questions, sender=models.DripQuestion, dispatch_uid="drip")

        scoping.register("customers", models.Customer, region_path="region", owner_path="owner")
        # Merging and unmerging records is a privilege of its own, narrower than reading them.
        scoping.register(
            "merges_allowed",
            models.Customer,
            region_path="region",
            owner_path="owner",
            policy={"supervisor": "region", "admin": "all"},
        )
        # Importing customer lists: where imported records may land.
        scoping.register(
            "imports_allowed",
            models.Customer,
            region_path="region",
            owner_path="owner",
            policy={"admin": "all", "supervisor": "region", "marketer": "all"},
        )
        audit.track(models.Customer, customer="pk")
        audit.track(models.DripQuestion)
        for child in (models.Identifier, models.Address, models.Attribute):
            audit.track(child, customer="customer_id")


def _seed(sender: AppConfig, **kwargs: object) -> None:
    """A fresh database starts with the default drip questions."""
    from hudong.customers.defaults import seed_questions

    seed_questions()
