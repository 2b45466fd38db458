"""Background work of the webhooks channel."""

from __future__ import annotations

from datetime import timedelta

from django.tasks import task

from hudong.core import schedules


@task()
def process_events(event_ids: list[int]) -> str:
    """Record stored webhook events as interactions (see :mod:`.processing`)."""
    from hudong.interactions.channels.webhooks import processing

    return processing.describe(processing.process(event_ids))


@task()
def retry_stale_events(run_id: int) -> str:
    """Every minute: events still waiting a minute after they arrived are queued again."""
    from hudong.interactions.channels.webhooks import processing

    outcome = f"ok; requeued {processing.retry_stale()} events"
    schedules.finish(run_id, outcome)
    return outcome


schedules.every("webhooks.retry_stale", timedelta(minutes=1), retry_stale_events)
