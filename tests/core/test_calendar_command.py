"""``hudong calendar import`` and ``show``: holidays from a spreadsheet, bad rows reported."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from hudong.core import calendars
from hudong.core.models import AuditEntry, BusinessCalendar, CalendarDay, DayKind

GOOD_AND_BAD = """date,kind,name,hours
2031-10-02,holiday,假日,
2031/10/3,holiday,假日,
2031-09-27,workday,调休上班,
2031-10-11,workday,调休上班,10:00-15:00
2031-13-01,holiday,坏日期,
2031-10-04,vacation,未知类型,
2031-10-05,holiday,有时间的假日,09:00-12:00
2031-10-02,holiday,重复,
2031-10-06,workday,坏时间,18:00-09:00
"""


def run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    with translation.override("en"):  # the messages are asserted in English
        call_command("calendar", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def calendar() -> BusinessCalendar:
    return BusinessCalendar.objects.create(code="test", name="Test")


@pytest.mark.django_db
def test_good_rows_are_kept_and_each_bad_row_is_reported(
    calendar: BusinessCalendar, tmp_path: Path
) -> None:
    # Given a UTF-8 file with four good rows and five bad ones
    path = tmp_path / "days.csv"
    path.write_text(GOOD_AND_BAD, encoding="utf-8")
    # When it is imported
    out, err = run("import", "test", str(path))
    # Then the good rows are stored
    assert "4 created, 0 updated, 0 unchanged, 5 bad" in out
    kinds = dict(calendar.days.values_list("date", "kind"))
    assert kinds == {
        dt.date(2031, 10, 2): DayKind.HOLIDAY,
        dt.date(2031, 10, 3): DayKind.HOLIDAY,
        dt.date(2031, 9, 27): DayKind.WORKDAY,
        dt.date(2031, 10, 11): DayKind.WORKDAY,
    }
    # And each bad row is named by its row (the header is row 1), field and code
    lines = err.strip().splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "row 6, date, calendars.date_invalid",
        "row 7, kind, calendars.kind_invalid",
        "row 8, hours, calendars.hours_on_holiday",
        "row 9, date, calendars.date_duplicate",
        "row 10, hours, calendars.hours_invalid",
    ]
    # And the calendar computes with them
    cal = calendars.load("test")
    assert cal.days[dt.date(2031, 10, 11)] == ((600, 900),)
    start = dt.datetime(2031, 9, 26, 17, tzinfo=cal.tz)
    assert calendars.add_business_time(cal, start, dt.timedelta(hours=2)) == start.replace(
        day=27, hour=10
    )


@pytest.mark.django_db
def test_a_gbk_file_from_chinese_excel_is_read(calendar: BusinessCalendar, tmp_path: Path) -> None:
    # Given a file saved by Chinese Excel: GBK, Chinese headers and kinds
    path = tmp_path / "节假日.csv"
    path.write_bytes(
        "日期,类型,名称\r\n2031-10-02,休,国庆节\r\n2031-09-27,班,国庆节调休\r\n".encode("gbk")
    )
    # When it is imported
    out, err = run("import", "test", str(path))
    # Then the names arrive intact
    assert "2 created" in out and not err
    assert calendar.days.get(date=dt.date(2031, 10, 2)).name == "国庆节"
    assert calendar.days.get(date=dt.date(2031, 9, 27)).kind == DayKind.WORKDAY


@pytest.mark.django_db
def test_importing_twice_changes_nothing_and_a_corrected_row_updates(
    calendar: BusinessCalendar, tmp_path: Path
) -> None:
    # Given a file imported once (UTF-8 with Excel's byte-order mark)
    path = tmp_path / "days.csv"
    path.write_text(
        "date,kind,name\n2031-10-02,holiday,国庆节\n2031-10-03,holiday,国庆节\n", "utf-8-sig"
    )
    run("import", "test", str(path))
    audits = AuditEntry.objects.count()
    # When it is imported again
    out, _err = run("import", "test", str(path))
    # Then nothing changes, not even the audit trail
    assert "0 created, 0 updated, 2 unchanged, 0 bad" in out
    assert CalendarDay.objects.filter(calendar=calendar).count() == 2
    assert AuditEntry.objects.count() == audits
    # And a corrected name is an update
    path.write_text("date,kind,name\n2031-10-02,holiday,中秋节\n", "utf-8")
    out, _err = run("import", "test", str(path))
    assert "0 created, 1 updated" in out
    assert calendar.days.get(date=dt.date(2031, 10, 2)).name == "中秋节"


@pytest.mark.django_db
def test_file_level_problems_fail_the_command(calendar: BusinessCalendar, tmp_path: Path) -> None:
    path = tmp_path / "days.csv"
    path.write_text("day,type\n2031-10-02,holiday\n", "utf-8")
    with pytest.raises(CommandError, match="calendars.columns_missing"):
        run("import", "test", str(path))
    with pytest.raises(CommandError, match="calendars.not_found"):
        run("import", "nope", str(path))
    with pytest.raises(CommandError):
        run("import", "test", str(tmp_path / "missing.csv"))


@pytest.mark.django_db
def test_show_lists_the_year(calendar: BusinessCalendar) -> None:
    # Given one holiday and one adjusted working Saturday in 2031
    CalendarDay.objects.create(
        calendar=calendar, date=dt.date(2031, 10, 2), kind=DayKind.HOLIDAY, name="国庆节"
    )
    CalendarDay.objects.create(calendar=calendar, date=dt.date(2031, 9, 27), kind=DayKind.WORKDAY)
    # When the year is shown
    out, _err = run("show", "test", "--year", "2031")
    # Then both days are listed, and the count is the year's 261 weekdays, one off, one on
    assert "2031-10-02" in out and "国庆节" in out and "2031-09-27" in out
    assert "261 working days, 2088 working hours" in out


@pytest.mark.django_db
def test_the_command_speaks_chinese(calendar: BusinessCalendar) -> None:
    out = io.StringIO()
    with translation.override("zh-hans"):
        call_command("calendar", "show", "test", "--year", "2031", stdout=out)
    assert "2031 年：261 个工作日" in out.getvalue()
