from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "hudong.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from hudong.core import audit, scoping
        from hudong.insights import models, tasks  # noqa: F401  (registries)

        scoping.register(
            "insights",
            models.CustomerValue,
            region_path="customer__region",
            owner_path="customer__owner",
        )
        audit.track(models.ValuePolicy)
