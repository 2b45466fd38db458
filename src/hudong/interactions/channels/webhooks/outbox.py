"""Domain events and audit rows for a bulk write: what :func:`hudong.core.events.publish` and
the audit signals do, for a thousand records in a few statements.

Each event is its own row, with the payload the one-by-one path gives it, written in the
caller's transaction (so it exists if and only if the change committed). Dispatch is one task
for the whole run rather than one per event; an event without subscribers is marked
dispatched at once, as ``publish()`` does. A failed dispatch is retried by the platform's
outbox sweep like any other event.
"""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone

from hudong.core import events
from hudong.core.context import current_actor
from hudong.core.models.audit import AuditAction, AuditEntry
from hudong.core.models.events import DomainEvent


def publish_many(items: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """Write one domain event per (name, payload) and schedule their dispatch; returns ids."""
    if not items:
        return []
    from hudong.interactions.channels.webhooks.tasks import dispatch_events

    now = timezone.now()
    stamp = DomainEvent._meta.get_field("occurred_at").get_db_prep_save(now, connection)
    body = DomainEvent._meta.get_field("payload")
    actor = current_actor().user_id
    wanted = {name: bool(events.subscribers_of(name)) for name in {n for n, _p in items}}
    ids = [uuid.uuid4() for _ in items]
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
        # A deployment may hold the subscribers back a while (a benchmark measuring ingest
        # alone does); by default they run as soon as a worker is free.
        delay = float(getattr(settings, "HUDONG_WEBHOOK_DISPATCH_DELAY", 0))
        task = (
            dispatch_events.using(run_after=now + dt.timedelta(seconds=delay))
            if delay
            else dispatch_events
        )
        task.enqueue(pending)
    return [str(pk) for pk in ids]


def audit_created(model: str, object_pk: str, after: dict[str, Any]) -> None:
    """One audit row for the records a bulk run created (the signals were skipped)."""
    actor = current_actor()
    AuditEntry.objects.create(
        actor_id=actor.user_id,
        actor_name=actor.name,
        via=actor.via or "webhooks",
        action=AuditAction.CREATE,
        model=model,
        object_pk=object_pk,
        customer_id=None,
        before=None,
        after=after,
    )
