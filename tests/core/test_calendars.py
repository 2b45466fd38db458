"""Business calendars: due times and elapsed working time honour hours, holidays and 调休.

The test calendar is made up (not an official year): Monday to Friday 09:00–12:00 and
13:00–18:00 in Asia/Shanghai, a holiday week from Thursday 2031-10-02 to Wednesday 2031-10-08,
and two adjusted working Saturdays, 2031-09-27 (usual hours) and 2031-10-11 (10:00–15:00).
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from hudong.core import calendars
from hudong.core.calendars import (
    Calendar,
    add_business_time,
    business_time_between,
    is_working_time,
    next_working_moment,
)
from hudong.core.errors import DomainError, NotFound
from hudong.core.models import BusinessCalendar, CalendarDay, DayKind

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
BERLIN = zoneinfo.ZoneInfo("Europe/Berlin")
H = dt.timedelta(hours=1)
HOLIDAY_WEEK = [dt.date(2031, 10, 2) + dt.timedelta(days=n) for n in range(7)]


def make_calendar() -> Calendar:
    days = [(d, "holiday", []) for d in HOLIDAY_WEEK]
    days += [
        (dt.date(2031, 9, 27), "workday", []),
        (dt.date(2031, 10, 11), "workday", [["10:00", "15:00"]]),
    ]
    return Calendar.build(days=days, code="test", names={HOLIDAY_WEEK[0]: "假日"})


def at(y: int, mo: int, d: int, h: int = 0, mi: int = 0, tz: dt.tzinfo = SHANGHAI) -> dt.datetime:
    return dt.datetime(y, mo, d, h, mi, tzinfo=tz)


CAL = make_calendar()


def test_the_made_up_dates_fall_on_the_intended_weekdays() -> None:
    assert [d.weekday() for d in (HOLIDAY_WEEK[0], HOLIDAY_WEEK[-1])] == [3, 2]
    assert dt.date(2031, 9, 27).weekday() == 5 and dt.date(2031, 10, 11).weekday() == 5


# --- add_business_time ----------------------------------------------------------------------


def test_time_after_friday_closing_continues_on_monday() -> None:
    # Given a case opened on Friday an hour before closing, when two working hours are added
    due = add_business_time(CAL, at(2031, 9, 19, 17), 2 * H)
    # Then it is due on Monday at 10:00, local time
    assert due == at(2031, 9, 22, 10) and due.tzinfo == SHANGHAI


def test_lunch_break_does_not_count() -> None:
    assert add_business_time(CAL, at(2031, 9, 22, 11, 30), H) == at(2031, 9, 22, 13, 30)


def test_a_full_working_day_from_opening_is_due_at_closing_the_same_day() -> None:
    assert add_business_time(CAL, at(2031, 9, 22, 9), 8 * H) == at(2031, 9, 22, 18)


def test_holiday_week_is_skipped() -> None:
    # Given a case an hour before closing on the eve of the holiday week
    due = add_business_time(CAL, at(2031, 10, 1, 17), 2 * H)
    # Then the second hour is worked the morning after the holidays
    assert due == at(2031, 10, 9, 10)


def test_adjusted_working_saturday_counts_with_usual_hours() -> None:
    assert add_business_time(CAL, at(2031, 9, 26, 17), 2 * H) == at(2031, 9, 27, 10)


def test_adjusted_working_saturday_with_its_own_hours() -> None:
    # Friday 17:30 + 1 h: half an hour on Friday, then Saturday from 10:00 (its own hours)
    assert add_business_time(CAL, at(2031, 10, 10, 17, 30), H) == at(2031, 10, 11, 10, 30)
    # And Saturday ends at 15:00, so 6 h from Saturday 10:00 ends Monday 10:00
    assert add_business_time(CAL, at(2031, 10, 11, 10), 6 * H) == at(2031, 10, 13, 10)


def test_zero_duration_out_of_hours_is_due_when_work_starts() -> None:
    assert add_business_time(CAL, at(2031, 9, 20, 23), dt.timedelta(0)) == at(2031, 9, 22, 9)


def test_start_in_another_time_zone_is_answered_in_the_calendars() -> None:
    # 01:00 UTC is 09:00 in Shanghai
    start = dt.datetime(2031, 9, 22, 1, tzinfo=dt.UTC)
    assert add_business_time(CAL, start, H) == at(2031, 9, 22, 10)


def test_thirty_working_days_steps_by_day_not_by_minute() -> None:
    # Given a fresh snapshot, when a target 30 working days away is computed
    cal = make_calendar()
    due = add_business_time(cal, at(2031, 9, 1, 9), 30 * 8 * H)
    # Then: September has 22 weekdays and a 调休 Saturday (184 h), Wednesday 10-01 (8 h), the
    # holiday week nothing, 10-09 and 10-10 (16 h), the short 调休 Saturday 10-11 (5 h), 10-13 to
    # 10-15 (24 h): 237 h, so the last 3 h end on Thursday 10-16 at noon
    assert due == at(2031, 10, 16, 12)
    # And only the days on the way were looked at, once each
    assert len(cal._windows) < 60


def test_naive_datetimes_and_negative_durations_are_refused() -> None:
    with pytest.raises(ValueError):
        add_business_time(CAL, dt.datetime(2031, 9, 22, 9), H)
    with pytest.raises(ValueError):
        add_business_time(CAL, at(2031, 9, 22, 9), -H)


def test_a_calendar_without_working_time_says_so_instead_of_looping() -> None:
    empty = Calendar.build(week={}, days=[(dt.date(2031, 1, 5), "workday", [["09:00", "10:00"]])])
    with pytest.raises(DomainError) as caught:
        add_business_time(empty, at(2031, 1, 5, 9), 2 * H)
    assert caught.value.code == "calendars.no_working_time"
    assert business_time_between(empty, at(2031, 1, 1), at(2032, 1, 1)) == H


# --- business_time_between, is_working_time, next_working_moment ---------------------------


def test_elapsed_time_across_the_holiday_week() -> None:
    # Wednesday before (8 h), the holidays (0), Thursday and Friday after (16 h)
    assert business_time_between(CAL, at(2031, 10, 1, 9), at(2031, 10, 10, 18)) == 24 * H


def test_a_paused_clock_is_the_sum_of_its_running_intervals() -> None:
    # Given a clock running Monday 09:00–10:30, paused (waiting on the customer), then running
    # again from Tuesday 16:00 to Wednesday 10:00
    running = [
        (at(2031, 9, 22, 9), at(2031, 9, 22, 10, 30)),
        (at(2031, 9, 23, 16), at(2031, 9, 24, 10)),
    ]
    # Then the elapsed working time is 1.5 h + 2 h + 1 h
    assert sum((business_time_between(CAL, a, b) for a, b in running), dt.timedelta()) == 4.5 * H


def test_end_before_start_is_no_time() -> None:
    assert business_time_between(CAL, at(2031, 9, 23), at(2031, 9, 22)) == dt.timedelta(0)


@pytest.mark.parametrize(
    ("moment", "working"),
    [
        (at(2031, 9, 22, 9), True),
        (at(2031, 9, 22, 11, 59), True),
        (at(2031, 9, 22, 12), False),
        (at(2031, 9, 22, 18), False),
        (at(2031, 9, 20, 10), False),  # an ordinary Saturday
        (at(2031, 10, 3, 10), False),  # a holiday
        (at(2031, 9, 27, 10), True),  # an adjusted working Saturday
        (at(2031, 10, 11, 9, 30), False),  # before that Saturday's own hours
    ],
)
def test_is_working_time(moment: dt.datetime, working: bool) -> None:
    assert is_working_time(CAL, moment) is working


def test_next_working_moment() -> None:
    assert next_working_moment(CAL, at(2031, 9, 22, 10)) == at(2031, 9, 22, 10)
    assert next_working_moment(CAL, at(2031, 9, 22, 12, 30)) == at(2031, 9, 22, 13)
    assert next_working_moment(CAL, at(2031, 10, 1, 18, 30)) == at(2031, 10, 9, 9)


# --- daylight saving (Europe/Berlin) --------------------------------------------------------


BERLIN_WEEK = {
    "0": [["08:00", "20:00"]],
    "1": [["08:00", "20:00"]],
    "2": [["08:00", "20:00"]],
    "3": [["08:00", "20:00"]],
    "4": [["08:00", "20:00"]],
    "5": [["01:00", "04:00"]],
    "6": [["00:00", "24:00"]],
}
BERLIN_CAL = Calendar.build(week=BERLIN_WEEK, timezone="Europe/Berlin", code="berlin")


def test_working_hours_follow_the_wall_clock_across_a_dst_change() -> None:
    # Given a Monday-to-Friday calendar in Berlin; clocks go forward on Sunday 2026-03-29
    office = Calendar.build(timezone="Europe/Berlin")
    due = add_business_time(office, at(2026, 3, 27, 17, tz=BERLIN), 2 * H)
    # Then Monday's hour starts at 09:00 summer time
    assert due == at(2026, 3, 30, 10, tz=BERLIN)
    assert due.utcoffset() == 2 * H


def test_a_day_that_loses_or_gains_an_hour_counts_the_hours_lived() -> None:
    spring = business_time_between(
        BERLIN_CAL, at(2026, 3, 29, tz=BERLIN), at(2026, 3, 30, tz=BERLIN)
    )
    autumn = business_time_between(
        BERLIN_CAL, at(2026, 10, 25, tz=BERLIN), at(2026, 10, 26, tz=BERLIN)
    )
    assert (spring, autumn) == (23 * H, 25 * H)
    assert add_business_time(BERLIN_CAL, at(2026, 3, 29, tz=BERLIN), 23 * H) == at(
        2026, 3, 30, tz=BERLIN
    )


# --- properties -----------------------------------------------------------------------------


def _lands_in_working_time(cal: Calendar, due: dt.datetime, duration: dt.timedelta) -> bool:
    """Inside a span, or at its very end (the last second worked is just before)."""
    if duration == dt.timedelta(0):
        return is_working_time(cal, due)
    return is_working_time(cal, due - dt.timedelta(seconds=1))


durations = st.integers(min_value=0, max_value=60 * 60 * 60).map(lambda s: dt.timedelta(seconds=s))


@settings(max_examples=300, deadline=None)
@given(
    start=st.datetimes(
        min_value=dt.datetime(2031, 9, 15),
        max_value=dt.datetime(2031, 10, 20),
        timezones=st.just(SHANGHAI),
    ),
    duration=durations,
)
def test_property_shanghai_round_trip_and_lands_in_working_time(
    start: dt.datetime, duration: dt.timedelta
) -> None:
    due = add_business_time(CAL, start, duration)
    assert business_time_between(CAL, start, due) == duration
    assert _lands_in_working_time(CAL, due, duration)
    assert due >= start


@settings(max_examples=300, deadline=None)
@given(
    start=st.one_of(
        st.datetimes(
            min_value=dt.datetime(2026, 3, 25),
            max_value=dt.datetime(2026, 4, 2),
            timezones=st.just(BERLIN),
            allow_imaginary=False,
        ),
        st.datetimes(
            min_value=dt.datetime(2026, 10, 21),
            max_value=dt.datetime(2026, 10, 29),
            timezones=st.just(BERLIN),
            allow_imaginary=False,
        ),
    ),
    duration=durations,
)
def test_property_berlin_round_trip_across_dst(start: dt.datetime, duration: dt.timedelta) -> None:
    due = add_business_time(BERLIN_CAL, start, duration)
    assert business_time_between(BERLIN_CAL, start, due) == duration
    assert _lands_in_working_time(BERLIN_CAL, due, duration)


@settings(max_examples=200, deadline=None)
@given(
    start=st.datetimes(
        min_value=dt.datetime(2031, 9, 15),
        max_value=dt.datetime(2031, 10, 20),
        timezones=st.just(SHANGHAI),
    ),
    first=durations,
    second=durations,
)
def test_property_adding_in_two_steps_is_adding_once(
    start: dt.datetime, first: dt.timedelta, second: dt.timedelta
) -> None:
    # (a clock that pauses exactly at a span's end resumes at the next span: same due time)
    once = add_business_time(CAL, start, first + second)
    twice = add_business_time(CAL, add_business_time(CAL, start, first), second)
    assert once == twice or business_time_between(CAL, once, twice) == dt.timedelta(0)


# --- parsing and the stored calendar --------------------------------------------------------


@pytest.mark.parametrize(
    "hours",
    [
        [["09:00", "12:00"], ["11:00", "13:00"]],
        [["18:00", "09:00"]],
        [["9h", "12:00"]],
        [["09:00", "24:30"]],
        "09:00-12:00",
    ],
)
def test_invalid_hours_are_refused(hours: object) -> None:
    with pytest.raises(DomainError) as caught:
        calendars.parse_spans(hours)
    assert caught.value.code == "calendars.hours_invalid"


def test_spreadsheet_hours_round_trip() -> None:
    spans = calendars.parse_spans_text("13:00-18:00; 09:00–12:00")
    assert calendars.format_spans(spans) == "09:00-12:00;13:00-18:00"


@pytest.mark.django_db
def test_a_fresh_database_has_a_default_china_calendar_without_invented_holidays() -> None:
    default = BusinessCalendar.objects.get(is_default=True)
    assert default.timezone == "Asia/Shanghai" and not default.days.exists()
    cal = calendars.load()
    assert cal.week[0] == ((540, 720), (780, 1080)) and cal.week[5] == cal.week[6] == ()


@pytest.mark.django_db
def test_load_reads_a_calendar_and_its_days_in_one_query(
    django_assert_num_queries: object,
) -> None:
    # Given a stored calendar with the test calendar's exceptions
    stored = BusinessCalendar.objects.create(code="test", name="Test")
    for day in HOLIDAY_WEEK:
        CalendarDay.objects.create(calendar=stored, date=day, kind=DayKind.HOLIDAY, name="假日")
    CalendarDay.objects.create(calendar=stored, date=dt.date(2031, 9, 27), kind=DayKind.WORKDAY)
    CalendarDay.objects.create(
        calendar=stored,
        date=dt.date(2031, 10, 11),
        kind=DayKind.WORKDAY,
        hours=[["10:00", "15:00"]],
    )
    # When it is loaded
    with django_assert_num_queries(1):  # type: ignore[operator]
        cal = calendars.load("test")
    # Then it computes exactly like the snapshot built in memory
    assert cal.days == CAL.days and cal.week == CAL.week
    assert add_business_time(cal, at(2031, 10, 1, 17), 2 * H) == at(2031, 10, 9, 10)
    with pytest.raises(NotFound):
        calendars.load("nope")


@pytest.mark.django_db
def test_the_admin_form_refuses_bad_hours_and_time_zones() -> None:
    bad = BusinessCalendar(code="bad", name="Bad", timezone="Mars/Olympus", hours={"7": []})
    with pytest.raises(ValidationError) as caught:
        bad.full_clean()
    assert set(caught.value.message_dict) == {"timezone", "hours"}


@pytest.mark.django_db
def test_an_administrator_edits_holidays_in_the_admin(admin_user: object) -> None:
    from django.test import Client

    # Given the seeded calendar, when an administrator opens it and adds a holiday inline
    client = Client()
    client.force_login(admin_user)  # type: ignore[arg-type]
    stored = BusinessCalendar.objects.get(is_default=True)
    url = f"/admin/core/businesscalendar/{stored.pk}/change/"
    assert client.get(url).status_code == 200
    assert client.get("/admin/core/calendarday/").status_code == 200
    form = {
        "code": stored.code,
        "name": stored.name,
        "timezone": stored.timezone,
        "hours": '{"0": [["09:00", "18:00"]]}',
        "is_default": "on",
        "days-TOTAL_FORMS": "1",
        "days-INITIAL_FORMS": "0",
        "days-0-date": "2031-10-02",
        "days-0-kind": "holiday",
        "days-0-name": "国庆节",
        "days-0-hours": "[]",
    }
    response = client.post(url, form)
    # Then the holiday is stored and the calendar computes with it
    assert response.status_code == 302, response.content.decode()[:2000]
    cal = calendars.load()
    assert cal.days == {dt.date(2031, 10, 2): ()} and cal.week[0] == ((540, 1080),)
