"""Receiving: verify, check, store durably, answer. Nothing slow happens while the sender waits.

One event is stored with one ``INSERT … ON CONFLICT DO NOTHING RETURNING`` and its processing
task enqueued in the same small transaction (the task backend keeps tasks in the database), so
the 2xx is sent only once both are on disk. A batch is stored the same way in one statement.
The unique (source, event id) constraint makes a retry of a stored event a no-op: it is
acknowledged as a duplicate and never processed twice.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.core.errors import DomainError
from hudong.interactions.channels.webhooks import payload
from hudong.interactions.channels.webhooks.models import (
    EventStatus,
    Source,
    SourceSecret,
    WebhookEvent,
)

MAX_BATCH = 1000
SOURCE_CACHE_SECONDS = 5.0  # a revoked secret stops verifying in other processes within this


def max_bytes() -> int:
    return int(getattr(settings, "HUDONG_WEBHOOK_MAX_BYTES", 256 * 1024))


def max_batch_bytes() -> int:
    return int(getattr(settings, "HUDONG_WEBHOOK_BATCH_MAX_BYTES", 8 * 1024 * 1024))


@dataclass(frozen=True)
class Verifier:
    """What verifying a source's requests needs, cached briefly per process."""

    source_id: int
    slug: str
    secrets: tuple[str, ...]
    tolerance: int


_SOURCES: dict[str, tuple[float, Verifier | None]] = {}


def forget_sources(**kwargs: Any) -> None:
    _SOURCES.clear()


post_save.connect(forget_sources, sender=Source, dispatch_uid="webhooks:forget:source")
post_delete.connect(forget_sources, sender=Source, dispatch_uid="webhooks:forget:source-del")
post_save.connect(forget_sources, sender=SourceSecret, dispatch_uid="webhooks:forget:secret")
post_delete.connect(forget_sources, sender=SourceSecret, dispatch_uid="webhooks:forget:del")


def cached(slug: str) -> Verifier | None:
    """The source's verifier if this process holds it fresh (no database access), else None."""
    found = _SOURCES.get(slug)
    if found is None or found[0] < time.monotonic():
        return None
    return found[1]


def verifier(slug: str) -> Verifier:
    """The active source ``slug`` with its active secrets; 404 ``webhooks.source_unknown``."""
    now = time.monotonic()
    cached = _SOURCES.get(slug)
    if cached is None or cached[0] < now:
        source = Source.objects.filter(slug=slug, is_active=True).first()
        found = None
        if source is not None:
            secrets = SourceSecret.objects.filter(source=source, revoked_at__isnull=True)
            found = Verifier(
                source.pk,
                source.slug,
                tuple(secrets.values_list("secret", flat=True)),
                source.tolerance_seconds,
            )
        cached = _SOURCES[slug] = (now + SOURCE_CACHE_SECONDS, found)
    if cached[1] is None:
        raise DomainError("webhooks.source_unknown", _("Unknown webhook source."), status=404)
    return cached[1]


def _json(body: bytes) -> Any:
    # UTF-8 first: json.loads would also take UTF-16/32 bytes that the store cannot keep.
    try:
        return json.loads(body.decode("utf-8"))
    except (ValueError, UnicodeDecodeError) as exc:
        raise payload.malformed() from exc


_COLUMNS = (
    "source_id, event_id, body, identifiers, received_at, status, error, processed_at,"
    " interaction_id"
)


