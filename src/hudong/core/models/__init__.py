"""Platform models: people and access, audit trail, domain events, schedules, jobs, live push."""

from hudong.core.models.access import (
    AccessRule,
    ApiToken,
    LoginFailure,
    Profile,
    Region,
    Role,
    Team,
)
from hudong.core.models.audit import AuditEntry
from hudong.core.models.calendars import BusinessCalendar, CalendarDay, DayKind
from hudong.core.models.events import DomainEvent, EventDelivery
from hudong.core.models.jobs import Job, JobStatus
from hudong.core.models.live import LiveMessage
from hudong.core.models.schedules import ScheduleRun

__all__ = [
    "AccessRule",
    "ApiToken",
    "AuditEntry",
    "BusinessCalendar",
    "CalendarDay",
    "DayKind",
    "DomainEvent",
    "EventDelivery",
    "Job",
    "JobStatus",
    "LiveMessage",
    "LoginFailure",
    "Profile",
    "Region",
    "Role",
    "ScheduleRun",
    "Team",
]
