"""Domain events through a transactional outbox.

``publish()`` writes the event row in the caller's transaction and enqueues its dispatch in
the same transaction (the task backend stores tasks in the database), so an event exists
if and only if the change that caused it committed. Dispatch runs every subscriber that has
not yet handled the event and records each delivery; a periodic sweep re-dispatches events
whose dispatch failed. Delivery is therefore at least once: handlers must be idempotent.

Lower apps publish; higher apps subscribe. That keeps dependencies pointing down.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from hudong.core.context import current_actor
from hudong.core.ids import time_ordered_uuid
from hudong.core.models.events import DomainEvent, EventDelivery

log = logging.getLogger(__name__)
Handler = Callable[[DomainEvent], None]
_SUBSCRIBERS: dict[str, list[tuple[str, Handler]]] = {}


def subscribe(event_name: str) -> Callable[[Handler], Handler]:
    """Register ``handler`` for ``event_name`` (``"*"`` for every event)."""

    def register(handler: Handler) -> Handler:
        key = f"{handler.__module__}.{handler.__qualname__}"
        handlers = _SUBSCRIBERS.setdefault(event_name, [])
        if all(k != key for k, _ in handlers):
            handlers.append((key, handler))
        return handler

    return register


def subscribers_of(event_name: str) -> list[tuple[str, Handler]]:
    return _SUBSCRIBERS.get(event_name, []) + _SUBSCRIBERS.get("*", [])


def publish(name: str, payload: dict[str, Any]) -> DomainEvent:
    """Record an event as part of the current transaction and schedule its dispatch."""
    from hudong.core.tasks import dispatch_event

    event = DomainEvent.objects.create(name=name, payload=payload, actor_id=current_actor().user_id)
    if subscribers_of(name):
        dispatch_event.enqueue(str(event.pk))
    else:
        DomainEvent.objects.filter(pk=event.pk).update(dispatched_at=timezone.now())
    return event


def publish_many(
    items: list[tuple[str, dict[str, Any]]], *, dispatch_after: dt.timedelta | None = None
) -> list[str]:
    """:func:`publish` for a bulk write: one row per (name, payload) in a few statements, and
    one dispatch task for them all (``dispatch_after`` holds the subscribers back a while, so
    a bulk run can let its own work go first). Returns the event ids (time-ordered: see
    :func:`time_ordered_uuid`)."""
    if not items:
        return []
    from hudong.core.tasks import dispatch_events

    now = timezone.now()
    stamp = DomainEvent._meta.get_field("occurred_at").get_db_prep_save(now, connection)
    body = DomainEvent._meta.get_field("payload")
    actor = current_actor().user_id
    wanted = {name: bool(subscribers_of(name)) for name in {n for n, _p in items}}
    ids = [time_ordered_uuid() for _ in items]
    id_field = DomainEvent._meta.pk
    assert id_field is not None
    params = [
        (
            id_field.get_db_prep_save(pk, connection),
            name,
            body.get_db_prep_save(payload, connection),
            stamp,
            actor,
            None if wanted[name] else stamp,
            0,
            "",
        )
        for pk, (name, payload) in zip(ids, items, strict=True)
    ]
    qn = connection.ops.quote_name
    sql = (
        f"INSERT INTO {qn(DomainEvent._meta.db_table)} (id, name, payload, occurred_at,"
        " actor_id, dispatched_at, attempts, last_error) VALUES (%s, %s, %s, %s, %s, %s, %s, %s)"
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)
    pending = [str(pk) for pk, (name, _p) in zip(ids, items, strict=True) if wanted[name]]
    if pending:
        task = (
            dispatch_events.using(run_after=now + dispatch_after)
            if dispatch_after
            else dispatch_events
        )
        task.enqueue(pending)
    return [str(pk) for pk in ids]


def dispatch(event_id: str) -> int:
    """Run every pending subscriber of one event. Returns how many ran now."""
    event = DomainEvent.objects.filter(pk=event_id).first()
    if event is None:
        return 0
    done = set(event.deliveries.values_list("handler", flat=True))
    ran, failed = 0, []
    for key, handler in subscribers_of(event.name):
        if key in done:
            continue
        try:
            with transaction.atomic():
                handler(event)
                EventDelivery.objects.create(event=event, handler=key)
            ran += 1
        except IntegrityError:
            continue  # another worker delivered it concurrently
        except Exception as exc:  # a failing subscriber must not block the others
            log.exception("event %s: subscriber %s failed", event.pk, key)
            failed.append(f"{key}: {exc}")
    DomainEvent.objects.filter(pk=event.pk).update(
        attempts=event.attempts + 1,
        dispatched_at=None if failed else timezone.now(),
        last_error="\n".join(failed)[:4000],
    )
    return ran


def redeliver_pending(older_than: timedelta = timedelta(minutes=1), limit: int = 500) -> int:
    """Dispatch events still undelivered after ``older_than`` (a crash, a failing handler)."""
    cutoff = timezone.now() - older_than
    ids = list(
        DomainEvent.objects.filter(dispatched_at__isnull=True, occurred_at__lt=cutoff)
        .order_by("occurred_at")
        .values_list("pk", flat=True)[:limit]
    )
    for event_id in ids:
        dispatch(str(event_id))
    return len(ids)
