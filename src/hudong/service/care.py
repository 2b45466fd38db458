"""Customer care (D6): the rules engine that turns deliveries and warranties into care tasks.

Care is not marketing: a follow-up call a few days after a delivery, a reminder before a
product's warranty ends, both meant to keep the customer. :func:`run_rules` runs hourly.

Rules of the engine:

- **Idempotent.** A task is unique per rule and shipment (after delivery) or per rule and order
  line (warranty); anchors that already have a task are left out, and the insert ignores
  conflicts, so two workers running at once still create each task once.
- **A recent window only.** An anchor is considered when its due moment falls between
  ``WINDOW_BEFORE`` (7 days) ago and ``WINDOW_AHEAD`` (1 day) ahead. A first run on a big
  database therefore creates the tasks of the last week, never millions of overdue ones; an
  anchor the worker missed for more than a week is not worth a call any more.
- **Warranty start.** The warranty runs from the order's first delivery, or from the order date
  while nothing is delivered, for ``Product.warranty_months`` (0: no warranty, no task).
  Orders are pre-selected by date, assuming a delivery comes within ``DELIVERY_LAG`` (90 days)
  of the order.
- **Consent.** Care is a service purpose. Service contact is allowed unless the customer said
  otherwise, so a customer whose latest service-purpose entry in the consent ledger for every
  channel or for the phone is a withdrawal gets no task (the same reading as the contact
  policy, customer- and identifier-bound entries alike).
- **Tier filter.** A rule with a value tier only creates tasks for customers of that tier.
- **Assignment.** Within the rule's team, among active agents and supervisors who may see the
  task (``core.scoping`` on "care"): the member with the fewest open care tasks takes the next
  one, ties by user id, so equal members take turns (round robin by load). Nobody: the task
  waits unassigned in the team's list.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from hudong.commerce.models import OrderLine, OrderStatus, Product, Shipment, ShipmentStatus
from hudong.core import scoping
from hudong.core.models import Role
from hudong.customers.models import Identifier
from hudong.interactions.models import ANY_CHANNEL, Channel, ConsentEntry, Purpose
from hudong.interactions.tiers import value_tiers
from hudong.service.models import CareRule, CareTask, CareTaskStatus, CareTrigger

WINDOW_BEFORE = dt.timedelta(days=7)
WINDOW_AHEAD = dt.timedelta(days=1)
DELIVERY_LAG = dt.timedelta(days=90)
CHUNK = 1000
WORKERS = (Role.AGENT, Role.SUPERVISOR)

# name, trigger, days, instructions: the two rules a fresh installation starts with.
DEFAULT_RULES: list[tuple[str, str, int, str]] = [
    (
        "收货回访",
        CareTrigger.AFTER_DELIVERY,
        3,
        "收货三天后致电客户：确认商品完好、会用，有问题当场登记。这是关怀，不是推销。",
    ),
    (
        "保修到期提醒",
        CareTrigger.WARRANTY_EXPIRY,
        30,
        "保修到期前一个月提醒客户：检查产品状况，保修期内的问题尽快报修。",
    ),
]


def seed() -> None:
    """Add a default rule for a trigger that has none; never touch a rule the company edited.
    (To stop a default rule, deactivate it: a deleted one comes back on the next upgrade.)"""
    for name, trigger, days, instructions in DEFAULT_RULES:
        if not CareRule.objects.filter(trigger=trigger).exists():
            CareRule.objects.create(
                name=name, trigger=trigger, days=days, instructions=instructions
            )


@dataclass(frozen=True)
class Anchor:
    """What a task is about: a shipment or an order line of a customer, and when it is due."""

    customer_id: int
    due_at: dt.datetime
    shipment_id: int | None = None
    order_line_id: int | None = None


def add_months(at: dt.datetime, months: int) -> dt.datetime:
    """``at`` moved by whole months, the day clipped to the month's end (31 Jan + 1 = 28 Feb)."""
    index = at.month - 1 + months
    year, month = at.year + index // 12, index % 12 + 1
    return at.replace(year=year, month=month, day=min(at.day, calendar.monthrange(year, month)[1]))


