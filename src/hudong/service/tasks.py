"""Background work of the service area."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from hudong.core import schedules


@task()
def sla_sweep(run_id: int) -> str:
    """Every minute: warn the cases nearing an SLA breach, escalate the breached ones."""
    from hudong.service import sla

    counts = sla.sweep()
    outcome = f"ok; warned {counts['warned']}, breached {counts['breached']}"
    schedules.finish(run_id, outcome)
    return outcome


schedules.every("service.sla_sweep", timedelta(minutes=1), sla_sweep)
