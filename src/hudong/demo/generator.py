"""Deterministic synthetic demo data: ``generate(customers=N, seed=S)``.

Same N, seed and ``as_of`` date give identical rows (on an empty database, ids included). The
default ``as_of`` is today (00:00 UTC), so the data always ends "now": a run on another day
shifts every timestamp and keeps everything else. Each random stream has its own
``Generator(PCG64([seed, stream, batch]))``, so changing one stage does not reshuffle the
others.

The load is one transaction (all or nothing) and each stage a savepoint in it, with its own
progress bar: people (regions, teams, demo users), catalog, customers (with identifiers,
addresses, attributes), orders (with lines), shipments (with returns), billing (invoices,
payments), contacts (conversations, interactions, the consent ledger), cases (complaints
that follow the data: :mod:`hudong.demo.cases`), indexes (the
secondary indexes of empty tables are built once, after the load).
Everything is drawn with numpy first, in batches of customers, and written in chunks by
:class:`hudong.demo.bulk.BulkLoader`.

What the data contains: :mod:`hudong.demo.population` (who, and how they buy),
:mod:`hudong.demo.identifiers`, :mod:`hudong.demo.profile` (addresses, attributes),
:mod:`hudong.demo.commerce` (orders to payments), :mod:`hudong.demo.interactions` (contacts
and consent). How duplicates are planted:
:mod:`hudong.demo.duplicates`; why they never share a normalised identifier:
:mod:`hudong.demo.identifiers`. The truth about duplicates (and the household look-alikes that
are not duplicates) goes to a CSV file next to the database.
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
from hudong.customers.names import search_keys
from hudong.demo import cases as demo_cases
from hudong.demo import commerce, duplicates, identifiers, profile
from hudong.demo import interactions as contacts
from hudong.demo.bulk import BulkLoader, Dates, Money, Ref, Timestamps
from hudong.demo.catalog import Catalog, ensure_catalog
from hudong.demo.people import seed_people
from hudong.demo.population import People, Timeline, assign_ids, plan_people
from hudong.interactions import models as ia
from hudong.interactions.inbox.demo import seed_presence

# one random stream per purpose (7: order lines, in hudong.demo.commerce)
PEOPLE, ORDERS, FULFILMENT, IDENTIFIERS, ADDRESSES, ATTRIBUTES = 1, 2, 3, 4, 5, 6
RETURNS, BILLING, CATALOG, DUPLICATES, CONTACTS, CONSENT = 8, 9, 10, 11, 12, 13
BATCH = 100_000  # customers planned and written together
LOADED = (
    cu.Customer, cu.Identifier, cu.Address, cu.Attribute, cm.Order, cm.OrderLine,
    cm.Shipment, cm.Return, cm.Invoice, cm.Payment, ia.Thread, ia.Interaction, ia.ConsentEntry,
)  # fmt: skip
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


def _rng(seed: int, *stream: int) -> np.random.Generator:
    return np.random.Generator(np.random.PCG64([seed, *stream]))


class _Stages:
    """Times each stage, runs it as one savepoint of the load and shows its progress bar."""

    def __init__(self, report: Report, progress: Progress, using: str) -> None:
        self.report, self.progress, self.using = report, progress, using
        self.tasks: dict[str, TaskID] = {}
        self.current = ""

    def expect(self, name: str, rows: int) -> None:
        """Announce ``rows`` more rows (or units) of work for the stage ``name``."""
        if name not in self.tasks:
            self.tasks[name] = self.progress.add_task(name, total=0, start=False)
        task = self.progress.tasks[self.tasks[name]]
        self.progress.update(self.tasks[name], total=(task.total or 0) + max(rows, 1))

    @contextmanager
    def __call__(self, name: str, rows: int | None = None) -> Iterator[None]:
        if rows is not None:
            self.expect(name, rows)
        self.current = name
        self.progress.start_task(self.tasks[name])
        started = time.perf_counter()
        with transaction.atomic(using=self.using):
            yield
        elapsed = time.perf_counter() - started
        self.report.stages[name] = round(self.report.stages.get(name, 0.0) + elapsed, 3)
        task = self.progress.tasks[self.tasks[name]]
        self.progress.update(self.tasks[name], completed=task.total)
        self.progress.stop_task(self.tasks[name])

    def advance(self, rows: int) -> None:
        self.progress.advance(self.tasks[self.current], rows)

    def timed(self, name: str, started: float) -> None:
        elapsed = time.perf_counter() - started
        self.report.stages[name] = round(self.report.stages.get(name, 0.0) + elapsed, 3)


@dataclass
class _Run:
    """What every batch shares."""

    seed: int
    loader: BulkLoader
    stages: _Stages
    timeline: Timeline
    catalog: Catalog
    region_codes: list[str]
    region_ids: np.ndarray
    sales: list[tuple[int, int | None]]
    touchpoints: dict[str, int]
    agents_by_region: list[list[int]]


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
    """Generate ``customers`` customer rows (planted duplicates included) and their history.

    ``using`` names the connection the rows are written through; the demo users and the
    catalogue go through the ORM's default database, so keep it at "default" unless they are
    the same.

    Customers are generated in independent batches of :data:`BATCH` (one batch up to that
    size), which bounds memory whatever the size; ids keep growing from batch to batch.
    """
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
        transaction.atomic(using=using),  # all or nothing; the stages are savepoints
    ):
        stages = _Stages(report, bar, using)
        with stages("people", 1):
            regions = seed_people()
            seed_presence(as_of, seed)  # the agents' skills, languages and recent shifts
            region_codes = sorted(regions)
            sales = [
                (uid, region_codes.index(code) if code in region_codes else None)
                for uid, code in Profile.objects.filter(role=Role.SALES)
                .order_by("user_id")
                .values_list("user_id", "region__code")
            ]
        with stages("catalog", 1):
            catalog = ensure_catalog(_rng(seed, CATALOG), regions)
        region_ids = np.array([regions[c].id for c in region_codes], dtype=np.int64)
        agents = list(
            Profile.objects.filter(role__in=[Role.AGENT, Role.SUPERVISOR])
            .order_by("user_id")
            .values_list("user_id", "region__code")
        )
        run = _Run(
            seed,
            loader,
            stages,
            tl,
            catalog,
            region_codes,
            region_ids,
            sales,
            dict(ia.Touchpoint.objects.values_list("code", "id")),
            [[uid for uid, code in agents if code == region] for region in region_codes],
        )
        stages.expect("customers", customers)
        appending = loader.next_id(cu.Customer) > 1
        rebuild = loader.drop_indexes(*LOADED)
        truth: list[tuple[int, int, str]] = []
        for batch, start in enumerate(range(0, customers, BATCH)):
            size = min(BATCH, customers - start)
            people = _batch(run, batch, size)
            truth += [(int(people.id[a]), int(people.id[b]), k) for a, b, k in people.truth]
            report.duplicates += int((people.dup_of >= 0).sum())
            report.households += len(np.unique(people.household[people.household >= 0]))
            del people
        with stages("indexes", len(LOADED)):
            loader.restore_indexes(rebuild, *LOADED)
        started = time.perf_counter()
        loader.reset_sequences()
        _analyze(loader)
        stages.timed("finish", started)
    path = Path(truth_file) if truth_file else default_truth_file(using)
    report.truth_file = _write_truth(path, truth, append=appending and path.exists())
    report.rows = dict(loader.rows)
    report.write_seconds = {k: round(v, 3) for k, v in loader.seconds.items()}
    return report


def _batch(run: _Run, batch: int, size: int) -> People:
    """Plan and write ``size`` customers with their whole history."""
    seed, loader, stages, tl, catalog = run.seed, run.loader, run.stages, run.timeline, run.catalog
    started = time.perf_counter()
    n_dup = duplicates.count(size)
    people = plan_people(_rng(seed, PEOPLE, batch), size - n_dup, run.region_codes, run.sales, tl)
    rng = _rng(seed, DUPLICATES, batch)
    duplicates.plant_households(rng, people)
    people = duplicates.plant_duplicates(rng, people, n_dup, tl)
    orders = commerce.plan_orders(_rng(seed, ORDERS, batch), people, tl)
    commerce.plan_fulfilment(
        _rng(seed, FULFILMENT, batch), orders, people, catalog, tl, run.region_codes
    )
    assign_ids(people, loader.next_id(cu.Customer))
    stages.timed("plan", started)
    n_orders = len(orders["ts"])
    for name in ("orders", "shipments", "billing"):
        stages.expect(name, n_orders)
    stages.expect("contacts", people.n)

    with stages("customers"):
        _write_customers(loader, people, run.region_ids, tl, (seed, batch))
        stages.advance(people.n)
    with stages("orders"):
        first_line = loader.next_id(cm.OrderLine)
        for order_cols, line_cols in commerce.order_chunks(
            (seed, batch), orders, people, catalog, loader.next_id(cm.Order), first_line
        ):
            loader.write(cm.Order, order_cols)
            loader.write(cm.OrderLine, line_cols)
            stages.advance(len(order_cols["id"]))
    with stages("shipments"):
        loader.write(cm.Shipment, commerce.shipments(orders, catalog, loader.next_id(cm.Shipment)))
        rng = _rng(seed, RETURNS, batch)
        loader.write(
            cm.Return, commerce.returns(rng, orders, people, tl, loader.next_id(cm.Return))
        )
    with stages("billing"):
        first_invoice, first_payment = loader.next_id(cm.Invoice), loader.next_id(cm.Payment)
        rng = _rng(seed, BILLING, batch)
        invoices, payments = commerce.billing(rng, orders, people, tl, first_invoice, first_payment)
        loader.write(cm.Invoice, invoices)
        loader.write(cm.Payment, payments)
    with stages("contacts"):
        threads, interactions = contacts.plan(
            _rng(seed, CONTACTS, batch),
            people,
            tl,
            first_interaction=loader.next_id(ia.Interaction),
            first_thread=loader.next_id(ia.Thread),
            touchpoints=run.touchpoints,
            agents_by_region=run.agents_by_region,
        )
        loader.write(ia.Thread, threads)
        loader.write(ia.Interaction, interactions)
        rng = _rng(seed, CONSENT, batch)
        loader.write(
            ia.ConsentEntry, contacts.consent(rng, people, tl, loader.next_id(ia.ConsentEntry))
        )
        stages.advance(people.n)
    with stages("cases", 1):  # after shipments and contacts: cases link to both
        rng = _rng(seed, demo_cases.STREAM, batch)
        demo_cases.write(rng, loader, people, orders, interactions, tl, run.agents_by_region)
    return people


def _write_customers(loader, p: People, region_ids, tl, stream_key) -> None:  # type: ignore[no-untyped-def]
    order = np.argsort(p.id)
    org = np.where(p.org_row >= 0, p.id[np.maximum(p.org_row, 0)], 0)

    def pick(values):  # type: ignore[no-untyped-def]
        if isinstance(values, list):
            return [values[i] for i in order.tolist()]
        return values[order]

    n = p.n
    names, latins = pick(p.name), pick(p.name_latin)
    keys = [search_keys(nm, lt) for nm, lt in zip(names, latins, strict=True)]
    loader.write(
        cu.Customer,
        {
            "id": p.id[order],
            "kind": np.where(p.is_org, "organization", "person")[order],
            "name": names,
            "name_latin": latins,
            "name_key": [k[0] for k in keys],
            "name_pinyin": [k[1] for k in keys],
            "gender": p.gender[order],
            "birth_date": Dates(p.birth[order]),
            "language": pick(p.language),
            "region_id": region_ids[p.region][order],
            "owner_id": Ref(p.owner[order]),
            "merged_into_id": Ref(np.zeros(n, dtype=np.int64)),
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
    first = loader.next_id
    for model, build, stream in (
        (cu.Identifier, identifiers.identifiers, IDENTIFIERS),
        (cu.Address, profile.addresses, ADDRESSES),
        (cu.Attribute, profile.attributes, ATTRIBUTES),
    ):
        seed, batch = stream_key
        cols = build(_rng(seed, stream, batch), p, tl)
        cols["id"] = first(model) + np.arange(len(cols["customer_id"]))
        loader.write(model, cols)


def _analyze(loader: BulkLoader) -> None:
    """Planner statistics for the tables just written, on SQLite as on PostgreSQL. Without
    them SQLite takes ``region_id = ?`` for about ten customers and starts every scoped query
    from the whole region (a case queue page: 450 ms instead of 25 ms at 1,000,000 customers);
    ``PRAGMA optimize`` on a fresh connection analyses nothing."""
    qn = loader.connection.ops.quote_name
    with loader.connection.cursor() as cursor:
        if loader.vendor in ("sqlite", "postgresql"):
            for model in loader.written:
                cursor.execute(f"ANALYZE {qn(model._meta.db_table)}")


def _write_truth(path: Path, truth: list[tuple[int, int, str]], *, append: bool) -> Path:
    """The truth CSV; a load into a database that already had customers adds to it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a" if append else "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        if not append:
            writer.writerow(TRUTH_HEADER)
        writer.writerows(sorted(truth))
    return path
