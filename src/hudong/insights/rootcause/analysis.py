"""The root-cause analysis (D5): a Pareto of complaints by root cause and by category, the
over-representation of carriers, warehouses, products and agents, and daily complaints by
category.

Every figure is a GROUP BY in the database: no case is loaded into Python, so the analysis
stays a few seconds over a million cases. The complaints are the cases the user may see
(:func:`hudong.service.queries.visible_cases`) opened in the date range, counted in three scans
of the cases; the volumes they are compared with (shipments, order lines: counted by the last
insights run, see :mod:`hudong.insights.rootcause.volumes`; cases handled) cover the orders the
user may see, in the same range and region.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Count, DateField, DateTimeField, Func, IntegerField, Q, QuerySet
from django.db.models.functions import TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.commerce.models import Carrier, Product, Warehouse
from hudong.core import scoping
from hudong.core.models import Region
from hudong.core.models.access import Scope
from hudong.insights.rootcause import volumes
from hudong.insights.rootcause.stats import Lift, ParetoRow, over_representation, pareto
from hudong.service.models import Case, CaseCategory, RootCause
from hudong.service.queries import visible_cases

# The complaints that say something about the agent who handled the case.
AGENT_CAUSE = "agent-conduct"
AGENT_CATEGORY = "service-attitude"
NO_CAUSE = "-"
DEFAULT_DAYS = 90
PARALLEL = 2  # database connections the analysis reads on at once


@dataclass(frozen=True)
class Filters:
    start: dt.date
    end: dt.date  # inclusive
    region: str = ""  # a region code, "" for every region in scope
    category: str = ""  # a case category code (its children included), "" for all

    @classmethod
    def default(cls, today: dt.date | None = None) -> Filters:
        today = today or timezone.localdate()
        return cls(start=today - dt.timedelta(days=DEFAULT_DAYS - 1), end=today)

    def bounds(self, tz: dt.tzinfo | None = None) -> tuple[dt.datetime, dt.datetime]:
        tz = tz or timezone.get_current_timezone()
        start = dt.datetime.combine(self.start, dt.time.min, tzinfo=tz)
        end = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
        return start, end

    def params(self) -> dict[str, str]:
        return {
            "from": self.start.isoformat(),
            "to": self.end.isoformat(),
            "region": self.region,
            "category": self.category,
        }


@dataclass(frozen=True)
class Dimension:
    key: str
    title: Any
    volume_label: Any
    rows: list[Lift]
    complaints: int
    volume: int


@dataclass
class Analysis:
    filters: Filters
    complaints: int
    by_cause: list[ParetoRow]
    by_category: list[ParetoRow]
    dimensions: list[Dimension]
    days: list[str] = field(default_factory=list)
    daily: dict[str, list[int]] = field(default_factory=dict)  # category label → per day

    def dimension(self, key: str) -> Dimension:
        return next(d for d in self.dimensions if d.key == key)


def _category_ids(code: str) -> set[int]:
    found = CaseCategory.objects.filter(Q(code=code) | Q(parent__code=code))
    return set(found.values_list("pk", flat=True))


# Beyond this many days, SQLite reads the whole cases table instead of walking an index to
# every row of the range: one sequential pass is cheaper when most rows are wanted.
SCAN_DAYS = 120


class Plain(Func):
    """A column SQLite must not reach through an index (its documented unary ``+``): over
    most of the table, one sequential pass beats an index walk with a row lookup per entry,
    for a filter as for a GROUP BY. Other databases see the column as it is."""

    template = "%(expressions)s"

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"+{sql}", params


def _plain(column: str) -> Plain:
    return Plain(column, output_field=IntegerField())


def cases_in(
    user: Any, f: Filters, *, with_category: bool = True, tz: dt.tzinfo | None = None
) -> QuerySet[Case]:
    start, end = f.bounds(tz)
    qs = visible_cases(user)
    if (f.end - f.start).days >= SCAN_DAYS:
        qs = qs.alias(_opened=Plain("created_at", output_field=DateTimeField())).filter(
            _opened__gte=start, _opened__lt=end
        )
    else:
        qs = qs.filter(created_at__gte=start, created_at__lt=end)
    if f.region:
        qs = qs.filter(customer__region__code=f.region)
    if with_category and f.category:
        qs = qs.filter(category_id__in=_category_ids(f.category))
    return qs


class LocalDay(Func):
    """The local calendar day of a timestamp, computed by the database itself: SQLite's
    built-in ``date()`` shifted by the zone's offset (Django's own truncation calls back into
    Python for every row, far too slow over a million cases), PostgreSQL's ``AT TIME ZONE``."""

    output_field = DateField()

    def __init__(self, expression: Any, zone: dt.tzinfo, at: dt.datetime) -> None:
        super().__init__(expression)
        self.zone, self.at = zone, at

    def as_sql(self, compiler: Any, connection: Any, **extra: Any) -> Any:  # type: ignore[override]
        return TruncDate(self.source_expressions[0]).as_sql(compiler, connection)

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        offset = self.at.astimezone(self.zone).utcoffset() or dt.timedelta()
        return f"date({sql}, %s)", [*params, f"{int(offset.total_seconds())} seconds"]

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(({sql}) AT TIME ZONE %s)::date", [*params, str(self.zone)]


