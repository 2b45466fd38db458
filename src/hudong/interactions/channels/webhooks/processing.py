"""Processing stored events in the background: each becomes an interaction on its customer.

A task names the events it was enqueued for. A lone event whose source has no backlog goes
through :func:`hudong.interactions.actions.record_interaction`, the path every channel uses;
when events are waiting (a batch, or single deliveries arriving faster than one at a time) they
go together through the bulk path (:mod:`.bulk`), which records the same thing in a few
queries. A task whose events another task already took finds nothing pending and returns.

Each run is one transaction that re-reads the pending rows first (on SQLite the transaction
holds the write lock from its start; on PostgreSQL the rows are locked, skipping rows another
worker holds), so an event is processed once even with several workers. Before each run the
worker gives way to an urgent writer (a ringing call: :mod:`hudong.interactions.channels.priority`).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from hudong.core.errors import DomainError
from hudong.interactions.actions import record_interaction
from hudong.interactions.channels.priority import give_way
from hudong.interactions.channels.webhooks import bulk, sql
from hudong.interactions.channels.webhooks.contact import SourceInfo, Stored, contact_of
from hudong.interactions.channels.webhooks.models import EventStatus, Source, WebhookEvent

log = logging.getLogger(__name__)
RUN = 1000  # events processed together at most


def _info(source_id: int) -> SourceInfo:
    source = Source.objects.select_related("region", "touchpoint").get(pk=source_id)
    return SourceInfo(
        slug=source.slug,
        channel=source.channel,
        region_code=source.region.code if source.region else "",
        touchpoint=source.touchpoint.code if source.touchpoint else "",
    )


def _pending(source_id: int, ids: list[int] | None) -> list[Stored]:
    """The source's events still pending (among ``ids``), oldest first, at most a run's worth;
    on PostgreSQL locked, skipping those another worker holds."""
    columns = f"id, event_id, body, identifiers, {sql.as_text('received_at')}"
    head = f"SELECT {columns} FROM {sql.table(WebhookEvent)} WHERE source_id = %s AND status = %s"
    tail = f" ORDER BY id LIMIT {RUN}"
    if connection.features.has_select_for_update_skip_locked:
        tail += " FOR UPDATE SKIP LOCKED"
    params: list[Any] = [source_id, EventStatus.PENDING.value]
    if ids is None:
        with connection.cursor() as cursor:
            cursor.execute(head + tail, params)
            rows = cursor.fetchall()
    else:
        rows = sql.select_in(head + " AND id IN ({marks})" + tail, params, ids)
    return [Stored(int(pk), e, b, i, sql.when(at)) for pk, e, b, i, at in rows]


def _mark(outcomes: list[tuple[int, str, int | None, str]]) -> None:
    """(event pk, status, interaction id, error code) of each processed event, in one statement."""
    if not outcomes:
        return
    qn = connection.ops.quote_name
    stamp = WebhookEvent._meta.get_field("processed_at").get_db_prep_save(
        timezone.now(), connection
    )
    sql = (
        f"UPDATE {qn(WebhookEvent._meta.db_table)} SET status = %s, interaction_id = %s,"
        " error = %s, processed_at = %s WHERE id = %s"
    )
    with connection.cursor() as cursor:
        cursor.executemany(
            sql, [(status, iid, error[:100], stamp, pk) for pk, status, iid, error in outcomes]
        )


def process(ids: list[int]) -> dict[str, int]:
    """Process the pending events among ``ids`` (and, for a lone event, the backlog of its
    source). Returns how many were processed and how many failed."""
    counts = {"processed": 0, "failed": 0}
    found = sql.select_in(
        f"SELECT DISTINCT source_id FROM {sql.table(WebhookEvent)} WHERE id IN ({{marks}})", [], ids
    )
    sources = sorted({int(source_id) for (source_id,) in found})
    sql.roomy_cache()
    for source_id in sources:
        widen = len(ids) == 1
        give_way()
        with transaction.atomic():
            stored = _pending(source_id, None if widen else ids)
            if not stored:
                continue
            info = _info(source_id)
            outcomes = _one(info, stored[0]) if len(stored) == 1 else _many(info, stored)
            _mark(outcomes)
        for _pk, status, _iid, _error in outcomes:
            counts["processed" if status == EventStatus.PROCESSED else "failed"] += 1
    return counts


def _one(info: SourceInfo, event: Stored) -> list[tuple[int, str, int | None, str]]:
    try:
        with transaction.atomic():
            contact, _keys = contact_of(info, event)
            recorded = record_interaction(contact)
    except DomainError as exc:
        log.warning("webhook event %s not recorded: %s", event.pk, exc.code)
        return [(event.pk, EventStatus.FAILED, None, exc.code)]
    return [(event.pk, EventStatus.PROCESSED, recorded.interaction.pk, "")]


def _many(info: SourceInfo, stored: list[Stored]) -> list[tuple[int, str, int | None, str]]:
    try:
        region_id = bulk.region_id(info.region_code)
    except DomainError as exc:
        return [(e.pk, EventStatus.FAILED, None, exc.code) for e in stored]
    items = []
    for event in stored:
        contact, keys = contact_of(info, event)
        items.append(bulk.Item(event.pk, contact, keys))
    by_pk = {e.pk: e for e in stored}
    outcomes: list[tuple[int, str, int | None, str]] = []
    while items:
        run = bulk.Run(items, region_id=region_id)
        merging: bulk.Item | None = None
        try:
            run.decide()
            rest: list[bulk.Item] = []
        except bulk.NeedsMerge as stop:
            rest = items[stop.index + 1 :]
            merging = items[stop.index]
        written = run.write()
        outcomes += [(pk, EventStatus.PROCESSED, iid, "") for pk, iid in written.items()]
        if merging is not None:
            outcomes += _one(info, by_pk[merging.event_pk])
        items = rest
    return outcomes


def retry_stale(older_than_seconds: int = 60) -> int:
    """Enqueue again the events still pending after a while (a worker died mid-run)."""
    from hudong.interactions.channels.webhooks.tasks import process_events

    cutoff = timezone.now() - dt.timedelta(seconds=older_than_seconds)
    stale: dict[int, list[int]] = {}
    for pk, source_id in WebhookEvent.objects.filter(
        status=EventStatus.PENDING, received_at__lt=cutoff
    ).values_list("pk", "source_id")[:10_000]:
        stale.setdefault(source_id, []).append(pk)
    for pks in stale.values():
        for start in range(0, len(pks), RUN):
            process_events.enqueue(pks[start : start + RUN])
    return sum(len(p) for p in stale.values())


def describe(counts: dict[str, Any]) -> str:
    return f"processed {counts['processed']}, failed {counts['failed']}"
