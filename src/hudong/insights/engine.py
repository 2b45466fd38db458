"""The insights run: read the operational tables, compute every customer's value, write it back.

Stages (each timed on the :class:`InsightsRun`): **read** the tables as Arrow through the
:class:`~hudong.insights.store.Store`; **measures** (revenue, margin, cost to serve, profit, RFM)
as Ibis expressions on DuckDB; **clv** (BG/NBD + Gamma-Gamma fitted on a sample, every buyer
scored); **tiers** (A/B/C and the lists); **write** (the change history and the new
``CustomerValue`` rows in one transaction, so readers see the old values or the new, never a
mix); then the **after-run** hooks other modules register (segment snapshots).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc
from django.utils import timezone

from hudong.core.jobs import Progress
from hudong.core.models.jobs import Job
from hudong.insights import clv_stage, duck, measures, tiers
from hudong.insights.models import InsightsRun, RunStatus, ValuePolicy
from hudong.insights.store import Store, Writer

log = logging.getLogger(__name__)

STAGES = ("read", "measures", "clv", "tiers", "write", "after")


@dataclass
class RunContext:
    """What an after-run hook gets: the run, the DuckDB connection with every input table and
    the run's result (``final``: one row per customer with every ``CustomerValue`` column and
    ``id``), the store to write with, and the run's windows."""

    run: InsightsRun
    con: Any
    tables: dict[str, ir.Table]
    store: Store
    windows: measures.Windows


AfterRun = Callable[[RunContext], dict[str, Any]]
_AFTER: dict[str, AfterRun] = {}


def after_run(name: str) -> Callable[[AfterRun], AfterRun]:
    """Register work that follows every successful run (segment snapshots, alerts)."""

    def decorate(fn: AfterRun) -> AfterRun:
        _AFTER[name] = fn
        return fn

    return decorate


def reads(store: Store) -> dict[str, str]:
    """The SQL of each input table: only the columns the measures use, money as floats."""
    r = store.real
    return {
        "customers": (
            "SELECT id, region_id, owner_id, kind, created_at FROM customers_customer "
            "WHERE merged_into_id IS NULL"
        ),
        "orders": (
            f"SELECT id, customer_id, {r('total')} AS total, status, channel, ordered_at, "
            "warehouse_id FROM commerce_order"
        ),
        "lines": (  # 20 million rows at size: the margin is worked out where the rows are
            f"SELECT order_id, product_id, {r('quantity * (unit_price - unit_cost)')} AS margin "
            "FROM commerce_orderline"
        ),
        "products": "SELECT id, category_id FROM commerce_product",
        "categories": "SELECT id, parent_id FROM commerce_category",
        "returns": (
            f"SELECT r.customer_id, {r('r.amount')} AS amount, r.requested_at, "
            f"{r('COALESCE(r.quantity * p.unit_cost, 0)')} AS cost_back "
            "FROM commerce_return r LEFT JOIN commerce_product p ON p.id = r.product_id"
        ),
        "interactions": (
            "SELECT id, customer_id, channel, direction, agent_id, duration_seconds, "
            f"{r('cost')} AS cost, started_at, identifier_used FROM interactions_interaction"
        ),
        "previous": (  # -1 stands for "no CLV": see NO_CLV
            "SELECT customer_id, tier, is_gold, is_mvc, is_mgc, is_drag, is_bzc, "
            f"{r('COALESCE(clv, -1)')} AS clv FROM insights_customervalue"
        ),
    }


# The type of every column read, so an empty table (a fresh database, a test) or SQLite's loose
# typing never changes what the expressions see. Timestamps arrive as text from SQLite.
SCHEMAS: dict[str, dict[str, str]] = {
    "customers": {
        "id": "int64", "region_id": "int64", "owner_id": "int64", "kind": "string",
        "created_at": "timestamp",
    },
    "orders": {
        "id": "int64", "customer_id": "int64", "total": "float64", "status": "string",
        "channel": "string", "ordered_at": "timestamp", "warehouse_id": "int64",
    },
    "lines": {"order_id": "int64", "product_id": "int64", "margin": "float64"},
    "products": {"id": "int64", "line_id": "int64"},
    "returns": {
        "customer_id": "int64", "amount": "float64", "requested_at": "timestamp",
        "cost_back": "float64",
    },
    "interactions": {
        "id": "int64", "customer_id": "int64", "channel": "string", "direction": "string",
        "agent_id": "int64", "duration_seconds": "int64", "cost": "float64",
        "started_at": "timestamp", "identifier_used": "string",
    },
    "previous": {
        "customer_id": "int64", "tier": "string", "is_gold": "boolean", "is_mvc": "boolean",
        "is_mgc": "boolean", "is_drag": "boolean", "is_bzc": "boolean", "clv": "float64",
    },
}  # fmt: skip


BIG_TABLE = 2_000_000  # rows: read in place rather than copied into DuckDB


