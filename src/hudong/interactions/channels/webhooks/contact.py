"""A stored event as the contact it records: one function, used by the one-by-one path
(:func:`hudong.interactions.actions.record_interaction`) and by the bulk path alike, so both
record exactly the same interaction for the same event."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from hudong.customers.resolution.ingest import Incoming
from hudong.interactions.actions import Contact
from hudong.interactions.channels.webhooks import payload
from hudong.interactions.models import ContactKind, Direction, Purpose


@dataclass(frozen=True)
class SourceInfo:
    """The parts of a source that shape its contacts (read once per batch)."""

    slug: str
    channel: str
    region_code: str
    touchpoint: str


@dataclass
class Stored:
    """One stored event row, as the worker reads it."""

    pk: int
    event_id: str
    body: str
    identifiers: str
    received_at: dt.datetime


def external_id(slug: str, event_id: str) -> str:
    """The interaction's channel id: unique per source and event, so an event is recorded once."""
    return f"{slug}:{event_id}"[:250]


def contact_of(source: SourceInfo, event: Stored) -> tuple[Contact, list[tuple[str, str, str]]]:
    """The contact the event records, and its identifiers (kind, as written, normalised key)
    as checked on receipt."""
    data: dict[str, Any] = json.loads(event.body)
    keys = payload.unpack(event.identifiers)
    customer = data.get("customer") or {}
    meta: dict[str, Any] = {"webhook": source.slug, "event_id": event.event_id}
    if data.get("type"):
        meta["type"] = data["type"]
    if data.get("data"):
        meta["data"] = data["data"]
    contact = Contact(
        channel=data.get("channel") or source.channel,
        direction=Direction.INBOUND,
        identifiers=[Incoming(kind, raw) for kind, raw, _key in keys],
        name=customer.get("name") or "",
        region_code=source.region_code,
        kind=data.get("kind") or ContactKind.NONPERSONAL,
        purpose=data.get("purpose") or Purpose.SERVICE,
        subject=data.get("subject") or "",
        content=data.get("content") or "",
        started_at=payload.occurred_at(data) or event.received_at,
        external_id=external_id(source.slug, event.event_id),
        thread_ref=data.get("thread_ref") or "",
        touchpoint=source.touchpoint,
        meta=meta,
        source=f"webhook:{source.slug}"[:50],
    )
    return contact, keys
