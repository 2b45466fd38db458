"""Recurring schedules ("every minute", "nightly at 02:00") for the background worker.

Apps register a task with :func:`every` or :func:`daily`. The worker's scheduler loop calls
:func:`enqueue_due` a few times a minute; each due slot is claimed by inserting a
:class:`ScheduleRun` under a unique constraint, so several workers enqueue each slot once.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from hudong.core.models.schedules import ScheduleRun

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Schedule:
    name: str
    task: Any  # a django.tasks Task taking the ScheduleRun id
    interval: timedelta | None = None
    at: time | None = None  # local wall-clock time for daily schedules

    def slot(self, now: datetime) -> datetime:
        """The most recent due time at or before ``now``."""
        if self.interval is not None:
            step = int(self.interval.total_seconds())
            epoch = int(now.timestamp())
            return datetime.fromtimestamp(epoch - epoch % step, tz=now.tzinfo)
        local = timezone.localtime(now)
        assert self.at is not None
        today = local.replace(hour=self.at.hour, minute=self.at.minute, second=0, microsecond=0)
        return today if today <= local else today - timedelta(days=1)


_SCHEDULES: dict[str, Schedule] = {}


def every(name: str, interval: timedelta, task: Any) -> None:
    _SCHEDULES[name] = Schedule(name=name, task=task, interval=interval)


def daily(name: str, at: time, task: Any) -> None:
    _SCHEDULES[name] = Schedule(name=name, task=task, at=at)


def registered() -> list[Schedule]:
    return sorted(_SCHEDULES.values(), key=lambda s: s.name)


def enqueue_due(now: datetime | None = None) -> list[str]:
    """Enqueue every schedule whose current slot has not been claimed yet."""
    now = now or timezone.now()
    enqueued = []
    for schedule in registered():
        slot = schedule.slot(now)
        try:
            with transaction.atomic():
                run = ScheduleRun.objects.create(schedule=schedule.name, slot=slot)
                result = schedule.task.enqueue(run.pk)
                ScheduleRun.objects.filter(pk=run.pk).update(task_id=str(result.id))
        except IntegrityError:
            continue
        log.info("schedule %s: enqueued slot %s", schedule.name, slot.isoformat())
        enqueued.append(schedule.name)
    return enqueued


def finish(run_id: int, outcome: str) -> None:
    ScheduleRun.objects.filter(pk=run_id).update(finished_at=timezone.now(), outcome=outcome[:200])
