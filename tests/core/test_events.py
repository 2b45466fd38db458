"""Domain events: written with the change, delivered after commit, at least once, idempotently."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django_tasks_db.models import DBTaskResult

from hudong.core import events
from hudong.core.ids import time_ordered_uuid
from hudong.core.models import DomainEvent, EventDelivery
from hudong.customers import actions

SEEN: list[str] = []
FLAKY = {"fail": True}


@events.subscribe("tests.ping")
def record_ping(event: DomainEvent) -> None:
    SEEN.append(event.payload["n"])


@events.subscribe("tests.flaky")
def flaky(event: DomainEvent) -> None:
    if FLAKY["fail"]:
        raise RuntimeError("downstream unavailable")
    SEEN.append("flaky-ok")


@pytest.fixture(autouse=True)
def _reset() -> None:
    SEEN.clear()
    FLAKY["fail"] = True


@pytest.mark.django_db(transaction=True)
def test_event_rolls_back_with_its_change(region_a: Any) -> None:
    # Given a change that fails after publishing its event
    with pytest.raises(RuntimeError), transaction.atomic():
        actions.create_customer(user=None, name="回滚", region_code=region_a.code)
        raise RuntimeError("boom")
    # Then neither the customer's event nor a dispatch task exists
    assert not DomainEvent.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_the_worker_delivers_each_event_once_per_subscriber() -> None:
    # Given an event published in a committed transaction
    with transaction.atomic():
        event = events.publish("tests.ping", {"n": "1"})
    assert DBTaskResult.objects.count() == 1
    # When the worker runs, and the same event is dispatched again (at-least-once)
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)
    events.dispatch(str(event.pk))
    # Then the subscriber ran once, and the delivery is recorded
    assert SEEN == ["1"]
    assert EventDelivery.objects.filter(event=event).count() == 1
    event.refresh_from_db()
    assert event.dispatched_at is not None


@pytest.mark.django_db(transaction=True)
def test_a_failing_subscriber_is_retried_by_the_sweep() -> None:
    with transaction.atomic():
        event = events.publish("tests.flaky", {})
    events.dispatch(str(event.pk))
    event.refresh_from_db()
    assert event.dispatched_at is None and "downstream unavailable" in event.last_error
    # When the downstream recovers and the periodic sweep runs
    FLAKY["fail"] = False
    assert events.redeliver_pending(older_than=timedelta(0)) == 1
    # Then it is delivered, once
    event.refresh_from_db()
    assert SEEN == ["flaky-ok"] and event.dispatched_at is not None and event.attempts == 2
    assert events.redeliver_pending(older_than=timedelta(0)) == 0


@pytest.mark.django_db
def test_updating_a_customer_publishes_what_changed(customer_a: Any) -> None:
    actions.update_customer(customer_a, {"industry": "零售"})
    event = DomainEvent.objects.get(name="customers.customer_updated")
    assert event.payload == {"customer_id": customer_a.pk, "fields": ["industry"]}


def test_bulk_event_ids_are_unique_uuids_that_grow_with_time() -> None:
    import time
    import uuid

    first = [time_ordered_uuid() for _ in range(2000)]
    time.sleep(0.002)
    later = time_ordered_uuid()
    assert len(set(first)) == 2000
    assert all(u.version == 7 and u.variant == uuid.RFC_4122 for u in [*first, later])
    # the first 48 bits are the time in milliseconds: never behind, and ahead of earlier ones
    assert later.hex > max(u.hex for u in first)
    stamps = [int(u.hex[:12], 16) for u in first]
    assert stamps == sorted(stamps)
    assert abs(stamps[0] - time.time_ns() // 1_000_000) < 5_000