@dataclass
class _CaseCounts:
    """The complaint side, from three scans of the cases."""

    by_cause: dict[int, int] = field(default_factory=dict)
    by_category: dict[int, int] = field(default_factory=dict)
    about_agent: dict[int, int] = field(default_factory=dict)
    handled: dict[int, int] = field(default_factory=dict)
    carriers: dict[int, int] = field(default_factory=dict)
    warehouses: dict[int, int] = field(default_factory=dict)
    products: dict[int, int] = field(default_factory=dict)


def _add(d: dict[int, int], key: Any, n: int) -> None:
    if key is not None:
        d[key] = d.get(key, 0) + n


def _by_cause_and_agent(user: Any, f: Filters, tz: dt.tzinfo, out: _CaseCounts) -> None:
    """Root cause x category x assignee, over every category (an agent's volume is every
    case they handled)."""
    wanted = _category_ids(f.category) if f.category else None
    attitude = _category_ids(AGENT_CATEGORY)
    conduct = RootCause.objects.filter(code=AGENT_CAUSE).values_list("pk", flat=True).first()
    rows = (
        cases_in(user, f, with_category=False, tz=tz)
        .annotate(_r=_plain("root_cause_id"), _c=_plain("category_id"), _a=_plain("assignee_id"))
        .values_list("_r", "_c", "_a")
        .annotate(n=Count("*"))
        .order_by()
    )
    for cause, category, assignee, n in rows:
        if assignee is not None:
            _add(out.handled, assignee, n)
            if cause == conduct or category in attitude:
                _add(out.about_agent, assignee, n)
        if wanted is None or category in wanted:
            _add(out.by_cause, cause or 0, n)
            _add(out.by_category, category, n)


def _linked(user: Any, f: Filters, tz: dt.tzinfo, out: _CaseCounts) -> None:
    """Carrier x warehouse x product of the complaints about a shipment or a product (the
    warehouse is the shipment's: where the parcel left from)."""
    rows = (
        cases_in(user, f, tz=tz)
        .alias(_s=_plain("shipment_id"), _p=_plain("product_id"))
        .exclude(_s__isnull=True, _p__isnull=True)
        .values_list("shipment__carrier_id", "shipment__warehouse_id", "product_id")
        .annotate(n=Count("*"))
        .order_by()
    )
    for carrier, warehouse, product, n in rows:
        _add(out.carriers, carrier, n)
        _add(out.warehouses, warehouse, n)
        _add(out.products, product, n)


def _relabel(counts: dict[int, int], names: dict[int, tuple[str, str]]) -> dict[str, int]:
    out: dict[str, int] = {}
    for pk, n in counts.items():
        key = names.get(pk, (str(pk), ""))[0]
        out[key] = out.get(key, 0) + n
    return out


def _dimension(
    key: str,
    title: Any,
    volume_label: Any,
    complaints: dict[int, int],
    volume: dict[int, int],
    names: dict[int, tuple[str, str]],
) -> Dimension:
    c, v = _relabel(complaints, names), _relabel(volume, names)
    labels = {code: label for code, label in names.values()}
    return Dimension(
        key,
        title,
        volume_label,
        over_representation(c, v, labels),
        sum(c.values()),
        sum(v.values()),
    )


