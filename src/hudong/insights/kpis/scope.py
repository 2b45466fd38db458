"""Who sees which numbers, with which filters: the one read path of every dashboard.

A user whose customer scope is everything reads the facts of every region; a user whose scope
is their region reads only that region's facts (asking for another region is refused); a user
who sees only their own (or their team's) customers reads the owner facts of exactly the owners
whose customers :mod:`hudong.core.scoping` shows them (themselves, or every member of their
team), so a dashboard never shows a number that includes someone they may not see. Like the
region facts, these are as of the last run: a customer counts for the owner (and region) it had
when the run counted. Only before any run has written owner facts are that user's figures
counted live over their customers (:mod:`hudong.insights.kpis.live`). The ``insights``
resource decides whether the dashboards open at all.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.core import scoping
from hudong.core.errors import DomainError, PermissionDeniedError
from hudong.core.models import Region
from hudong.core.models.access import Scope
from hudong.insights.models import InsightsRun, KpiFact, KpiOwnerFact, RunStatus

MAX_MONTHS = 60
DEFAULT_MONTHS = 12
ALL, REGION, OWNERS, LIVE = "all", "region", "owners", "live"

Key = tuple[str, dt.date, str, str]  # metric, period, key, series
Totals = dict[Key, list[float]]  # -> [count, value]


@dataclass(frozen=True)
class Access:
    mode: str  # all, region, owners or live
    region_id: int | None = None
    owner_ids: tuple[int, ...] = ()  # owners: the customers of these owners, and no others


def owners_of(user: Any, scope: str) -> tuple[int, ...]:
    """Whose customers ``user`` sees with an "own" or "team" scope, exactly as
    :func:`hudong.core.scoping.visible` decides (the customers' ``owner``): themselves, or
    every user of their team; nobody without a profile or, for "team", without a team."""
    profile = scoping.profile_of(user)
    if profile is None:
        return ()
    if scope == Scope.OWN:
        return (user.pk,)
    if scope == Scope.TEAM and profile.team_id:
        members = get_user_model().objects.filter(profile__team_id=profile.team_id)
        return tuple(sorted(members.values_list("pk", flat=True)))
    return ()


def access_of(user: Any) -> Access:
    """How ``user`` reads the dashboards; refused when either scope is "nothing"."""
    if scoping.scope_for(user, "insights") == Scope.NONE:
        raise PermissionDeniedError("insights.dashboards_denied")
    scope = scoping.scope_for(user, "customers")
    profile = scoping.profile_of(user)
    if scope == Scope.ALL:
        return Access(ALL)
    if scope == Scope.REGION and profile is not None and profile.region_id:
        return Access(REGION, profile.region_id)
    if scope in (Scope.OWN, Scope.TEAM):
        return Access(OWNERS, owner_ids=owners_of(user, scope))
    raise PermissionDeniedError("insights.dashboards_denied")


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def add_months(day: dt.date, n: int) -> dt.date:
    index = day.year * 12 + day.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def parse_month(text: str) -> dt.date:
    try:
        parsed = dt.datetime.strptime(text.strip(), "%Y-%m").date()
    except ValueError:
        raise DomainError(
            "insights.bad_month", _("A month is written as YYYY-MM."), status=400
        ) from None
    if not 1900 <= parsed.year <= 2999:
        raise DomainError("insights.bad_month", _("A month is written as YYYY-MM."), status=400)
    return parsed


@dataclass(frozen=True)
class Filters:
    start: dt.date  # first day of the first month
    end: dt.date  # first day of the last month (inclusive)
    region: Region | None = None

    def months(self) -> list[dt.date]:
        out, day = [], self.start
        while day <= self.end:
            out.append(day)
            day = add_months(day, 1)
        return out

    def params(self) -> dict[str, str]:
        out = {"from": self.start.strftime("%Y-%m"), "to": self.end.strftime("%Y-%m")}
        if self.region is not None:
            out["region"] = self.region.code
        return out


def latest_run() -> InsightsRun | None:
    """The run whose facts the dashboards show: the last one that finished."""
    return InsightsRun.objects.filter(status=RunStatus.DONE).order_by("-finished_at", "-id").first()


def has_owner_facts(run: InsightsRun | None) -> bool:
    """Whether ``run`` wrote owner facts (runs before they existed did not)."""
    summary = (run.summary or {}) if run is not None else {}
    return isinstance(summary.get("kpis"), dict) and "owner_facts" in summary["kpis"]


def parse_filters(access: Access, params: Any, as_of: dt.datetime) -> Filters:
    """From the query string (``from``, ``to`` as YYYY-MM, ``region`` as a code)."""
    day = as_of.astimezone(dt.UTC).date() if timezone.is_aware(as_of) else as_of.date()
    default_end = month_start(day)  # months are calendar months in UTC, like the facts
    end = parse_month(params["to"]) if params.get("to") else default_end
    start = (
        parse_month(params["from"]) if params.get("from") else add_months(end, 1 - DEFAULT_MONTHS)
    )
    if start > end:
        start, end = end, start
    if (end.year - start.year) * 12 + end.month - start.month >= MAX_MONTHS:
        raise DomainError(
            "insights.range_too_long",
            _("Choose at most %(n)d months.") % {"n": MAX_MONTHS},
            status=400,
        )
    region = None
    code = str(params.get("region") or "").strip()
    if code:
        region = Region.objects.filter(code=code[:32]).first()
        if region is None or (access.mode == REGION and region.pk != access.region_id):
            # a region outside the user's scope does not exist for them
            raise DomainError(
                "insights.region_not_found", _("No such region in your scope."), status=404
            )
    return Filters(start, end, region)


@dataclass
class View:
    """One user's dashboards with their filters: the facts, summed, read once per request."""

    user: Any
    access: Access
    filters: Filters
    run: InsightsRun | None
    as_of: dt.datetime
    _cache: dict[str, Totals] = field(default_factory=dict)
    _live_rows: list[dict[str, Any]] | None = None

    @classmethod
    def of(cls, user: Any, params: Any) -> View:
        access = access_of(user)
        run = latest_run()
        if access.mode == OWNERS and not has_owner_facts(run):
            access = Access(LIVE, owner_ids=access.owner_ids)
        as_of = run.as_of if run is not None else timezone.now()
        return cls(user, access, parse_filters(access, params, as_of), run, as_of)

    @property
    def has_data(self) -> bool:
        return self.access.mode == LIVE or self.run is not None

    def region_ids(self) -> list[int] | None:
        """The regions counted (None: every region, and contacts of none)."""
        if self.filters.region is not None:
            return [self.filters.region.pk]
        if self.access.mode == REGION and self.access.region_id:
            return [self.access.region_id]
        return None

    def monthly(self, *metrics: str) -> Totals:
        """(metric, month, key, series) -> [count, value] over the filter's months."""
        return self._totals(metrics, monthly=True)

    def state(self, *metrics: str) -> Totals:
        """The state after the last run (tiers, CLV, frequency), period left out."""
        return self._totals(metrics, monthly=False)

    def _totals(self, metrics: tuple[str, ...], *, monthly: bool) -> Totals:
        wanted = f"{monthly}:{','.join(metrics)}"
        if wanted not in self._cache:
            rows = self._rows(metrics, monthly)
            totals: Totals = defaultdict(lambda: [0, 0.0])
            for metric, period, key, series, count, value in rows:
                slot = totals[(metric, period if monthly else dt.date.min, key, series)]
                slot[0] += int(count or 0)
                slot[1] += float(value or 0)
            self._cache[wanted] = totals
        return self._cache[wanted]

    def by_region(self, *metrics: str) -> list[tuple[int | None, str, int, float]]:
        """(region id, metric, count, value) over the filter's months."""
        return [
            (r[0], r[1], int(r[2] or 0), float(r[3] or 0))
            for r in self._select(metrics, True, ("region_id", "metric"))
        ]

    def _rows(self, metrics: tuple[str, ...], monthly: bool) -> list[tuple[Any, ...]]:
        return self._select(metrics, monthly, ("metric", "period", "key", "series"))

    def _select(
        self, metrics: tuple[str, ...], monthly: bool, group: tuple[str, ...]
    ) -> list[tuple[Any, ...]]:
        start, end = self.filters.start, add_months(self.filters.end, 1)
        regions = self.region_ids()
        if self.access.mode == LIVE:
            sums: dict[tuple[Any, ...], list[float]] = defaultdict(lambda: [0, 0.0])
            for r in self._live():
                if (
                    r["metric"] in metrics
                    and (not monthly or start <= r["period"] < end)
                    and (regions is None or r["region_id"] in regions)
                ):
                    slot = sums[tuple(r[g] for g in group)]
                    slot[0] += r["count"]
                    slot[1] += r["value"]
            return [(*k, c, v) for k, (c, v) in sums.items()]
        if self.run is None:
            return []
        qs: QuerySet[Any]
        if self.access.mode == OWNERS:
            owned = KpiOwnerFact.objects.filter(owner_id__in=self.access.owner_ids)
            qs = owned.filter(metric__in=metrics)
        else:
            qs = KpiFact.objects.filter(metric__in=metrics)
        if monthly:
            qs = qs.filter(period__gte=start, period__lt=end)
        if regions is not None:
            qs = qs.filter(region_id__in=regions)
        grouped = qs.values_list(*group).annotate(c=Sum("count"), v=Sum("value"))
        return list(grouped.order_by())

    def _live(self) -> list[dict[str, Any]]:
        if self._live_rows is None:
            from hudong.insights.kpis.live import cached_live_facts

            self._live_rows = cached_live_facts(self.user, self.run, self.as_of)
        return self._live_rows
