"""Customer care at start-up: the "care" scope resource, the hourly rules run, the default
rules on a fresh install and the customer-page panel (imported by ServiceConfig.ready)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.apps import apps
from django.db.models.signals import post_migrate
from django.tasks import task

from hudong.core import schedules, scoping
from hudong.service import panels_care  # noqa: F401  (registers the panel)
from hudong.service.models import CareTask


@task()
def care_rules(run_id: int) -> str:
    """Every hour: create the care tasks that fell due and hand them to the rules' teams."""
    from hudong.service import care

    counts = care.run_rules()
    outcome = (
        f"ok; rules {counts['rules']}, created {counts['created']}, "
        f"skipped {counts['skipped']}, assigned {counts['assigned']}"
    )
    schedules.finish(run_id, outcome)
    return outcome


def _seed(sender: Any, **kwargs: Any) -> None:
    from hudong.service import care

    care.seed()


schedules.every("service.care_rules", timedelta(hours=1), care_rules)
# A care task is seen by whoever may see its customer, the same way as a case.
scoping.register("care", CareTask, region_path="customer__region", owner_path="customer__owner")
post_migrate.connect(
    _seed, sender=apps.get_app_config("service"), dispatch_uid="hudong.service.care.seed"
)