def _dimensions(c: _CaseCounts, v: volumes.Volumes) -> list[Dimension]:
    carriers = {x.pk: (x.code, x.name) for x in Carrier.objects.all()}
    warehouses = {w.pk: (w.code, w.name) for w in Warehouse.objects.all()}
    ids = set(c.products) | set(v.products)
    products = {
        p.pk: (p.sku, p.name) for p in Product.objects.filter(pk__in=ids).only("sku", "name")
    }
    users = get_user_model().objects.filter(pk__in=set(c.handled))
    agents = {u.pk: (u.get_username(), u.get_full_name() or u.get_username()) for u in users}
    return [
        _dimension("carrier", _("Carriers"), _("shipments"), c.carriers, v.carriers, carriers),
        _dimension(
            "warehouse", _("Warehouses"), _("shipments"), c.warehouses, v.warehouses, warehouses
        ),
        _dimension("product", _("Products"), _("order lines"), c.products, v.products, products),
        _dimension("agent", _("Agents"), _("cases handled"), c.about_agent, c.handled, agents),
    ]


def _daily(
    cases: QuerySet[Case], f: Filters, tz: dt.tzinfo
) -> tuple[list[str], dict[str, list[int]]]:
    days = [f.start + dt.timedelta(days=i) for i in range((f.end - f.start).days + 1)]
    index = {d.isoformat(): i for i, d in enumerate(days)}
    names = dict(CaseCategory.objects.values_list("pk", "name"))
    series: dict[str, list[int]] = {}
    start, _end = f.bounds(tz)
    day = LocalDay("created_at", tz, start)
    rows = (
        cases.annotate(day=day).values_list("day", "category_id").annotate(n=Count("*")).order_by()
    )
    for when, category_id, n in rows:
        at = index.get(str(when)[:10])
        if at is not None:
            label = str(names.get(category_id, category_id))
            series.setdefault(label, [0] * len(days))[at] += n
    return [d.isoformat() for d in days], dict(sorted(series.items()))


def _volumes(user: Any, f: Filters, tz: dt.tzinfo) -> volumes.Volumes:
    found = volumes.from_facts(user, f.start, f.end, f.region)
    return found if found is not None else volumes.live(user, f.bounds(tz), f.region)


def _in_parallel(*parts: Callable[[], Any]) -> list[Any]:
    """Run the parts on two database connections at once when the data is committed (the
    scans are independent; each thread closes its own connection); one after the other inside
    a transaction, whose rows another connection would not see."""
    if connection.in_atomic_block or len(parts) < 2:
        return [part() for part in parts]

    def run(part: Callable[[], Any]) -> Any:
        try:
            return part()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=PARALLEL) as pool:
        return list(pool.map(run, parts))


def analyse(user: Any, f: Filters) -> Analysis:
    """The whole analysis for ``user`` (their scope of cases) and the filters."""
    tz = timezone.get_current_timezone()
    counts = _CaseCounts()
    _linked_done, _causes_done, (days, daily), found = _in_parallel(
        lambda: _linked(user, f, tz, counts),
        lambda: _by_cause_and_agent(user, f, tz, counts),
        lambda: _daily(cases_in(user, f, tz=tz), f, tz),
        lambda: _volumes(user, f, tz),
    )
    causes = {rc.pk: (rc.code, rc.name) for rc in RootCause.objects.all()}
    by_cause = _relabel(counts.by_cause, causes | {0: (NO_CAUSE, "")})
    cause_labels = {code: name for code, name in causes.values()}
    cause_labels[NO_CAUSE] = str(_("Not recorded"))
    categories = {c.pk: (c.code, c.name) for c in CaseCategory.objects.all()}
    by_category = _relabel(counts.by_category, categories)
    return Analysis(
        filters=f,
        complaints=sum(by_category.values()),
        by_cause=pareto(by_cause, cause_labels),
        by_category=pareto(by_category, {code: name for code, name in categories.values()}),
        dimensions=_dimensions(counts, found),
        days=days,
        daily=daily,
    )


def regions_for(user: Any) -> list[Region]:
    """The regions the user may pick: all, or their own when their scope of cases is a region."""
    profile = scoping.profile_of(user)
    if scoping.scope_for(user, "cases") == Scope.ALL or profile is None or not profile.region:
        return list(Region.objects.order_by("code"))
    return [profile.region]
