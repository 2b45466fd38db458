"""Background work of the SMS channel."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from hudong.core import schedules


@task()
def apply_overtaken_receipts(run_id: int) -> str:
    """Every minute: delivery receipts that arrived before their send landed are applied."""
    from hudong.interactions.channels.sms import actions

    applied = actions.apply_overtaken()
    outcome = f"ok; applied {applied} receipts"
    schedules.finish(run_id, outcome)
    return outcome


schedules.every("sms.apply_overtaken_receipts", timedelta(minutes=1), apply_overtaken_receipts)
