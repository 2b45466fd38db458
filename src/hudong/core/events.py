"""Domain events through a transactional outbox.

``publish()`` writes the event row in the caller's transaction and enqueues its dispatch in
the same transaction (the task backend stores tasks in the database), so an event exists
if and only if the change that caused it committed. Dispatch runs every subscriber that has
not yet handled the event and records each delivery; a periodic sweep re-dispatches events
whose dispatch failed. Delivery is therefore at least once: handlers must be idempotent.

Lower apps publish; higher apps subscribe. That keeps dependencies pointing down.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from hudong.core.context import current_actor
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
