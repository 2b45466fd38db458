"""Business calendars: when a company works, so that SLA clocks count only working time.

A calendar has usual hours per weekday and dated exceptions: public holidays, and China's
adjusted working days (调休), weekend days that are worked to bridge a holiday. The official
dates change every year, so none are shipped: an administrator enters them or imports the
State Council's list (``hudong calendar import``). The arithmetic lives in
:mod:`hudong.core.calendars`, on a snapshot loaded with one query.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

MON_FRI = [["09:00", "12:00"], ["13:00", "18:00"]]


def default_hours() -> dict[str, list[list[str]]]:
    """Monday to Friday 09:00–12:00 and 13:00–18:00 (keys are Python weekdays, Monday = 0)."""
    return {str(day): [list(span) for span in MON_FRI] if day < 5 else [] for day in range(7)}


def validate_timezone(value: str) -> None:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(_("Unknown time zone: %(tz)s"), params={"tz": value}) from exc


def validate_week(value: Any) -> None:
    from hudong.core.calendars import parse_week
    from hudong.core.errors import DomainError

    try:
        parse_week(value)
    except DomainError as exc:
        raise ValidationError(str(exc.message)) from exc


def validate_spans(value: Any) -> None:
    from hudong.core.calendars import parse_spans
    from hudong.core.errors import DomainError

    try:
        parse_spans(value)
    except DomainError as exc:
        raise ValidationError(str(exc.message)) from exc


class BusinessCalendar(models.Model):
    """Usual working hours per weekday in one time zone; exceptions are its ``days``."""

    code = models.SlugField(_("code"), max_length=32, unique=True)
    name = models.CharField(_("name"), max_length=100)
    timezone = models.CharField(
        _("time zone"), max_length=64, default="Asia/Shanghai", validators=[validate_timezone]
    )
    hours = models.JSONField(
        _("working hours"),
        default=default_hours,
        validators=[validate_week],
        help_text=_(
            "Per weekday (0 = Monday … 6 = Sunday) a list of [start, end] times, e.g. "
            '{"0": [["09:00", "12:00"], ["13:00", "18:00"]], "6": []}.'
        ),
    )
    is_default = models.BooleanField(_("default"), default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["is_default"],
                condition=models.Q(is_default=True),
                name="businesscalendar_one_default",
            )
        ]
        ordering = ["code"]
        verbose_name = _("business calendar")
        verbose_name_plural = _("business calendars")

    def __str__(self) -> str:
        return self.name


class DayKind(models.TextChoices):
    HOLIDAY = "holiday", _("Holiday")
    WORKDAY = "workday", _("Adjusted working day")


class CalendarDay(models.Model):
    """A dated exception: a holiday, or a day worked although it usually is not (调休)."""

    calendar = models.ForeignKey(
        BusinessCalendar,
        on_delete=models.CASCADE,
        related_name="days",
        verbose_name=_("calendar"),
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=10, choices=DayKind.choices)
    name = models.CharField(_("name"), max_length=100, blank=True)
    hours = models.JSONField(
        _("working hours"),
        default=list,
        blank=True,
        validators=[validate_spans],
        help_text=_(
            "Working days only: a list of [start, end] times; empty means the calendar's "
            "usual weekday hours."
        ),
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["calendar", "date"], name="calendarday_once")
        ]
        ordering = ["calendar", "date"]
        verbose_name = _("calendar day")
        verbose_name_plural = _("calendar days")

    def __str__(self) -> str:
        return f"{self.date:%Y-%m-%d} {self.get_kind_display()} {self.name}".strip()
