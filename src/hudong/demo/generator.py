"""Deterministic synthetic demo data: ``generate(customers=N, seed=S)``.

Same N, seed and ``as_of`` date give identical rows (on an empty database, ids included). The
default ``as_of`` is today (00:00 UTC), so the data always ends "now": a run on another day
shifts every timestamp and keeps everything else. Each random stream has its own
``Generator(PCG64([seed, stream]))``, so changing one stage does not reshuffle the others.

Stages (each one transaction, each with a progress bar): people (regions, teams, demo users),
catalog, customers (with identifiers, addresses, attributes), orders (with lines), shipments
(with returns), billing (invoices, payments). Everything is drawn with numpy first and written
in chunks by :class:`hudong.demo.bulk.BulkLoader`; see :mod:`hudong.demo.population`,
:mod:`hudong.demo.profile` and :mod:`hudong.demo.commerce` for what the data contains, and
:mod:`hudong.demo.profile` for how duplicates are planted. The truth about duplicates (and the
household look-alikes that are not duplicates) goes to a CSV file next to the database.
"""

from __future__ import annotations

import csv
import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from django.conf import settings
from django.db import transaction
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
)

from hudong.commerce import models as cm
from hudong.core.models import Profile, Role
from hudong.customers import models as cu
from hudong.demo import commerce, profile
from hudong.demo.bulk import BulkLoader, Dates, Money, Ref, Timestamps
from hudong.demo.catalog import ensure_catalog
from hudong.demo.people import seed_people
from hudong.demo.population import People, Timeline, assign_ids, plan_people

# one random stream per purpose
PEOPLE, ORDERS, FULFILMENT, IDENTIFIERS, ADDRESSES, ATTRIBUTES, RETURNS, BILLING, CATALOG = (
    1,
    2,
    3,
    4,
    5,
    6,
    8,
    9,
    10,
)
TRUTH_HEADER = ("customer_id", "duplicate_of_id", "kind_of_duplicate")


@dataclass
class Report:
    customers: int
    seed: int
    as_of: dt.datetime
    stages: dict[str, float] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    write_seconds: dict[str, float] = field(default_factory=dict)
    truth_file: Path | None = None
    duplicates: int = 0
    households: int = 0
    skipped: bool = False

    @property
    def seconds(self) -> float:
        return sum(self.stages.values())

    @property
    def total_rows(self) -> int:
        return sum(self.rows.values())


def default_as_of() -> dt.datetime:
    today = dt.datetime.now(dt.UTC).date()
    return dt.datetime(today.year, today.month, today.day, tzinfo=dt.UTC)


def default_truth_file(using: str = "default") -> Path:
    """``demo-duplicates.csv`` next to the SQLite file, or in the var directory."""
    db = settings.DATABASES[using]
    name = str(db.get("NAME") or "")
    if (
        db["ENGINE"].endswith("sqlite3")
        and name
        and ":memory:" not in name
        and "mode=memory" not in name
    ):
        return Path(name).parent / "demo-duplicates.csv"
    return Path(settings.VAR_DIR) / "demo-duplicates.csv"


def _rng(seed: int, stream: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64([seed, stream]))


class _Stages:
    """Times each stage, runs it in one transaction and shows its progress bar."""

    def __init__(self, report: Report, progress: Progress, using: str) -> None:
        self.report, self.progress, self.using = report, progress, using
        self.task: TaskID | None = None

    @contextmanager
    def __call__(self, name: str, total: int) -> Iterator[None]:
        self.task = self.progress.add_task(name, total=max(total, 1))
        started = time.perf_counter()
        with transaction.atomic(using=self.using):
            yield
        self.report.stages[name] = round(time.perf_counter() - started, 3)
        self.progress.update(self.task, completed=max(total, 1))

    def advance(self, rows: int) -> None:
        if self.task is not None:
            self.progress.advance(self.task, rows)


