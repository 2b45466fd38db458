from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class InsightsConfig(AppConfig):
    name = "hudong.insights"
    label = "insights"
    verbose_name = _("Insights")

    def ready(self) -> None:
        from hudong.core import audit, scoping
        from hudong.insights import (  # noqa: F401  (registries)
            models,
            panels,
            queries,
            segments,
            tasks,
        )
        from hudong.insights.kpis import facts  # noqa: F401  (after-run hook: dashboard facts)
        from hudong.insights.rootcause import volumes  # noqa: F401  (after-run hook: volumes)
        from hudong.interactions import tiers

        tiers.use_source(queries.tiers_of)
        segments.install()  # after-run hook: segment snapshots

        scoping.register(
            "insights",
            models.CustomerValue,
            region_path="customer__region",
            owner_path="customer__owner",
        )
        audit.track(models.ValuePolicy)
        audit.track(models.FollowUpTask, customer="customer_id")
