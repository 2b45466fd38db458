from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "hudong.service"
    label = "service"
    verbose_name = _("Service")

    def ready(self) -> None:
        from django.db.models.signals import post_migrate

        from hudong.core import audit, scoping
        from hudong.service import (  # noqa: F401  (registries)
            care_tasks,
            models,
            panels,
            sections_complaints,
            sections_recovery,
            sections_rootcause,
            tasks,
        )

        post_migrate.connect(_seed, sender=self)
        scoping.register(
            "cases", models.Case, region_path="customer__region", owner_path="customer__owner"
        )
        audit.track(models.Case, customer="customer_id")
        audit.track(models.CaseNote)
        audit.track(models.CaseCategory)
        audit.track(models.SlaPolicy)
        audit.track(models.RootCause)
        audit.track(models.ChecklistStep)
        audit.track(models.CaseChecklistItem)
        audit.track(models.RecoveryAction)
        audit.track(models.CsatSurvey)
        audit.track(models.CareRule)
        audit.track(models.CareTask, customer="customer_id")


def _seed(sender: AppConfig, **kwargs: object) -> None:
    from hudong.service.defaults import seed

    seed()
