"""The period of a service report: two calendar days in the site's time zone, both included.

Query strings carry ``from`` and ``to`` as YYYY-MM-DD; anything else is refused with a stable
code, never a 500.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.core.errors import DomainError

MAX_DAYS = 366
DEFAULT_DAYS = 30


@dataclass(frozen=True)
class Period:
    first: dt.date  # first day, included
    last: dt.date  # last day, included

    @property
    def start(self) -> dt.datetime:
        return _midnight(self.first)

    @property
    def end(self) -> dt.datetime:
        """The first instant after the period."""
        return _midnight(self.last + dt.timedelta(days=1))

    def params(self) -> dict[str, str]:
        return {"from": self.first.isoformat(), "to": self.last.isoformat()}


def _midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def today() -> dt.date:
    return timezone.localdate()


def _month_end(day: dt.date) -> dt.date:
    following = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return following - dt.timedelta(days=1)


def parse_day(text: str, *, end: bool = False) -> dt.date:
    """A day (YYYY-MM-DD), or a month (YYYY-MM, as the dashboards write it): its first day,
    or its last when ``end``."""
    text = text.strip()
    try:
        if len(text) == 7:
            month = dt.datetime.strptime(text, "%Y-%m").date()
            day = _month_end(month) if end else month
        else:
            day = dt.date.fromisoformat(text)
    except ValueError:
        raise DomainError(
            "service_kpis.bad_date", _("A day is written as YYYY-MM-DD."), status=400
        ) from None
    if not 1900 <= day.year <= 2999:
        raise DomainError("service_kpis.bad_date", _("A day is written as YYYY-MM-DD."), status=400)
    return day


def parse_period(
    params: Any, *, default_last: dt.date | None = None, default_days: int = DEFAULT_DAYS
) -> Period:
    """``from`` and ``to`` from a query string; by default the ``default_days`` days ending
    ``default_last`` (today). Swapped when given backwards; at most a year long."""
    last = parse_day(params["to"], end=True) if params.get("to") else (default_last or today())
    first = (
        parse_day(params["from"])
        if params.get("from")
        else last - dt.timedelta(days=default_days - 1)
    )
    if first > last:
        first, last = last, first
    if (last - first).days + 1 > MAX_DAYS:
        raise DomainError(
            "service_kpis.period_too_long",
            _("Choose a period of at most %(n)d days.") % {"n": MAX_DAYS},
            status=400,
        )
    return Period(first, last)