def _chunks(qs: QuerySet[Any], fields: tuple[str, ...]) -> Iterator[list[tuple[Any, ...]]]:
    """``qs`` as value tuples in primary-key order, ``CHUNK`` rows per read (keyset paging)."""
    last = 0
    while True:
        rows = list(qs.filter(pk__gt=last).order_by("pk").values_list("pk", *fields)[:CHUNK])
        if not rows:
            return
        yield rows
        last = rows[-1][0]


def _delivery_anchors(rule: CareRule, now: dt.datetime) -> Iterator[list[Anchor]]:
    """Shipments delivered ``rule.days`` before a due moment inside the window."""
    days = dt.timedelta(days=rule.days)
    done = CareTask.objects.filter(rule=rule, shipment__isnull=False).values("shipment_id")
    qs = Shipment.objects.filter(
        status=ShipmentStatus.DELIVERED,
        delivered_at__gte=now - WINDOW_BEFORE - days,
        delivered_at__lte=now + WINDOW_AHEAD - days,
    ).exclude(pk__in=done)
    for rows in _chunks(qs, ("order__customer_id", "delivered_at")):
        yield [Anchor(c, at + days, shipment_id=pk) for pk, c, at in rows]


def _warranty_anchors(rule: CareRule, now: dt.datetime) -> Iterator[list[Anchor]]:
    """Order lines whose warranty ends ``rule.days`` after a due moment inside the window."""
    days = dt.timedelta(days=rule.days)
    low, high = now - WINDOW_BEFORE, now + WINDOW_AHEAD
    done = CareTask.objects.filter(rule=rule, order_line__isnull=False).values("order_line_id")
    first_delivery = (
        Shipment.objects.filter(order=OuterRef("order_id"), delivered_at__isnull=False)
        .order_by("delivered_at")
        .values("delivered_at")[:1]
    )
    months_used = Product.objects.filter(warranty_months__gt=0).values_list(
        "warranty_months", flat=True
    )
    for months in sorted(set(months_used)):
        # the warranty start that puts the due moment at the window's edges, a day wider
        start_low = add_months(low + days, -months) - dt.timedelta(days=1)
        start_high = add_months(high + days, -months) + dt.timedelta(days=1)
        qs = (
            OrderLine.objects.filter(
                product__warranty_months=months,
                order__ordered_at__gte=start_low - DELIVERY_LAG,
                order__ordered_at__lte=start_high,
            )
            .exclude(order__status=OrderStatus.CANCELLED)
            .exclude(pk__in=done)
            .annotate(delivered=Subquery(first_delivery))
        )
        for rows in _chunks(qs, ("order__customer_id", "order__ordered_at", "delivered")):
            anchors = []
            for pk, customer_id, ordered_at, delivered in rows:
                due = add_months(delivered or ordered_at, months) - days
                if low <= due <= high:
                    anchors.append(Anchor(customer_id, due, order_line_id=pk))
            yield anchors


ANCHORS = {
    CareTrigger.AFTER_DELIVERY: _delivery_anchors,
    CareTrigger.WARRANTY_EXPIRY: _warranty_anchors,
}


def withdrawn(customer_ids: list[int]) -> set[int]:
    """The customers among ``customer_ids`` whose last word on service contact by phone (or
    on every channel) is a withdrawal: one read of the ledger and one of identifiers."""
    if not customer_ids:
        return set()
    owners: dict[tuple[str, str], list[int]] = {}
    for cid, kind, key in Identifier.objects.filter(customer_id__in=customer_ids).values_list(
        "customer_id", "kind", "normalized"
    ):
        owners.setdefault((kind, key), []).append(cid)
    keys = {key for _kind, key in owners}
    entries = (
        ConsentEntry.objects.filter(
            purpose=Purpose.SERVICE, channel__in=(ANY_CHANNEL, Channel.PHONE)
        )
        .filter(Q(customer_id__in=customer_ids) | Q(identifier_key__in=keys))
        .order_by("-at", "-id")
        .values_list("customer_id", "identifier_kind", "identifier_key", "granted")
    )
    wanted = set(customer_ids)
    said: dict[int, bool] = {}
    for cid, kind, key, granted in entries:
        for who in ([cid] if cid in wanted else []) + owners.get((kind, key), []):
            said.setdefault(who, granted)
    return {cid for cid, granted in said.items() if not granted}


