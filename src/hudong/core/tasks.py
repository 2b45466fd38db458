"""Platform background tasks and their schedules."""

from __future__ import annotations

import logging
from datetime import time, timedelta

from django.db.models import Q
from django.tasks import task
from django.utils import timezone

from hudong.core import events, schedules
from hudong.core.models.schedules import ScheduleRun

log = logging.getLogger(__name__)


@task()
def dispatch_event(event_id: str) -> int:
    """Deliver one domain event to its subscribers."""
    return events.dispatch(event_id)


# Below the default: after a bulk write the worker does the waiting work first and lets the
# subscribers (inbox routing...) catch up after, rather than the reverse.
@task(priority=-10)
def dispatch_events(event_ids: list[str]) -> int:
    """Deliver the domain events a bulk write published (:func:`events.publish_many`)."""
    return sum(events.dispatch(event_id) for event_id in event_ids)


@task()
def run_job(job_id: int) -> str:
    """Do the work of one job (import, export, resolution run...) with its progress recorded."""
    from hudong.core import jobs
    from hudong.core.models.jobs import Job

    job = Job.objects.get(pk=job_id)
    return jobs.execute(job).status


@task()
def heartbeat(run_id: int) -> str:
    """Every minute: proves the worker and the scheduler are alive (shown on the system page),
    and sweeps the outbox for events whose delivery failed."""
    redelivered = events.redeliver_pending()
    outcome = f"ok; redelivered {redelivered} events"
    log.info("heartbeat: %s", outcome)
    schedules.finish(run_id, outcome)
    return outcome


@task()
def nightly_housekeeping(run_id: int) -> str:
    """Nightly: forget schedule bookkeeping older than 30 days."""
    cutoff = timezone.now() - timedelta(days=30)
    deleted, _ = ScheduleRun.objects.filter(Q(slot__lt=cutoff)).delete()
    outcome = f"ok; pruned {deleted} schedule rows"
    schedules.finish(run_id, outcome)
    return outcome


schedules.every("core.heartbeat", timedelta(minutes=1), heartbeat)
schedules.daily("core.nightly_housekeeping", time(2, 30), nightly_housekeeping)