def generate(
    customers: int,
    seed: int = 42,
    *,
    as_of: dt.datetime | None = None,
    truth_file: Path | str | None = None,
    progress: bool = True,
    console: Console | None = None,
    using: str = "default",
) -> Report:
    """Generate ``customers`` customer rows (planted duplicates included) and their history."""
    as_of = as_of or default_as_of()
    report = Report(customers=customers, seed=seed, as_of=as_of)
    loader = BulkLoader(using)
    tl = Timeline(np.datetime64(as_of.astimezone(dt.UTC).replace(tzinfo=None), "s"))
    columns = [
        TextColumn("{task.description:<10}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("rows"),
        TimeElapsedColumn(),
    ]
    with (
        Progress(*columns, console=console, disable=not progress) as bar,
        loader.fast_session(),
    ):
        stage = _Stages(report, bar, using)
        with stage("people", 1):
            regions = seed_people()
            region_codes = sorted(regions)
            sales = [
                (uid, region_codes.index(code) if code in region_codes else None)
                for uid, code in Profile.objects.filter(role=Role.SALES)
                .order_by("user_id")
                .values_list("user_id", "region__code")
            ]
        with stage("catalog", 1):
            catalog = ensure_catalog(_rng(seed, CATALOG), regions)

        started = time.perf_counter()
        people = plan_people(_rng(seed, PEOPLE), customers, region_codes, sales, tl)
        orders = commerce.plan_orders(_rng(seed, ORDERS), people, tl)
        commerce.plan_fulfilment(_rng(seed, FULFILMENT), orders, people, catalog, tl, region_codes)
        assign_ids(people, loader.next_id(cu.Customer))
        region_ids = np.array([regions[c].id for c in region_codes], dtype=np.int64)
        report.stages["plan"] = round(time.perf_counter() - started, 3)

        with stage("customers", people.n):
            _write_customers(loader, people, region_ids, tl, seed, stage)
        with stage("orders", len(orders["ts"])):
            first_line = loader.next_id(cm.OrderLine)
            for order_cols, line_cols in commerce.order_chunks(
                seed, orders, people, catalog, loader.next_id(cm.Order), first_line
            ):
                loader.write(cm.Order, order_cols)
                loader.write(cm.OrderLine, line_cols)
                stage.advance(len(order_cols["id"]))
        with stage("shipments", len(orders["ts"])):
            ship = commerce.shipments(orders, catalog, loader.next_id(cm.Shipment))
            loader.write(cm.Shipment, ship)
            ret = commerce.returns(
                _rng(seed, RETURNS), orders, people, tl, loader.next_id(cm.Return)
            )
            loader.write(cm.Return, ret)
        with stage("billing", len(orders["ts"])):
            invoices, payments = commerce.billing(
                _rng(seed, BILLING),
                orders,
                people,
                tl,
                loader.next_id(cm.Invoice),
                loader.next_id(cm.Payment),
            )
            loader.write(cm.Invoice, invoices)
            loader.write(cm.Payment, payments)

        started = time.perf_counter()
        loader.reset_sequences()
        _analyze(loader)
        path = Path(truth_file) if truth_file else default_truth_file(using)
        report.truth_file = _write_truth(path, people)
        report.stages["finish"] = round(time.perf_counter() - started, 3)
    report.rows = dict(loader.rows)
    report.write_seconds = {k: round(v, 3) for k, v in loader.seconds.items()}
    report.duplicates = int((people.dup_of >= 0).sum())
    report.households = int(len(np.unique(people.household[people.household >= 0])))
    return report


def _write_customers(loader, p: People, region_ids, tl, seed, stage) -> None:  # type: ignore[no-untyped-def]
    order = np.argsort(p.id)
    org = np.where(p.org_row >= 0, p.id[np.maximum(p.org_row, 0)], 0)

    def pick(values):  # type: ignore[no-untyped-def]
        if isinstance(values, list):
            return [values[i] for i in order.tolist()]
        return values[order]

    n = p.n
    loader.write(
        cu.Customer,
        {
            "id": p.id[order],
            "kind": np.where(p.is_org, "organization", "person")[order],
            "name": pick(p.name),
            "name_latin": pick(p.name_latin),
            "gender": p.gender[order],
            "birth_date": Dates(p.birth[order]),
            "language": pick(p.language),
            "region_id": region_ids[p.region][order],
            "owner_id": Ref(p.owner[order]),
            "organization_id": Ref(org[order]),
            "job_title": pick(p.job_title),
            "industry": pick(p.industry),
            "credit_limit": Money(p.credit_cents[order]),
            "currency": ["CNY"] * n,
            "source": p.source[order],
            "is_target_account": p.target[order],
            "created_at": Timestamps(p.created[order]),
            "updated_at": Timestamps(p.created[order]),
        },
    )
    stage.advance(n)
    first = loader.next_id
    for model, build, stream in (
        (cu.Identifier, profile.identifiers, IDENTIFIERS),
        (cu.Address, profile.addresses, ADDRESSES),
        (cu.Attribute, profile.attributes, ATTRIBUTES),
    ):
        cols = build(_rng(seed, stream), p, tl)
        cols["id"] = first(model) + np.arange(len(cols["customer_id"]))
        loader.write(model, cols)


def _analyze(loader: BulkLoader) -> None:
    qn = loader.connection.ops.quote_name
    with loader.connection.cursor() as cursor:
        if loader.vendor == "sqlite":
            cursor.execute("PRAGMA optimize")
        elif loader.vendor == "postgresql":
            for model in loader.written:
                cursor.execute(f"ANALYZE {qn(model._meta.db_table)}")


def _write_truth(path: Path, p: People) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    rows = sorted((int(p.id[a]), int(p.id[b]), kind) for a, b, kind in p.truth)
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(TRUTH_HEADER)
        writer.writerows(rows)
    return path
