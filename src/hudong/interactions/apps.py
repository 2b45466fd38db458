from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InteractionsConfig(AppConfig):
    name = "hudong.interactions"
    label = "interactions"
    verbose_name = _("Interactions")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from hudong.core import audit, scoping
        from hudong.interactions import merging, models, panels, tasks  # noqa: F401  (registries)

        post_migrate.connect(_seed, sender=self)
        scoping.register(
            "interactions",
            models.Interaction,
            region_path="customer__region",
            owner_path="customer__owner",
        )
        scoping.register(
            "threads", models.Thread, region_path="customer__region", owner_path="customer__owner"
        )
        audit.track(models.Thread, customer="customer_id")
        audit.track(models.ConsentEntry, customer="customer_id")
        audit.track(models.ContactPolicy, customer="customer_id")
        audit.track(models.Touchpoint)
        audit.track(models.ChannelCost)


def _seed(sender: AppConfig, **kwargs: object) -> None:
    """A fresh database starts with channel costs and the usual touchpoints."""
    from hudong.interactions.defaults import seed

    seed()
