"""How customers who complained are retained (D4): recovered, not recovered, never complained.

The rules (also in the operators' documentation):

* a customer is in a complaint group through their **latest case closed in the period**:
  "recovered" when its recovery outcome is *recovered*, "not recovered" when it is *not
  recovered*, *partly recovered* or left blank;
* "never complained" are the customers who have no case at all and had bought at least once
  before the period began (so they were buying customers, like those who complained);
* **still buying** means a (not cancelled) order within N days (default 180) after the
  reference date: the closing of that latest case, or, for those who never complained, the
  first day of the period;
* the average recovery cost of a group is the cost of the recovery actions of its closed
  cases in the period divided by the number of those cases.

The recovered and not-recovered shares are compared with a two-proportion z-test (pooled,
two-sided). Everything is counted in the database over the cases and customers the user may
see.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.utils.translation import gettext_lazy as _
from scipy.stats import norm

from hudong.commerce.models import Order, OrderStatus
from hudong.core.errors import DomainError
from hudong.customers.queries import visible_customers
from hudong.insights.servicekpis.period import Period, parse_period, today
from hudong.service.models import Case, CaseStatus, RecoveryAction, RecoveryOutcome
from hudong.service.queries import visible_cases

DEFAULT_DAYS = 180
MAX_DAYS = 730
RECOVERED, NOT_RECOVERED, NEVER = "recovered", "not_recovered", "never"
GROUP_LABELS = {
    RECOVERED: _("Recovered"),
    NOT_RECOVERED: _("Not recovered"),
    NEVER: _("Never complained"),
}


@dataclass
class Group:
    key: str
    customers: int = 0
    still_buying: int = 0
    cases: int = 0
    recovery_cost: Decimal = Decimal("0")

    @property
    def label(self) -> str:
        return str(GROUP_LABELS[self.key])

    @property
    def rate(self) -> float | None:
        return round(100.0 * self.still_buying / self.customers, 1) if self.customers else None

    @property
    def average_cost(self) -> float | None:
        if self.key == NEVER or not self.cases:
            return None
        return round(float(self.recovery_cost) / self.cases, 2)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "customers": self.customers,
            "still_buying": self.still_buying,
            "rate": self.rate,
            "cases": self.cases,
            "average_cost": self.average_cost,
        }


@dataclass(frozen=True)
class Comparison:
    first: str
    second: str
    difference: float | None  # percentage points, first minus second
    z: float | None
    p_value: float | None

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < 0.05

    def as_dict(self) -> dict[str, Any]:
        return {
            "first": self.first,
            "second": self.second,
            "difference": self.difference,
            "z": self.z,
            "p_value": self.p_value,
            "significant": self.significant,
        }


@dataclass
class Report:
    period: Period
    days: int
    groups: list[Group] = field(default_factory=list)
    comparisons: list[Comparison] = field(default_factory=list)

    @property
    def windows_complete(self) -> bool:
        """Whether every customer has had the full N days to buy again by today."""
        return self.period.last + dt.timedelta(days=self.days) < today()

    @property
    def empty(self) -> bool:
        return not any(g.customers for g in self.groups)

    def group(self, key: str) -> Group:
        return next(g for g in self.groups if g.key == key)

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.period.params(),
            "days": self.days,
            "windows_complete": self.windows_complete,
            "groups": [g.as_dict() for g in self.groups],
            "comparisons": [c.as_dict() for c in self.comparisons],
        }


def parse_days(raw: Any) -> int:
    text = str(raw or "").strip()
    if not text:
        return DEFAULT_DAYS
    if not (text.isascii() and text.isdigit()) or not 1 <= int(text) <= MAX_DAYS:
        raise DomainError(
            "service_kpis.bad_days",
            _("The window is a whole number of days from 1 to %(n)d.") % {"n": MAX_DAYS},
            status=400,
        )
    return int(text)


def parse(params: Any) -> tuple[Period, int]:
    """The period and window from a query string. By default the year that ended N days ago,
    so that every customer has had the whole window to buy again."""
    days = parse_days(params.get("days"))
    period = parse_period(params, default_last=today() - dt.timedelta(days=days), default_days=365)
    return period, days


def _bought_within(days: int, after: Any, customer: str = "pk") -> Exists:
    """Whether the customer (``customer`` of the outer row) placed a kept order in the
    ``days`` after ``after``."""
    window = dt.timedelta(days=days)
    return Exists(
        Order.objects.filter(
            customer_id=OuterRef(customer), ordered_at__gt=after, ordered_at__lte=after + window
        ).exclude(status=OrderStatus.CANCELLED)
    )


def _bucket(outcome: str | None) -> str:
    return RECOVERED if outcome == RecoveryOutcome.RECOVERED else NOT_RECOVERED


def _complained(closed: QuerySet[Case], days: int, groups: dict[str, Group]) -> None:
    """Customers by the outcome of their latest case closed in the period: the first closed
    case of each customer, latest first (a window function: one sort, no probe per case),
    grouped by outcome in SQL."""
    ranked = (
        closed.annotate(
            rank=Window(
                RowNumber(),
                partition_by=[F("customer_id")],
                order_by=[F("closed_at").desc(), F("pk").desc()],
            )
        )
        .filter(rank=1)
        .values("pk")
    )
    latest = (
        closed.filter(pk__in=ranked)
        .annotate(kept=_bought_within(days, OuterRef("closed_at"), "customer_id"))
        .order_by()
        .values("recovery_outcome")
        .annotate(n=Count("pk"), k=Count("pk", filter=Q(kept=True)))
    )
    for outcome, n, kept in latest.values_list("recovery_outcome", "n", "k"):
        g = groups[_bucket(outcome)]
        g.customers += int(n)
        g.still_buying += int(kept)
    per_case = closed.order_by().values("recovery_outcome").annotate(n=Count("pk"))
    for outcome, n in per_case.values_list("recovery_outcome", "n"):
        groups[_bucket(outcome)].cases += int(n)
    costs = (
        RecoveryAction.objects.filter(case__in=closed.values("pk"))
        .order_by()
        .values("case__recovery_outcome")
        .annotate(s=Sum("cost"))
    )
    for outcome, total in costs.values_list("case__recovery_outcome", "s"):
        groups[_bucket(outcome)].recovery_cost += total or Decimal("0")


def _never(user: Any, period: Period, days: int, group: Group, region_id: int | None) -> None:
    """Buying customers with no case at all, from the first day of the period."""
    start = period.start
    bought_before = Order.objects.filter(customer_id=OuterRef("pk"), ordered_at__lt=start).exclude(
        status=OrderStatus.CANCELLED
    )
    customers = visible_customers(user)
    if region_id is not None:
        customers = customers.filter(region_id=region_id)
    counts = (
        customers.order_by()
        .filter(Exists(bought_before))
        .exclude(Exists(Case.objects.filter(customer_id=OuterRef("pk"))))
        .annotate(kept=_bought_within(days, start))
        .aggregate(n=Count("pk"), k=Count("pk", filter=Q(kept=True)))
    )
    group.customers = int(counts["n"] or 0)
    group.still_buying = int(counts["k"] or 0)


def two_proportions(a: Group, b: Group) -> Comparison:
    """Pooled two-sided z-test of "still buying" between two groups (None when undefined)."""
    if not a.customers or not b.customers:
        return Comparison(a.key, b.key, None, None, None)
    p1, p2 = a.still_buying / a.customers, b.still_buying / b.customers
    pooled = (a.still_buying + b.still_buying) / (a.customers + b.customers)
    se = math.sqrt(pooled * (1 - pooled) * (1 / a.customers + 1 / b.customers))
    diff = round(100.0 * (p1 - p2), 1)
    if se == 0:
        return Comparison(a.key, b.key, diff, None, None)
    z = (p1 - p2) / se
    p_value = float(2 * norm.sf(abs(z)))
    return Comparison(a.key, b.key, diff, round(z, 3), float(f"{p_value:.3g}"))


def report(
    user: Any, period: Period, days: int = DEFAULT_DAYS, region_id: int | None = None
) -> Report:
    """The retention of the three groups ``user`` may see (cases closed in ``period``),
    optionally only the customers of one region."""
    groups = {key: Group(key) for key in (RECOVERED, NOT_RECOVERED, NEVER)}
    closed = visible_cases(user).filter(
        status=CaseStatus.CLOSED, closed_at__gte=period.start, closed_at__lt=period.end
    )
    if region_id is not None:
        closed = closed.filter(customer__region_id=region_id)
    _complained(closed, days, groups)
    _never(user, period, days, groups[NEVER], region_id)
    out = Report(period, days, list(groups.values()))
    out.comparisons = [
        two_proportions(groups[RECOVERED], groups[NOT_RECOVERED]),
        two_proportions(groups[RECOVERED], groups[NEVER]),
    ]
    return out