class _Timer:
    def __init__(self, run: InsightsRun, progress: Progress | None) -> None:
        self.run = run
        self.progress = progress

    @contextmanager
    def __call__(self, stage: str) -> Iterator[None]:
        if self.progress is not None:
            self.progress.stage(stage)
        started = time.perf_counter()
        yield
        self.run.stages[stage] = round(time.perf_counter() - started, 3)
        if self.progress is not None:
            self.progress.advance()
        InsightsRun.objects.filter(pk=self.run.pk).update(stages=self.run.stages)


def _naive_utc(moment: dt.datetime) -> dt.datetime:
    return moment.astimezone(dt.UTC).replace(tzinfo=None)


def _product_lines(products: pa.Table, categories: pa.Table) -> pa.Table:
    """Each product with its product line: the root of its category tree."""
    parent = dict(
        zip(categories["id"].to_pylist(), categories["parent_id"].to_pylist(), strict=True)
    )

    def root(cid: int) -> int:
        seen = 0
        while parent.get(cid) is not None and seen < 50:
            cid, seen = parent[cid], seen + 1
        return cid

    roots = {cid: root(cid) for cid in parent}
    lines = [roots.get(c, c) for c in products["category_id"].to_pylist()]
    return pa.table({"id": products["id"], "line_id": pa.array(lines, pa.int64())})


# ADBC's SQLite driver infers a column's type from its first rows: a float column that starts
# with a thousand NULLs is taken for an integer one and fails at its first decimal. The one
# nullable float read (the previous CLV) therefore travels with -1 for "none" (a CLV is never
# negative) and becomes NULL again here.
NO_CLV = -1.0


def _load(con: Any, name: str, data: pa.Table) -> ir.Table:
    if data.num_rows > BIG_TABLE:
        table = duck.view(con, name, data, SCHEMAS[name])
    else:
        table = duck.load(con, name, data, SCHEMAS[name])
    if name == "previous":
        none = ibis.null().cast("float64")
        table = duck.load(
            con, name, table.mutate(clv=(table.clv == NO_CLV).ifelse(none, table.clv))
        )
    return table


def read_all(store: Store) -> dict[str, pa.Table]:
    """Every input table, as Arrow."""
    return store.read_many(reads(store))


def _read(store: Store, run: InsightsRun) -> dict[str, pa.Table]:
    frames = read_all(store)
    frames["products"] = _product_lines(frames["products"], frames.pop("categories"))
    run.rows = {f"{name}_read": t.num_rows for name, t in frames.items()}
    return frames


def run(
    *,
    trigger: str = "manual",
    job: Job | None = None,
    progress: Progress | None = None,
    as_of: dt.datetime | None = None,
    store: Store | None = None,
    intervals: bool = False,
) -> InsightsRun:
    """Compute and store every customer's value; the run row says how it went.

    ``intervals`` adds credible intervals to CLV (a posterior sample: minutes rather than
    seconds at a million customers, so only on request)."""
    policy = ValuePolicy.current()
    params = {**policy.as_params(), "clv_intervals": intervals}
    as_of = as_of or timezone.now()
    run = InsightsRun.objects.create(
        job=job,
        created_by=job.created_by if job else None,
        trigger=trigger,
        as_of=as_of,
        params=params,
    )
    if progress is not None:
        progress.total(len(STAGES), "read")
    timer = _Timer(run, progress)
    started = time.perf_counter()
    store = store or Store()
    try:
        _compute(run, store, timer, params, _naive_utc(as_of))
    except Exception as exc:
        log.exception("insights run %s failed", run.pk)
        run.status, run.error = RunStatus.FAILED, repr(exc)[:2000]
        _close(run, started)
        raise
    finally:
        store.close()
    run.status = RunStatus.DONE
    _close(run, started)
    return run


def _close(run: InsightsRun, started: float) -> None:
    run.seconds = round(time.perf_counter() - started, 3)
    run.finished_at = timezone.now()
    run.save()


def _compute(
    run: InsightsRun, store: Store, timer: _Timer, params: dict[str, Any], as_of: dt.datetime
) -> None:
    con = duck.connect()
    with timer("read"):
        frames = _read(store, run)
    windows = measures.Windows.of(
        as_of, int(params["value_window_days"]), int(params["rfm_window_days"])
    )
    with timer("measures"):
        t = {name: _load(con, name, data) for name, data in frames.items()}
        kept = duck.load(con, "kept_orders", measures.kept_orders(t["orders"], t["lines"], windows))
        m = measures.customer_measures(
            t["customers"],
            kept,
            t["lines"],
            t["products"],
            t["returns"],
            t["interactions"],
            windows,
        )
        m = measures.rfm_scores(m)
        base = duck.load(con, "measures", m)
    with timer("clv"):
        scored = clv_stage.score(con, kept, as_of, params)
        run.summary["clv"] = scored.summary
        base = base.left_join(scored.table, base.id == scored.table.customer_id).drop("customer_id")
    with timer("tiers"):
        buyers = int(base.filter(base.orders_total > 0).count().execute())
        v = tiers.value_tiers(base, float(params["tier_a_share"]), float(params["tier_b_share"]))
        v = tiers.lists(v, params, as_of, buyers)
        final = duck.load(con, "final", v)
        run.summary.update(_summary(final, buyers))
    with timer("write"):
        written = _write(store, run, con, final, t["previous"], as_of)
        run.rows.update(written)
    with timer("after"):
        t["final"], t["kept_orders"] = final, kept
        context = RunContext(run, con, t, store, windows)
        for name, hook in _AFTER.items():
            run.summary[name] = hook(context)