def _keep(rule: CareRule, anchors: list[Anchor]) -> list[Anchor]:
    """Drop customers who withdrew service contact, and those outside the rule's tier."""
    ids = list({a.customer_id for a in anchors})
    out = withdrawn(ids)
    if rule.tier:
        tiers = value_tiers(ids)
        out |= {cid for cid in ids if tiers.get(cid) != rule.tier}
    return [a for a in anchors if a.customer_id not in out]


def _create(rule: CareRule, anchors: list[Anchor], now: dt.datetime) -> int:
    CareTask.objects.bulk_create(
        [
            CareTask(
                rule=rule,
                customer_id=a.customer_id,
                shipment_id=a.shipment_id,
                order_line_id=a.order_line_id,
                due_at=a.due_at,
                team_id=rule.team_id,
                created_at=now,
            )
            for a in anchors
        ],
        ignore_conflicts=True,
    )
    return len(anchors)


def team_members(team_id: int) -> list[Any]:
    return list(
        get_user_model()
        .objects.filter(is_active=True, profile__team_id=team_id, profile__role__in=WORKERS)
        .order_by("pk")
    )


def _open_load(members: list[Any]) -> dict[int, int]:
    """Open care tasks per member (0 for those with none)."""
    load = dict.fromkeys((m.pk for m in members), 0)
    load.update(
        CareTask.objects.filter(assignee__in=members, status=CareTaskStatus.OPEN)
        .order_by()
        .values_list("assignee_id")
        .annotate(n=Count("id"))
        .values_list("assignee_id", "n")
    )
    return load


def _assign(rule: CareRule, now: dt.datetime) -> int:
    """Hand the rule's unassigned open tasks of the window to its team (round robin by load).
    Who may see which task is read once per member for the whole run (one scoped query each),
    and each chunk is written with one update per member."""
    if rule.team_id is None:
        return 0
    members = team_members(rule.team_id)
    if not members:
        return 0
    load = _open_load(members)
    pending = CareTask.objects.filter(
        rule=rule,
        status=CareTaskStatus.OPEN,
        assignee__isnull=True,
        due_at__gte=now - WINDOW_BEFORE,
    )
    sees = {
        m.pk: set(scoping.visible(m, "care", pending).values_list("pk", flat=True)) for m in members
    }
    assigned = 0
    for rows in _chunks(pending, ()):
        picks: dict[int, list[int]] = {}
        for (pk,) in rows:
            pool = [m.pk for m in members if pk in sees[m.pk]]
            if pool:
                who = min(pool, key=lambda u: (load[u], u))
                load[who] += 1
                picks.setdefault(who, []).append(pk)
        for who, ids in picks.items():
            assigned += CareTask.objects.filter(pk__in=ids, assignee__isnull=True).update(
                assignee_id=who
            )
    return assigned


def run_rules(
    now: dt.datetime | None = None, rules: QuerySet[CareRule] | None = None
) -> dict[str, int]:
    """Run every active rule (or ``rules``): create the due tasks, assign them; the counts."""
    now = now or timezone.now()
    counts = {"rules": 0, "created": 0, "skipped": 0, "assigned": 0}
    for rule in (rules if rules is not None else CareRule.objects.all()).filter(active=True):
        counts["rules"] += 1
        for anchors in ANCHORS[CareTrigger(rule.trigger)](rule, now):
            kept = _keep(rule, anchors)
            counts["skipped"] += len(anchors) - len(kept)
            counts["created"] += _create(rule, kept, now) if kept else 0
        counts["assigned"] += _assign(rule, now)
    return counts
