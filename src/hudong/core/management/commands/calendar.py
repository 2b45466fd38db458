"""``hudong calendar import CODE FILE.csv`` and ``hudong calendar show CODE --year YYYY``.

China's holidays and adjusted working days (调休) are announced each year by the State Council;
an administrator types them into a spreadsheet (columns ``date,kind,name[,hours]``) and imports
it here. Chinese Excel saves CSV as GBK, others as UTF-8 with or without a byte-order mark: all
are read. Each bad row is reported with its row number (the header is row 1), field, a stable
code and a message, and does not stop the good rows. Importing the same file twice changes
nothing the second time. The exit code is non-zero only if the file itself cannot be used.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _

from hudong.core import calendars, encodings
from hudong.core.errors import DomainError
from hudong.core.models import BusinessCalendar, CalendarDay, DayKind

HEADERS = {
    "date": "date",
    "日期": "date",
    "kind": "kind",
    "类型": "kind",
    "name": "name",
    "名称": "name",
    "hours": "hours",
    "时间": "hours",
    "工作时间": "hours",
}
KINDS = {
    "holiday": DayKind.HOLIDAY,
    "休": DayKind.HOLIDAY,
    "假": DayKind.HOLIDAY,
    "放假": DayKind.HOLIDAY,
    "节假日": DayKind.HOLIDAY,
    "workday": DayKind.WORKDAY,
    "班": DayKind.WORKDAY,
    "上班": DayKind.WORKDAY,
    "补班": DayKind.WORKDAY,
    "调休上班": DayKind.WORKDAY,
}
_DATE = re.compile(r"^\s*(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?\s*$")


@dataclass
class RowError:
    row: int
    field: str
    code: str
    message: str

    def __str__(self) -> str:
        return f"row {self.row}, {self.field}, {self.code}: {self.message}"


@dataclass
class Outcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)


def decode(data: bytes) -> str:
    """The file's text in the encoding every importer recognises (:mod:`hudong.core.encodings`:
    UTF-8 or the GB18030 Chinese Excel writes); anything else is refused rather than garbled."""
    try:
        return data.decode(encodings.detect_encoding(data[: encodings.SAMPLE_BYTES]))
    except (DomainError, UnicodeDecodeError) as exc:
        unknown = encodings.encoding_unknown()
        raise CommandError(f"{unknown.code}: {unknown.message}") from exc


def parse_date(text: str) -> dt.date:
    match = _DATE.match(text)
    if not match:
        raise ValueError(text)
    return dt.date(int(match[1]), int(match[2]), int(match[3]))


def import_days(calendar: BusinessCalendar, text: str) -> Outcome:
    """Create or update one CalendarDay per good row; collect the bad rows' errors."""
    reader = csv.reader(io.StringIO(text))
    header = [HEADERS.get(cell.strip().lower(), cell.strip().lower()) for cell in next(reader, [])]
    missing = [column for column in ("date", "kind") if column not in header]
    if missing:
        raise CommandError(
            "calendars.columns_missing: "
            + _("Missing columns: %(columns)s") % {"columns": ", ".join(missing)}
        )
    outcome = Outcome()
    seen: set[dt.date] = set()
    existing = {day.date: day for day in calendar.days.all()}
    with transaction.atomic():
        for number, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            values = dict(zip(header, (cell.strip() for cell in cells), strict=False))
            row = _row(number, values, seen, outcome)
            if row is None:
                continue
            date, kind, name, hours = row
            day = existing.get(date)
            if day is None:
                existing[date] = CalendarDay.objects.create(
                    calendar=calendar, date=date, kind=kind, name=name, hours=hours
                )
                outcome.created += 1
            elif (day.kind, day.name, day.hours) == (kind, name, hours):
                outcome.unchanged += 1
            else:
                day.kind, day.name, day.hours = kind, name, hours
                day.save()
                outcome.updated += 1
    return outcome


