"""Domain events and audit rows for a bulk write: what :func:`hudong.core.events.publish` and
the audit signals do, for a thousand records in a few statements (the events through
:func:`hudong.core.events.publish_many`)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings

from hudong.core import events
from hudong.core.context import current_actor
from hudong.core.models.audit import AuditAction, AuditEntry


def publish_many(items: list[tuple[str, dict[str, Any]]]) -> list[str]:
    """The bulk run's domain events (:func:`hudong.core.events.publish_many`). A deployment
    may hold their subscribers back a while (a benchmark measuring ingest alone does); by
    default they run as soon as a worker is free."""
    delay = float(getattr(settings, "HUDONG_WEBHOOK_DISPATCH_DELAY", 0))
    return events.publish_many(items, dispatch_after=dt.timedelta(seconds=delay) if delay else None)


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
