"""The customers behind a point of a chart, read live and always through
``visible_customers``: the list a click on a bar opens, and its export.

A point is named by a token ``kind[:arg[:arg]]`` that the chart wrote next to the number, so
each list is counted with the same definition as the fact (see ``facts``), bounded by the
date of the run the facts come from.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.db import connection
from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext_lazy as _

from hudong.commerce.models import Order
from hudong.core.errors import DomainError
from hudong.customers.models import Customer
from hudong.customers.queries import visible_customers
from hudong.insights.kpis.bands import FREQUENCY_BANDS, GAP_BANDS, bounds
from hudong.insights.kpis.scope import View, add_months, parse_month
from hudong.interactions.models import Interaction

TOKEN = re.compile(r"^[a-z]+(:[A-Za-z0-9+_-]{1,20}){0,2}$")
KINDS = {
    "tier", "clv", "freq", "gap", "channel", "region", "buyers", "retained", "churned",
    "repeat", "new", "converted", "contacted", "multichannel",
}  # fmt: skip
EVER = dt.datetime(1900, 1, 1, tzinfo=dt.UTC)
NEVER = dt.datetime(2999, 1, 1, tzinfo=dt.UTC)


def bad_point() -> DomainError:
    return DomainError("insights.bad_point", _("This point of the chart cannot be opened."))


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _month_span(view: View, arg: str) -> tuple[dt.datetime, dt.datetime]:
    """The month named by ``arg`` (YYYY-MM), or the filter's whole range when empty."""
    if arg:
        try:
            start = parse_month(arg)
        except DomainError:
            raise bad_point() from None
        return _at(start), _at(add_months(start, 1))
    return _at(view.filters.start), _at(add_months(view.filters.end, 1))


def _kept(view: View, start: dt.datetime, end: dt.datetime) -> QuerySet[Order]:
    return (
        Order.objects.filter(ordered_at__gte=start, ordered_at__lt=end, ordered_at__lte=view.as_of)
        .exclude(status="cancelled")
        .order_by()
    )


def _buyers(view: View, start: dt.datetime, end: dt.datetime) -> Q:
    return Q(pk__in=_kept(view, start, end).values("customer_id"))


def _contacts(view: View, start: dt.datetime, end: dt.datetime) -> QuerySet[Interaction]:
    return Interaction.objects.filter(
        started_at__gte=start, started_at__lt=end, started_at__lte=view.as_of
    ).order_by()


def _gap_ids(view: View, band: str) -> list[int]:
    """Customers with two consecutive orders ``band`` days apart, the later in the range."""
    span = bounds(GAP_BANDS, band)
    if span is None:
        raise bad_point()
    lo, hi = span
    start, end = _month_span(view, "")
    if connection.vendor == "sqlite":
        days = "(julianday(ordered_at) - julianday(prev_at))"
    else:
        days = "(EXTRACT(EPOCH FROM ordered_at - prev_at) / 86400.0)"
    upper = "" if hi == float("inf") else f"AND {days} < %s"
    sql = (
        "SELECT DISTINCT customer_id FROM (SELECT customer_id, ordered_at, "
        "LAG(ordered_at) OVER (PARTITION BY customer_id ORDER BY ordered_at) AS prev_at "
        "FROM commerce_order WHERE status <> 'cancelled' AND ordered_at <= %s "
        "AND ordered_at < %s) g "
        f"WHERE prev_at IS NOT NULL AND ordered_at >= %s AND {days} >= %s {upper}"
    )
    stamp = connection.ops.adapt_datetimefield_value
    params: list[Any] = [stamp(view.as_of), stamp(end), stamp(start), lo]
    if upper:
        params.append(hi)
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return [row[0] for row in cur.fetchall()]


def condition(view: View, token: str) -> Q:
    """The filter on customers that a drill-down token stands for."""
    if not TOKEN.match(token or ""):
        raise bad_point()
    kind, *args = token.split(":")
    arg = args[0] if args else ""
    if kind not in KINDS:
        raise bad_point()
    if kind in {"tier", "clv"}:
        if arg not in {"A", "B", "C"}:
            raise bad_point()
        q = Q(value__tier=arg)
        return q & Q(value__clv__isnull=False) if kind == "clv" else q
    if kind == "freq":
        span = bounds(FREQUENCY_BANDS, arg)
        tier = args[1] if len(args) > 1 else ""
        if span is None or tier not in {"A", "B", "C"}:
            raise bad_point()
        q = Q(value__tier=tier, value__orders_window__gte=int(span[0]))
        return q if span[1] == float("inf") else q & Q(value__orders_window__lt=int(span[1]))
    if kind == "gap":
        return Q(pk__in=_gap_ids(view, arg))
    if kind == "channel":
        if not re.fullmatch(r"[a-z]{1,10}", arg):
            raise bad_point()
        start, end = _month_span(view, "")
        return Q(pk__in=_contacts(view, start, end).filter(channel=arg).values("customer_id"))
    if kind == "region":
        if not arg.isdigit():
            raise bad_point()
        start, end = _month_span(view, "")
        return Q(region_id=int(arg)) & _buyers(view, start, end)
    start, end = _month_span(view, arg)
    if kind == "buyers":
        return _buyers(view, start, end)
    if kind in {"retained", "churned"}:
        before = _buyers(view, _at(add_months(start.date(), -1)), start)
        now = _buyers(view, start, end)
        return before & now if kind == "retained" else before & ~now
    if kind == "repeat":
        earlier = Q(pk__in=_kept(view, EVER, start).values("customer_id"))
        twice = Q(
            pk__in=_kept(view, start, end)
            .values("customer_id")
            .annotate(n=Count("id"))
            .filter(n__gte=2)
            .values("customer_id")
        )
        return _buyers(view, start, end) & (earlier | twice)
    if kind in {"new", "converted"}:
        q = Q(created_at__gte=start, created_at__lt=end, created_at__lte=view.as_of)
        if kind == "converted":
            q &= Q(pk__in=_kept(view, EVER, NEVER).values("customer_id"))
        return q
    seen = _contacts(view, start, end).values("customer_id")  # contacted, multichannel
    if kind == "multichannel":
        seen = seen.annotate(n=Count("channel", distinct=True)).filter(n__gte=2)
    return Q(pk__in=seen.values("customer_id"))


def customers(view: View, token: str) -> QuerySet[Customer]:
    """The customers behind the point, of the user's scope and the filter's region."""
    qs = visible_customers(view.user)
    regions = view.region_ids()
    if regions is not None:
        qs = qs.filter(region_id__in=regions)
    return qs.filter(condition(view, token)).select_related("value").order_by("pk")


def page(qs: QuerySet[Customer], number: int, size: int = 50) -> tuple[list[Customer], bool]:
    """One page of the list and whether another follows (no COUNT over millions)."""
    number = max(1, min(number, 10_000))
    rows = list(qs[(number - 1) * size : number * size + 1])
    return rows[:size], len(rows) > size