def _row(
    number: int, values: dict[str, str], seen: set[dt.date], outcome: Outcome
) -> tuple[dt.date, str, str, list[list[str]]] | None:
    """A row's clean values, or None after recording why it cannot be used."""
    errors = outcome.errors
    before = len(errors)
    date = None
    try:
        date = parse_date(values.get("date", ""))
    except ValueError:
        message = _("“%(value)s” is not a date like 2026-10-01") % {"value": values.get("date")}
        errors.append(RowError(number, "date", "calendars.date_invalid", message))
    if date is not None and date in seen:
        message = _("%(date)s appears more than once in the file") % {"date": date}
        errors.append(RowError(number, "date", "calendars.date_duplicate", message))
    kind = KINDS.get(values.get("kind", "").lower())
    if kind is None:
        message = _("“%(value)s” is not holiday or workday") % {"value": values.get("kind")}
        errors.append(RowError(number, "kind", "calendars.kind_invalid", message))
    spans: calendars.Spans = ()
    try:
        spans = calendars.parse_spans_text(values.get("hours", ""))
    except DomainError as exc:
        errors.append(RowError(number, "hours", exc.code, str(exc.message)))
    if spans and kind == DayKind.HOLIDAY:
        message = _("a holiday has no working hours")
        errors.append(RowError(number, "hours", "calendars.hours_on_holiday", message))
    name = values.get("name", "")
    if len(name) > CalendarDay._meta.get_field("name").max_length:  # type: ignore[operator]
        errors.append(RowError(number, "name", "calendars.name_too_long", _("name is too long")))
    if len(errors) > before or date is None or kind is None:
        return None
    seen.add(date)
    hours = [s.split("-") for s in calendars.format_spans(spans).split(";")] if spans else []
    return date, str(kind), name, hours


class Command(BaseCommand):
    help = (
        "Business calendars: import holidays and adjusted working days from CSV "
        "(calendar import CODE FILE) or list a year (calendar show CODE --year YYYY)."
    )

    def add_arguments(self, parser: Any) -> None:
        verbs = parser.add_subparsers(dest="verb", required=True)
        importing = verbs.add_parser("import", help="date,kind,name[,hours] rows from a CSV file")
        importing.add_argument("code")
        importing.add_argument("file", type=Path)
        showing = verbs.add_parser("show", help="a calendar's hours and the days of one year")
        showing.add_argument("code")
        showing.add_argument("--year", type=int, default=dt.date.today().year)

    def handle(self, *args: Any, **options: Any) -> None:
        calendar = BusinessCalendar.objects.filter(code=options["code"]).first()
        if calendar is None:
            raise CommandError(
                "calendars.not_found: "
                + _("No business calendar with code %(code)s") % {"code": options["code"]}
            )
        if options["verb"] == "import":
            self._import(calendar, options["file"])
        else:
            self._show(calendar.code, options["year"])

    def _import(self, calendar: BusinessCalendar, path: Path) -> None:
        if not path.is_file():
            raise CommandError(_("No such file: %(file)s") % {"file": path})
        outcome = import_days(calendar, decode(path.read_bytes()))
        for error in outcome.errors:
            self.stderr.write(str(error))
        self.stdout.write(
            _("%(created)s created, %(updated)s updated, %(unchanged)s unchanged, %(bad)s bad")
            % {
                "created": outcome.created,
                "updated": outcome.updated,
                "unchanged": outcome.unchanged,
                "bad": len(outcome.errors),
            }
        )

    def _show(self, code: str, year: int) -> None:
        cal = calendars.load(code)
        self.stdout.write(f"{cal.code}  {cal.tz.key}")
        for weekday, spans in enumerate(cal.week):
            self.stdout.write(f"  {WEEKDAYS[weekday]}: {calendars.format_spans(spans) or '-'}")
        first, last = dt.date(year, 1, 1), dt.date(year, 12, 31)
        for date in sorted(d for d in cal.days if first <= d <= last):
            spans = cal.days[date]
            kind = _("workday") if spans else _("holiday")
            line = (
                f"  {date:%Y-%m-%d} {WEEKDAYS[date.weekday()]}  {kind}  {cal.names.get(date, '')}"
            )
            self.stdout.write(f"{line}  {calendars.format_spans(spans)}".rstrip())
        days = sum(
            cal.is_working_day(first + dt.timedelta(n)) for n in range((last - first).days + 1)
        )
        start = dt.datetime.combine(first, dt.time(0), tzinfo=cal.tz)
        end = dt.datetime.combine(last + dt.timedelta(1), dt.time(0), tzinfo=cal.tz)
        hours = calendars.business_time_between(cal, start, end).total_seconds() / 3600
        self.stdout.write(
            _("%(year)s: %(days)s working days, %(hours)s working hours")
            % {"year": year, "days": days, "hours": f"{hours:g}"}
        )
