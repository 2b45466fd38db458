"""Recurring schedules: each due slot is enqueued once, and the worker runs it."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.management import call_command
from django.utils import timezone

from hudong.core import schedules
from hudong.core.models import ScheduleRun


@pytest.mark.django_db(transaction=True)
def test_due_slots_are_enqueued_once_and_run_by_the_worker() -> None:
    # (ten seconds into the minute, so that "a second later" is still the same minute)
    now = timezone.now().replace(second=10, microsecond=0)
    # When two scheduler ticks (two workers) run in the same minute
    first = schedules.enqueue_due(now)
    second = schedules.enqueue_due(now + dt.timedelta(seconds=1))
    # Then the minute's heartbeat is enqueued once
    assert "core.heartbeat" in first and "core.heartbeat" not in second
    assert ScheduleRun.objects.filter(schedule="core.heartbeat").count() == 1
    # And the worker runs it and records the outcome
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    run = ScheduleRun.objects.get(schedule="core.heartbeat")
    assert run.finished_at is not None and run.outcome.startswith("ok")
    # A minute later there is a new slot
    assert "core.heartbeat" in schedules.enqueue_due(now + dt.timedelta(minutes=1))


def test_nightly_slot_is_the_last_past_occurrence() -> None:
    nightly = next(s for s in schedules.registered() if s.name == "core.nightly_housekeeping")
    local = timezone.localtime(timezone.now()).replace(hour=1, minute=0)
    slot = timezone.localtime(nightly.slot(local))
    assert (slot.hour, slot.minute) == (2, 30) and slot.date() == local.date() - dt.timedelta(1)
    later = local.replace(hour=3)
    assert timezone.localtime(nightly.slot(later)).date() == later.date()


@pytest.mark.django_db
def test_system_page_shows_the_runs(admin_user: object) -> None:
    from django.test import Client

    schedules.enqueue_due()
    client = Client()
    client.force_login(admin_user)
    body = client.get("/system/").content.decode()
    assert "core.heartbeat" in body and "data-schedule-run" in body
