"""The root-cause analysis (D5): a Pareto of complaints by root cause and by category, the
over-representation of carriers, warehouses, products and agents, and daily complaints by
category.

Every figure is a GROUP BY in the database: no case is loaded into Python, so the analysis
stays a few seconds over a million cases. The complaints are the cases the user may see
(:func:`hudong.service.queries.visible_cases`) opened in the date range; the volumes they are
compared with (shipments, order lines, cases handled) are counted over the orders the user may
see, in the same range and region.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, F, Q, QuerySet, Value
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.commerce.models import Carrier, Order, OrderLine, Product, Shipment, Warehouse
from hudong.core import scoping
from hudong.core.models import Region
from hudong.core.models.access import Scope
from hudong.insights.rootcause.stats import Lift, ParetoRow, over_representation, pareto
from hudong.service.models import Case, CaseCategory, RootCause
from hudong.service.queries import visible_cases

# The complaints that say something about the agent who handled the case.
AGENT_CAUSE = "agent-conduct"
AGENT_CATEGORY = "service-attitude"
NO_CAUSE = "-"
DEFAULT_DAYS = 90


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

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        tz = timezone.get_current_timezone()
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


def _category_q(code: str, prefix: str = "") -> Q:
    return Q(**{f"{prefix}category__code": code}) | Q(**{f"{prefix}category__parent__code": code})


def cases_in(user: Any, f: Filters, *, with_category: bool = True) -> QuerySet[Case]:
    start, end = f.bounds()
    qs = visible_cases(user).filter(created_at__gte=start, created_at__lt=end)
    if f.region:
        qs = qs.filter(customer__region__code=f.region)
    if with_category and f.category:
        qs = qs.filter(_category_q(f.category))
    return qs


def _orders_scope(user: Any, f: Filters, prefix: str) -> Q:
    """The volume rows whose order the user may see, in the region asked for."""
    q = Q()
    if scoping.scope_for(user, "orders") != Scope.ALL:
        q &= Q(**{f"{prefix}id__in": scoping.visible(user, "orders", Order.objects.all())})
    if f.region:
        q &= Q(**{f"{prefix}customer__region__code": f.region})
    return q


def _counts(qs: QuerySet, column: Any) -> dict[Any, int]:
    """key → rows, one GROUP BY (rows without a key left out)."""
    rows = qs.annotate(_k=column).values("_k").annotate(_n=Count("*")).values_list("_k", "_n")
    return {k: n for k, n in rows.order_by() if k is not None}


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


def _carriers_and_warehouses(user: Any, f: Filters, cases: QuerySet[Case]) -> list[Dimension]:
    start, end = f.bounds()
    shipments = Shipment.objects.filter(shipped_at__gte=start, shipped_at__lt=end).filter(
        _orders_scope(user, f, "order__")
    )
    carrier_names = {c.pk: (c.code, c.name) for c in Carrier.objects.all()}
    warehouse_names = {w.pk: (w.code, w.name) for w in Warehouse.objects.all()}
    linked = cases.filter(shipment__isnull=False)
    return [
        _dimension(
            "carrier",
            _("Carriers"),
            _("shipments"),
            _counts(linked, F("shipment__carrier_id")),
            _counts(shipments, F("carrier_id")),
            carrier_names,
        ),
        _dimension(
            "warehouse",
            _("Warehouses"),
            _("shipments"),
            _counts(cases, Coalesce("shipment__warehouse_id", "order__warehouse_id")),
            _counts(shipments, Coalesce("warehouse_id", "order__warehouse_id")),
            warehouse_names,
        ),
    ]


def _products(user: Any, f: Filters, cases: QuerySet[Case]) -> Dimension:
    start, end = f.bounds()
    lines = OrderLine.objects.filter(
        order__ordered_at__gte=start, order__ordered_at__lt=end
    ).filter(_orders_scope(user, f, "order__"))
    complaints = _counts(cases, F("product_id"))
    volume = _counts(lines, F("product_id"))
    ids = set(complaints) | set(volume)
    names = {p.pk: (p.sku, p.name) for p in Product.objects.filter(pk__in=ids).only("sku", "name")}
    return _dimension("product", _("Products"), _("order lines"), complaints, volume, names)


def _agents(user: Any, f: Filters) -> Dimension:
    from django.contrib.auth import get_user_model

    handled = cases_in(user, f, with_category=False).filter(assignee__isnull=False)
    about_agent = handled.filter(Q(root_cause__code=AGENT_CAUSE) | _category_q(AGENT_CATEGORY))
    complaints = _counts(about_agent, F("assignee_id"))
    volume = _counts(handled, F("assignee_id"))
    users = get_user_model().objects.filter(pk__in=set(volume))
    names = {u.pk: (u.get_username(), u.get_full_name() or u.get_username()) for u in users}
    return _dimension("agent", _("Agents"), _("cases handled"), complaints, volume, names)


def _daily(cases: QuerySet[Case], f: Filters) -> tuple[list[str], dict[str, list[int]]]:
    days = [f.start + dt.timedelta(days=i) for i in range((f.end - f.start).days + 1)]
    index = {d: i for i, d in enumerate(days)}
    names = dict(CaseCategory.objects.values_list("pk", "name"))
    series: dict[str, list[int]] = {}
    rows = (
        cases.annotate(day=TruncDate("created_at"))
        .values("day", "category_id")
        .annotate(n=Count("*"))
        .values_list("day", "category_id", "n")
        .order_by()
    )
    for day, category_id, n in rows:
        label = str(names.get(category_id, category_id))
        if day in index:
            series.setdefault(label, [0] * len(days))[index[day]] += n
    return [d.isoformat() for d in days], dict(sorted(series.items()))


def analyse(user: Any, f: Filters) -> Analysis:
    """The whole analysis for ``user`` (their scope of cases) and the filters."""
    cases = cases_in(user, f)
    causes = {rc.pk: (rc.code, rc.name) for rc in RootCause.objects.all()}
    by_cause = _relabel(
        _counts(cases, Coalesce("root_cause_id", Value(0))), causes | {0: (NO_CAUSE, "")}
    )
    cause_labels = {code: name for code, name in causes.values()} | {
        NO_CAUSE: str(_("Not recorded"))
    }
    categories = {c.pk: (c.code, c.name) for c in CaseCategory.objects.all()}
    by_category = _relabel(_counts(cases, F("category_id")), categories)
    days, daily = _daily(cases, f)
    return Analysis(
        filters=f,
        complaints=sum(by_category.values()),
        by_cause=pareto(by_cause, cause_labels),
        by_category=pareto(by_category, {code: name for code, name in categories.values()}),
        dimensions=[
            *_carriers_and_warehouses(user, f, cases),
            _products(user, f, cases),
            _agents(user, f),
        ],
        days=days,
        daily=daily,
    )


def regions_for(user: Any) -> list[Region]:
    """The regions the user may pick: all, or their own when their scope of cases is a region."""
    profile = scoping.profile_of(user)
    if scoping.scope_for(user, "cases") == Scope.ALL or profile is None or not profile.region:
        return list(Region.objects.order_by("code"))
    return [profile.region]