def _insert(source_id: int, rows: list[tuple[str, str, str]]) -> dict[str, int]:
    """Store (event id, body, identifiers) rows; returns event id → row id of those stored
    now (an event id already stored is left alone)."""
    if not rows:
        return {}
    stamp = WebhookEvent._meta.get_field("received_at").get_db_prep_save(timezone.now(), connection)
    table = connection.ops.quote_name(WebhookEvent._meta.db_table)
    values = ", ".join(["(%s, %s, %s, %s, %s, %s, '', NULL, NULL)"] * len(rows))
    params: list[Any] = []
    for event_id, body, identifiers in rows:
        params += (source_id, event_id, body, identifiers, stamp, EventStatus.PENDING)
    sql = (
        f"INSERT INTO {table} ({_COLUMNS}) VALUES {values}"
        " ON CONFLICT (source_id, event_id) DO NOTHING RETURNING id, event_id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return {event_id: int(pk) for pk, event_id in cursor.fetchall()}


@dataclass
class Receipt:
    """What the sender is told about one event."""

    event_id: str
    duplicate: bool
    pk: int | None = None


@dataclass(frozen=True)
class Prepared:
    """One event verified and checked, ready to be stored."""

    source_id: int
    event_id: str
    body: str
    identifiers: str


def prepare(slug: str, body: bytes) -> Prepared:
    """Check one (already verified) event body of source ``slug``; raises a ``DomainError``."""
    source = verifier(slug)
    checked = payload.check(_json(body))
    text = body.decode("utf-8")
    return Prepared(source.source_id, checked.event_id, text, payload.pack(checked.identifiers))


def store(events: list[Prepared]) -> list[Receipt]:
    """Store events (of any sources) in one transaction, one task per source for those new;
    the same event id twice, here or stored before, is a duplicate. Several requests' events
    share a commit this way (see :mod:`.ingest`)."""
    from hudong.interactions.channels.webhooks.tasks import process_events

    by_source: dict[int, list[Prepared]] = {}
    for event in events:
        by_source.setdefault(event.source_id, []).append(event)
    stored: dict[tuple[int, str], int] = {}
    with transaction.atomic():
        for source_id, group in by_source.items():
            unique: dict[str, tuple[str, str, str]] = {}
            for e in group:  # the first delivery of an id is the one kept
                unique.setdefault(e.event_id, (e.event_id, e.body, e.identifiers))
            rows = list(unique.values())
            found = _insert(source_id, rows)
            stored.update({(source_id, event_id): pk for event_id, pk in found.items()})
            if found:
                process_events.enqueue(sorted(found.values()))
    receipts = []
    for event in events:
        pk = stored.pop((event.source_id, event.event_id), None)  # a repeat is a duplicate
        receipts.append(Receipt(event.event_id, duplicate=pk is None, pk=pk))
    return receipts


def receive(slug: str, body: bytes) -> Receipt:
    """Store one verified event body and enqueue its processing."""
    return store([prepare(slug, body)])[0]


@dataclass
class BatchReceipt:
    accepted: list[str] = field(default_factory=list)
    duplicates: list[str] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "accepted": len(self.accepted),
            "duplicates": self.duplicates,
            "rejected": self.rejected,
        }


def _rejection(index: int, item: Any, exc: DomainError) -> dict[str, Any]:
    event_id = item.get("id") if isinstance(item, dict) else None
    return {
        "index": index,
        "id": event_id if isinstance(event_id, str | int) else None,
        "code": exc.code,
        "detail": str(exc.message),
        **exc.extra,
    }


def receive_batch(slug: str, body: bytes) -> BatchReceipt:
    """Store the good events of a batch (``{"events": [...]}``) and enqueue one task that
    processes them together; the bad ones are reported by index with their code."""
    from hudong.interactions.channels.webhooks.tasks import process_events

    source = verifier(slug)
    data = _json(body)
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list) or not events:
        raise DomainError(
            "webhooks.body_malformed", _("The body is not a list of events."), status=422
        )
    if len(events) > MAX_BATCH:
        raise DomainError(
            "webhooks.batch_too_large",
            _("A batch holds at most %(n)s events.") % {"n": MAX_BATCH},
            status=413,
        )
    receipt = BatchReceipt()
    rows: list[tuple[str, str, str]] = []
    seen: set[str] = set()
    dumps = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
    for index, item in enumerate(events):
        try:
            checked = payload.check(item)
        except DomainError as exc:
            receipt.rejected.append(_rejection(index, item, exc))
            continue
        if checked.event_id in seen:
            receipt.duplicates.append(checked.event_id)
            continue
        seen.add(checked.event_id)
        rows.append((checked.event_id, dumps(item), payload.pack(checked.identifiers)))
    with transaction.atomic():
        stored = _insert(source.source_id, rows)
        if stored:
            process_events.enqueue(sorted(stored.values()))
    for event_id, _body, _ids in rows:
        (receipt.accepted if event_id in stored else receipt.duplicates).append(event_id)
    return receipt
