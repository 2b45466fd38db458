"""Business-time arithmetic: SLA targets count working time, not wall-clock time.

"Resolve within 16 working hours" means different things at 17:00 on a Friday, on the eve of
National Day, or before a Saturday that is worked to make up for a holiday (调休). Everything here
works on a :class:`Calendar` snapshot (usual weekday hours plus dated exceptions, in the
calendar's own time zone), loaded with one query by :func:`load`, so an SLA sweep over many
cases reads the calendar once and then never touches the database.

Conventions, chosen so that callers can add and compare results without surprises:

* Datetimes in and out are aware; results are in the calendar's time zone.
* Working hours are half-open spans ``[start, end)`` of local wall-clock time within one day
  (``24:00`` may end a span). Durations inside a span are real elapsed time, computed in UTC,
  so a span that crosses a daylight-saving change is an hour shorter or longer, as lived.
* The arithmetic steps a day at a time (never a minute at a time), and remembers each day's
  spans on the snapshot, so a due date thirty working days away costs about forty steps.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext_lazy as _

from hudong.core.errors import DomainError, NotFound

Span = tuple[int, int]  # minutes after local midnight, start < end <= 1440
Spans = tuple[Span, ...]
Window = tuple[dt.datetime, dt.datetime]  # the same span as UTC instants

DAY = 24 * 60
UTC = dt.UTC
HOLIDAY = "holiday"
WORKDAY = "workday"
_TIME = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*$")


# --- parsing the stored forms ---------------------------------------------------------------


def hours_invalid(detail: object) -> DomainError:
    return DomainError(
        "calendars.hours_invalid",
        _("Working hours are not valid: %(detail)s") % {"detail": detail},
    )


def _minutes(text: Any) -> int:
    match = _TIME.match(str(text))
    if not match:
        raise hours_invalid(_("“%(value)s” is not a time like 09:00") % {"value": text})
    hour, minute = int(match[1]), int(match[2])
    if minute > 59 or hour > 24 or (hour == 24 and minute):
        raise hours_invalid(_("“%(value)s” is not a time like 09:00") % {"value": text})
    return hour * 60 + minute


def parse_spans(value: Any) -> Spans:
    """``[["09:00", "12:00"], ["13:00", "18:00"]]`` → ``((540, 720), (780, 1080))``.

    Spans must not overlap and each must end after it starts: a span that crosses midnight is
    written as two (``[["22:00", "24:00"]]`` today, ``[["00:00", "06:00"]]`` tomorrow)."""
    if value in (None, ""):
        return ()
    if not isinstance(value, list | tuple):
        raise hours_invalid(_("expected a list of [start, end] pairs"))
    spans: list[Span] = []
    for pair in value:
        if not isinstance(pair, list | tuple) or len(pair) != 2:
            raise hours_invalid(_("expected a list of [start, end] pairs"))
        start, end = _minutes(pair[0]), _minutes(pair[1])
        if start >= end:
            raise hours_invalid(_("%(start)s–%(end)s ends before it starts") % _pair(pair))
        spans.append((start, end))
    spans.sort()
    for (_a, end), (start, _b) in zip(spans, spans[1:], strict=False):
        if start < end:
            raise hours_invalid(_("spans overlap"))
    return tuple(spans)


def _pair(pair: Any) -> dict[str, str]:
    return {"start": str(pair[0]), "end": str(pair[1])}


def parse_spans_text(text: str) -> Spans:
    """The spreadsheet form of :func:`parse_spans`: ``09:00-12:00;13:00-18:00``."""
    pairs = []
    for part in re.split(r"[;,，；\s]+", text.strip()):
        if not part:
            continue
        bits = re.split(r"\s*[-–~～至]\s*", part)
        if len(bits) != 2:
            raise hours_invalid(_("write hours like 09:00-12:00;13:00-18:00"))
        pairs.append(bits)
    return parse_spans(pairs)


def format_spans(spans: Spans) -> str:
    """The inverse of :func:`parse_spans_text`, for display and export."""
    return ";".join(f"{_hhmm(a)}-{_hhmm(b)}" for a, b in spans)


def _hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def parse_week(value: Any) -> tuple[Spans, ...]:
    """``{"0": [...], …, "6": []}`` (Monday = 0) → seven tuples of spans; a missing day is off."""
    if not isinstance(value, Mapping):
        raise hours_invalid(_("expected one entry per weekday, 0 = Monday … 6 = Sunday"))
    unknown = set(map(str, value)) - {str(d) for d in range(7)}
    if unknown:
        raise hours_invalid(_("expected one entry per weekday, 0 = Monday … 6 = Sunday"))
    by_key = {str(k): v for k, v in value.items()}
    return tuple(parse_spans(by_key.get(str(day))) for day in range(7))


# --- the snapshot ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Calendar:
    """An immutable copy of a business calendar: safe to share and to keep for a sweep.

    ``days`` maps each exceptional date to its spans: empty for a holiday, the worked hours for
    an adjusted working day. ``names`` keeps the holidays' names for display."""

    code: str
    tz: zoneinfo.ZoneInfo
    week: tuple[Spans, ...]
    days: Mapping[dt.date, Spans] = field(default_factory=dict)
    names: Mapping[dt.date, str] = field(default_factory=dict)
    _windows: dict[dt.date, tuple[Window, ...]] = field(
        default_factory=dict, compare=False, repr=False
    )

    @classmethod
    def build(
        cls,
        *,
        week: Mapping[str, Any] | None = None,
        days: list[tuple[dt.date, str, Any]] | None = None,
        timezone: str = "Asia/Shanghai",
        code: str = "",
        names: Mapping[dt.date, str] | None = None,
    ) -> Calendar:
        """A snapshot from the stored forms: weekday hours as JSON, days as (date, kind, hours).

        An adjusted working day without hours of its own works the calendar's usual hours,
        those of its first working weekday (Monday's, in a Monday-to-Friday calendar)."""
        from hudong.core.models.calendars import default_hours

        weekly = parse_week(default_hours() if week is None else week)
        usual = next((spans for spans in weekly if spans), ())
        exceptions: dict[dt.date, Spans] = {}
        for date, kind, hours in days or []:
            if kind == HOLIDAY:
                exceptions[date] = ()
            else:
                exceptions[date] = parse_spans(hours) or usual
        return cls(code, zoneinfo.ZoneInfo(timezone), weekly, exceptions, dict(names or {}))

    def spans(self, day: dt.date) -> Spans:
        """The working spans of a local date, exceptions first."""
        found = self.days.get(day)
        return found if found is not None else self.week[day.weekday()]

    def is_working_day(self, day: dt.date) -> bool:
        return bool(self.spans(day))

    def windows(self, day: dt.date) -> tuple[Window, ...]:
        """The spans of ``day`` as UTC instants (cached: sweeps ask for the same days often)."""
        cached = self._windows.get(day)
        if cached is None:
            cached = tuple(
                (self._instant(day, a), self._instant(day, b)) for a, b in self.spans(day)
            )
            self._windows[day] = cached
        return cached

    def _instant(self, day: dt.date, minutes: int) -> dt.datetime:
        if minutes == DAY:
            day, minutes = day + dt.timedelta(days=1), 0
        local = dt.datetime.combine(day, dt.time(minutes // 60, minutes % 60), tzinfo=self.tz)
        return local.astimezone(UTC)

    def _last_day(self, start: dt.date) -> dt.date | None:
        """Past this date there is no working time at all (None: the week always has some)."""
        if any(self.week):
            return None
        worked = [d for d, spans in self.days.items() if spans]
        return max(worked) if worked else start - dt.timedelta(days=1)


def _aware(moment: dt.datetime) -> dt.datetime:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("business-time arithmetic needs aware datetimes")
    return moment.astimezone(UTC)


def _windows_from(cal: Calendar, moment: dt.datetime) -> Iterator[Window]:
    """Working windows that end after ``moment`` (UTC), in order, a day at a time. Stops when
    the calendar has no working time left (only possible without usual weekday hours)."""
    day = moment.astimezone(cal.tz).date() - dt.timedelta(days=1)  # a 24:00 span of the eve
    last = cal._last_day(day)
    while last is None or day <= last:
        for window in cal.windows(day):
            if window[1] > moment:
                yield window
        day += dt.timedelta(days=1)


def no_working_time(cal: Calendar) -> DomainError:
    return DomainError(
        "calendars.no_working_time",
        _("Calendar %(code)s has no working time left to count.") % {"code": cal.code},
    )


# --- the arithmetic -------------------------------------------------------------------------


def add_business_time(cal: Calendar, start: dt.datetime, duration: dt.timedelta) -> dt.datetime:
    """The moment ``duration`` of working time after ``start``: an SLA target's due time.

    Time outside working hours, on holidays and on weekends not worked does not count; adjusted
    working days do. The result lies in working time or at the very end of a span (a target of
    one working day from 09:00 is due at 18:00 the same day, not at 09:00 the next). A zero
    duration gives the next working moment: something due "at once" at night is due when the
    office opens."""
    if duration < dt.timedelta(0):
        raise ValueError("duration must not be negative")
    begin = _aware(start)
    remaining = duration
    for a, b in _windows_from(cal, begin):
        s = max(a, begin)
        available = b - s
        if remaining <= available:
            return (s + remaining).astimezone(cal.tz)
        remaining -= available
    raise no_working_time(cal)


def business_time_between(cal: Calendar, start: dt.datetime, end: dt.datetime) -> dt.timedelta:
    """Working time elapsed from ``start`` to ``end`` (zero if ``end`` is not later).

    The elapsed part of an SLA. A clock that pauses (waiting on the customer) is the sum of
    this over its running intervals, which is why the function takes any two instants."""
    begin, finish = _aware(start), _aware(end)
    total = dt.timedelta(0)
    if finish <= begin:
        return total
    for a, b in _windows_from(cal, begin):
        if a >= finish:
            break
        total += min(b, finish) - max(a, begin)
    return total


def is_working_time(cal: Calendar, moment: dt.datetime) -> bool:
    """Whether ``moment`` falls inside working hours (spans are half-open: 18:00 is not)."""
    instant = _aware(moment)
    day = instant.astimezone(cal.tz).date()
    return any(a <= instant < b for a, b in cal.windows(day))


def next_working_moment(cal: Calendar, moment: dt.datetime) -> dt.datetime:
    """``moment`` itself if it is working time, else when work next starts: where a clock
    started out of hours begins to run, and when a notice sent at night should be read."""
    instant = _aware(moment)
    for a, _b in _windows_from(cal, instant):
        return max(a, instant).astimezone(cal.tz)
    raise no_working_time(cal)


# --- loading --------------------------------------------------------------------------------


def load(code: str | None = None) -> Calendar:
    """The calendar ``code`` (the default calendar if None) with all its days, in one query."""
    from hudong.core.models.calendars import BusinessCalendar

    rows = BusinessCalendar.objects.all()
    rows = rows.filter(code=code) if code else rows.filter(is_default=True)
    values = list(
        rows.values_list(
            "code", "timezone", "hours", "days__date", "days__kind", "days__hours", "days__name"
        )
    )
    if not values:
        raise NotFound("calendars.not_found", _("No such business calendar."))
    found, timezone, hours = values[0][:3]
    days = [(d, kind, spans) for *_c, d, kind, spans, _n in values if d is not None]
    names = {d: name for *_c, d, _k, _s, name in values if d is not None and name}
    return Calendar.build(week=hours, days=days, timezone=timezone, code=found, names=names)