VALUE_COLUMNS = [
    "revenue", "gross_margin", "cost_to_serve", "profit", "revenue_lifetime",
    "revenue_last_year", "revenue_ytd", "revenue_prev_ytd", "orders_window", "orders_total",
    "first_order_at", "last_order_at", "recency_days", "r_score", "f_score", "m_score", "rfm",
    "product_lines", "tier", "value_rank_share", "is_gold", "is_drag", "is_mvc", "is_mgc",
    "is_bzc", "was_top_last_year", "expected_purchases", "p_alive", "clv", "clv_low",
    "clv_high",
]  # fmt: skip
MONEY = {
    "revenue", "gross_margin", "cost_to_serve", "profit", "revenue_lifetime",
    "revenue_last_year", "revenue_ytd", "revenue_prev_ytd", "clv", "clv_low", "clv_high",
}  # fmt: skip


def _summary(final: ir.Table, buyers: int) -> dict[str, Any]:
    by_tier = final.group_by("tier").aggregate(
        customers=final.count(), profit=final.profit.sum(), revenue=final.revenue.sum()
    )
    flags = (
        final.aggregate(
            customers=final.count(),
            gold=final.is_gold.cast("int64").sum(),
            drag=final.is_drag.cast("int64").sum(),
            mvc=final.is_mvc.cast("int64").sum(),
            mgc=final.is_mgc.cast("int64").sum(),
            bzc=final.is_bzc.cast("int64").sum(),
        )
        .to_pyarrow()
        .to_pylist()[0]
    )
    tiers_out = {
        r["tier"]: {
            "customers": r["customers"],
            "profit": round(r["profit"] or 0, 2),
            "revenue": round(r["revenue"] or 0, 2),
        }
        for r in by_tier.to_pyarrow().to_pylist()
    }
    return {"buyers": buyers, "tiers": tiers_out, **{k: int(v or 0) for k, v in flags.items()}}


def _as_db(store: Store, table: pa.Table) -> pa.Table:
    """Round money to cents and give timestamps the form the database stores."""
    cols = {}
    for name in table.column_names:
        col = table[name]
        if name in MONEY:
            col = pc.round(col.cast(pa.float64()), 2)
        elif pa.types.is_timestamp(col.type):
            if store.vendor == "sqlite":
                col = pc.strftime(col, format="%Y-%m-%d %H:%M:%S")
            else:
                col = col.cast(pa.timestamp("us", tz="UTC"))
        cols[name] = col
    return pa.table(cols)


def _write(
    store: Store,
    run: InsightsRun,
    con: Any,
    final: ir.Table,
    previous: ir.Table,
    as_of: dt.datetime,
) -> dict[str, int]:
    now = _naive_utc(timezone.now())
    out = final.select(
        customer_id=final.id,
        run_id=ibis.literal(run.pk, "int64"),
        computed_at=ibis.literal(now, "timestamp"),
        **{c: final[c] for c in VALUE_COLUMNS},
    )
    changes = _changes(final, previous, run.pk)
    values_arrow = _as_db(store, out.to_pyarrow())
    changes_arrow = _as_db(store, changes.to_pyarrow())
    with store.writing() as w:
        n_changes = w.insert("insights_valuechange", changes_arrow)
        _replace_values(w, values_arrow)
    return {"customers_written": values_arrow.num_rows, "changes_written": n_changes}


def _replace_values(w: Writer, values: pa.Table) -> None:
    w.execute("DELETE FROM insights_customervalue")
    w.insert("insights_customervalue", values, bulk=True)


def _changes(final: ir.Table, previous: ir.Table, run_id: int) -> ir.Table:
    """Customers whose tier or lists moved since the last run (none on the first run)."""
    j = final.join(previous, final.id == previous.customer_id)
    before = tiers.flags_of(previous)
    after = tiers.flags_of(final)
    moved = j.filter((final.tier != previous.tier) | (before != after))
    return moved.select(
        run_id=ibis.literal(run_id, "int64"),
        customer_id=final.id,
        tier_before=previous.tier,
        tier_after=final.tier,
        flags_before=before,
        flags_after=after,
        clv_before=previous.clv,
        clv_after=final.clv,
    )
