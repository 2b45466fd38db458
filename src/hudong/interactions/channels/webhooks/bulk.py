"""Record many stored events at once, with exactly the outcome of ``record_interaction()`` called
on each in turn, and a handful of queries instead of a dozen per event.

For a run of events: one query finds the interactions already recorded for them (a retried
event is recorded once); one query per identifier kind finds every identifier row they name
(with its customer, shared or not); one query loads those customers' open and referenced
conversations. Then, event by event in arrival order and in memory, the same decisions as
``record_interaction()``: nobody owns the identifiers, a new customer; one owner, that
customer, who gains the identifiers it lacked; the conversation named by ``thread_ref``, else
the customer's latest open one that moved within ``HUDONG_THREAD_CONTINUE_DAYS``, else a new
one; the breakpoint moves to "waiting on us". Earlier events of the run count for later ones
(a second form from a new phone lands on the customer the first one created).

An event whose identifiers belong to several customers proves they are one person; merging
is rare and delicate, so the run stops there, writes what it decided, and that event goes
through ``record_interaction()`` itself (which merges); the rest continue in a new run.

Writes: customers, identifiers, conversations and interactions with multi-row inserts (ids
chosen as :mod:`hudong.customers.imports.bulk` does), changed conversations with one
``executemany``, the domain events (``customers.customer_created``, ``interactions.recorded``,
the same payloads as the one-by-one path) in one insert with one dispatch task, and one audit
row naming the customers and conversations the run created (the signals the one-by-one path
fires are skipped, as in every bulk write).
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.core.errors import DomainError
from hudong.core.models import Region
from hudong.customers.imports import bulk as rows
from hudong.customers.models import Customer, Identifier
from hudong.customers.names import search_keys
from hudong.interactions.actions import Contact, contact_cost, default_region_code
from hudong.interactions.channels.webhooks import outbox, sql
from hudong.interactions.channels.webhooks.models import WebhookEvent
from hudong.interactions.models import (
    OPEN_STATES,
    Direction,
    Initiator,
    Interaction,
    Thread,
    ThreadState,
    Touchpoint,
)

Key = tuple[str, str]
DEFAULT_LANGUAGE = str(Customer._meta.get_field("language").get_default())


@dataclass(eq=False, slots=True)
class Cust:
    pk: int | None
    language: str
    keys: set[Key] = field(default_factory=set)
    threads: list[Conv] = field(default_factory=list)
    create: dict[str, Any] | None = None


@dataclass(eq=False, slots=True)
class Conv:
    pk: int | None
    customer: Cust
    external_ref: str
    state: str
    last_activity_at: dt.datetime
    create: dict[str, Any] | None = None
    changed: bool = False


@dataclass(slots=True)
class Decided:
    """One event's outcome: recorded (``conv`` set) or already recorded (``interaction_id``)."""

    event_pk: int
    contact: Contact
    customer: Cust | None = None
    conv: Conv | None = None
    created_customer: bool = False
    interaction_id: int | None = None


@dataclass
class Item:
    event_pk: int
    contact: Contact
    keys: list[tuple[str, str, str]]  # (kind, as written, normalised key)


class NeedsMerge(Exception):
    """The event at ``index`` names several customers: it goes the one-by-one way."""

    def __init__(self, index: int) -> None:
        self.index = index


def _owners(kind: str, keys: list[str]) -> list[tuple[str, str, int, bool, str]]:
    """(kind, key, customer, shared, the customer's language) of every identifier of a current
    customer with one of these keys."""
    ident, cust = sql.table(Identifier), sql.table(Customer)
    rows = sql.select_in(
        f"SELECT i.kind, i.normalized, i.customer_id, i.is_shared, c.language FROM {ident} i"
        f" JOIN {cust} c ON c.id = i.customer_id"
        " WHERE i.kind = %s AND c.merged_into_id IS NULL AND i.normalized IN ({marks})",
        [kind],
        keys,
    )
    return [(k, n, int(c), bool(s), str(lang)) for k, n, c, s, lang in rows]


class Run:
    """One run of events through the bulk path; :meth:`decide` then :meth:`write`."""

    def __init__(self, items: list[Item], *, region_id: int) -> None:
        self.items = items
        self.region_id = region_id
        self.now = timezone.now()
        self.sqlite = connection.vendor == "sqlite"
        self.customers: dict[int, Cust] = {}
        self.owner_of: dict[Key, Cust] = {}
        self.decided: list[Decided] = []
        self.new_customers: list[Cust] = []
        self.new_identifiers: list[tuple[Cust, str, str, str, str]] = []
        self.new_convs: list[Conv] = []
        self.costs: dict[tuple[str, str], Decimal] = {}
        self.touchpoints: dict[str, Touchpoint | None] = {}

    # --- loading ----------------------------------------------------------------------------

    def _load(self) -> dict[tuple[str, str], int]:
        ext = [i.contact.external_id for i in self.items if i.contact.external_id]
        channels = sorted({i.contact.channel for i in self.items})
        # The terms name the unique partial index (channel, external_id) WHERE NOT
        # (external_id = ''), so the database searches it instead of scanning every interaction.
        done = {
            (channel, external): int(pk)
            for pk, channel, external in sql.select_in(
                f"SELECT id, channel, external_id FROM {sql.table(Interaction)}"
                f" WHERE NOT (external_id = '') AND channel IN ({sql.marks(len(channels))})"
                " AND external_id IN ({marks})",
                channels,
                ext,
            )
        }
        by_kind: dict[str, set[str]] = {}
        for item in self.items:
            for kind, _raw, key in item.keys:
                by_kind.setdefault(kind, set()).add(key)
        found_rows: list[tuple[str, str, int, bool]] = []
        for kind, keys in by_kind.items():
            for k, key, cid, shared, language in _owners(kind, sorted(keys)):
                if cid not in self.customers:
                    self.customers[cid] = Cust(cid, language)
                found_rows.append((k, key, cid, shared))
        for kind, key, cid, shared in found_rows:
            cust = self.customers[cid]
            cust.keys.add((kind, key))
            if not shared:
                self.owner_of[(kind, key)] = cust
        self._load_threads(sorted(self.customers))
        return done

    def _load_threads(self, ids: list[int]) -> None:
        """The open conversations that moved recently enough to continue, and those named by
        a ``thread_ref`` of the run, of the customers the run found. Read by customer (its
        index) and filtered here: a filter on state would lead the database to the index of
        every open conversation instead."""
        if not ids:
            return
        earliest = min(i.contact.started_at or self.now for i in self.items)
        since = earliest - dt.timedelta(days=settings.HUDONG_THREAD_CONTINUE_DAYS)
        refs = {i.contact.thread_ref for i in self.items if i.contact.thread_ref}
        found = sql.select_in(
            f"SELECT id, customer_id, external_ref, state, {sql.as_text('last_activity_at')}"
            f" FROM {sql.table(Thread)} WHERE customer_id IN ({{marks}})",
            [],
            ids,
        )
        for pk, cid, ref, state, last in found:
            # Most of a customer's conversations are closed or old: only the candidates pay
            # for turning their time into a date-time.
            if state not in OPEN_STATES and not (ref and ref in refs):
                continue
            when = sql.when(last)
            if (state in OPEN_STATES and when >= since) or (ref and ref in refs):
                cust = self.customers[cid]
                cust.threads.append(Conv(pk, cust, ref, state, when))

    # --- deciding ---------------------------------------------------------------------------

    def decide(self) -> None:
        """Decide every event in order; raises :class:`NeedsMerge` at the first event that
        names several customers, with everything before it decided."""
        done = self._load()
        for index, item in enumerate(self.items):
            contact = item.contact
            known = done.get((contact.channel, contact.external_id))
            if known is not None:
                self.decided.append(Decided(item.event_pk, contact, interaction_id=known))
                continue
            pairs = [(kind, key) for kind, _raw, key in item.keys]
            owners = list({id(c): c for k in pairs if (c := self.owner_of.get(k))}.values())
            if len(owners) > 1:
                raise NeedsMerge(index)
            created = not owners
            cust = self._new_customer(item) if created else owners[0]
            for kind, raw, key in item.keys:
                if (kind, key) not in cust.keys:
                    cust.keys.add((kind, key))
                    self.owner_of[(kind, key)] = cust
                    self.new_identifiers.append((cust, kind, raw, key, contact.source))
            conv = self._conversation(contact, cust)
            started = contact.started_at or self.now
            conv.last_activity_at = max(conv.last_activity_at, started)
            conv.state = ThreadState.WAITING_US
            conv.changed = True
            decided = Decided(item.event_pk, contact, cust, conv, created_customer=created)
            self.decided.append(decided)

    def _new_customer(self, item: Item) -> Cust:
        contact = item.contact
        name = (contact.name.strip() or contact.identifiers[0].raw.strip())[:200]
        name_key, name_pinyin = search_keys(name, "")
        cust = Cust(None, DEFAULT_LANGUAGE)
        cust.create = {
            "name": name,
            "region_id": self.region_id,
            "source": contact.source or contact.channel,
            "name_key": name_key,
            "name_pinyin": name_pinyin,
            "created_at": self.now,
            "updated_at": self.now,
        }
        self.new_customers.append(cust)
        return cust

    def _conversation(self, contact: Contact, cust: Cust) -> Conv:
        started = contact.started_at or self.now
        if contact.thread_ref:
            named = [c for c in cust.threads if c.external_ref == contact.thread_ref]
            if named:
                return max(named, key=lambda c: c.last_activity_at)
        if not contact.new_thread:
            since = started - dt.timedelta(days=settings.HUDONG_THREAD_CONTINUE_DAYS)
            live = [
                c for c in cust.threads if c.state in OPEN_STATES and c.last_activity_at >= since
            ]
            if live:
                return max(live, key=lambda c: c.last_activity_at)
        conv = Conv(None, cust, contact.thread_ref[:250], ThreadState.OPEN, started)
        conv.create = {
            "channel": contact.channel,
            "subject": contact.subject[:200],
            "external_ref": contact.thread_ref[:250],
            "skill": contact.skill,
            "opened_at": started,
        }
        cust.threads.append(conv)
        self.new_convs.append(conv)
        return conv

    # --- writing ----------------------------------------------------------------------------

    def write(self) -> dict[int, int]:
        """Write what :meth:`decide` decided; returns event pk → interaction id."""
        created_ids = rows.insert(Customer, [c.create or {} for c in self.new_customers])
        for cust, pk in zip(self.new_customers, created_ids, strict=True):
            cust.pk = pk
        rows.insert_rows(
            Identifier,
            ("customer_id", "kind", "value", "normalized", "source", "created_at"),
            [(c.pk, kind, raw.strip(), key, src[:50], self.now)
             for c, kind, raw, key, src in self.new_identifiers],
        )  # fmt: skip
        self._update_threads()
        thread_ids = rows.insert(Thread, [self._thread_row(c) for c in self.new_convs])
        for conv, pk in zip(self.new_convs, thread_ids, strict=True):
            conv.pk, conv.create = pk, None
        recorded = [d for d in self.decided if d.conv is not None]
        names = INTERACTION_FIELDS
        interaction_ids = rows.insert_rows(
            Interaction, names, [self._interaction_row(d) for d in recorded]
        )
        for decided, pk in zip(recorded, interaction_ids, strict=True):
            decided.interaction_id = pk
        outbox.publish_many(
            [("customers.customer_created", {"customer_id": pk}) for pk in created_ids]
            + [("interactions.recorded", self._event_payload(d)) for d in recorded]
        )
        if created_ids or thread_ids:
            outbox.audit_created(
                WebhookEvent._meta.label,
                str(self.decided[0].event_pk),
                {"webhook_events": len(self.decided), "customers": created_ids,
                 "threads": thread_ids},
            )  # fmt: skip
        return {d.event_pk: int(d.interaction_id or 0) for d in self.decided}

    def _thread_row(self, conv: Conv) -> dict[str, Any]:
        assert conv.create is not None and conv.customer.pk is not None
        return {
            **conv.create,
            "customer_id": conv.customer.pk,
            "language": conv.customer.language,
            "state": conv.state,
            "last_activity_at": conv.last_activity_at,
        }

    def _update_threads(self) -> None:
        changed = [
            c
            for cust in self.customers.values()
            for c in cust.threads
            if c.changed and c.pk is not None
        ]
        if not changed:
            return
        qn = connection.ops.quote_name
        stamp = Thread._meta.get_field("last_activity_at")
        sql = (
            f"UPDATE {qn(Thread._meta.db_table)} SET last_activity_at = %s, state = %s,"
            " closed_at = NULL WHERE id = %s"
        )
        params = [
            (stamp.get_db_prep_save(c.last_activity_at, connection), c.state, c.pk) for c in changed
        ]
        with connection.cursor() as cursor:
            cursor.executemany(sql, params)

    def _cost(self, channel: str, touchpoint_code: str) -> tuple[Decimal, int | None]:
        if touchpoint_code not in self.touchpoints:
            self.touchpoints[touchpoint_code] = (
                Touchpoint.objects.filter(code=touchpoint_code).first() if touchpoint_code else None
            )
        touchpoint = self.touchpoints[touchpoint_code]
        key = (channel, touchpoint_code)
        if key not in self.costs:
            self.costs[key] = contact_cost(channel, 0, touchpoint)
        return self.costs[key], touchpoint.pk if touchpoint else None

    def _interaction_row(self, d: Decided) -> tuple[Any, ...]:
        c = d.contact
        assert d.customer is not None and d.conv is not None
        cost, touchpoint_id = self._cost(c.channel, c.touchpoint)
        inbound = c.direction == Direction.INBOUND
        return (
            d.customer.pk,
            d.conv.pk,
            c.channel,
            c.direction,
            c.initiator or (Initiator.CUSTOMER if inbound else Initiator.COMPANY),
            c.kind,
            c.purpose,
            touchpoint_id,
            c.started_at or self.now,
            0,
            c.subject[:250],
            c.content,
            c.outcome[:200],
            cost,
            c.identifiers[0].raw[:200] if c.identifiers else "",
            c.external_id[:250],
            # SQLite rows go in as prepared values (JSON as its text, which the row helper
            # passes through); elsewhere the ORM prepares the dict itself.
            json.dumps(c.meta, ensure_ascii=False) if self.sqlite else c.meta,
            self.now,
        )

    def _event_payload(self, d: Decided) -> dict[str, Any]:
        assert d.customer is not None and d.conv is not None
        return {
            "interaction_id": d.interaction_id,
            "customer_id": d.customer.pk,
            "thread_id": d.conv.pk,
            "channel": d.contact.channel,
            "direction": d.contact.direction,
            "customer_created": d.created_customer,
        }


INTERACTION_FIELDS = (
    "customer_id",
    "thread_id",
    "channel",
    "direction",
    "initiator",
    "kind",
    "purpose",
    "touchpoint_id",
    "started_at",
    "duration_seconds",
    "subject",
    "content",
    "outcome",
    "cost",
    "identifier_used",
    "external_id",
    "meta",
    "created_at",
)


def region_id(code: str) -> int:
    """The id of the region new customers go to (the default one when ``code`` is empty),
    refused as ``create_customer()`` refuses it."""
    found = Region.objects.filter(code=code or default_region_code()).values_list("pk", flat=True)
    pk = found.first()
    if pk is None:
        raise DomainError("customers.region_unknown", _("Unknown region."), status=422)
    return int(pk)
