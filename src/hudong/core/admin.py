from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from hudong.core.models import (
    AccessRule,
    ApiToken,
    AuditEntry,
    BusinessCalendar,
    CalendarDay,
    DomainEvent,
    Job,
    Profile,
    Region,
    ScheduleRun,
    Team,
)

User = get_user_model()


class ProfileInline(admin.StackedInline):
    model = Profile
    can_delete = False


admin.site.unregister(User)


@admin.register(User)
class HudongUserAdmin(UserAdmin):
    inlines = [ProfileInline]
    list_display = ("username", "email", "is_active", "is_superuser")


@admin.register(Region)
class RegionAdmin(admin.ModelAdmin):
    list_display = ("code", "name")
    search_fields = ("code", "name")


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("name", "region")


@admin.register(AccessRule)
class AccessRuleAdmin(admin.ModelAdmin):
    list_display = ("resource", "role", "scope")
    list_filter = ("resource", "role", "scope")
    list_editable = ("scope",)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "last_used_at", "revoked_at")
    readonly_fields = ("prefix", "key_hash", "created_at", "last_used_at")


class ReadOnlyAdmin(admin.ModelAdmin):
    """Append-only records: browsable, never edited or deleted through the admin."""

    def has_add_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_name", "action", "model", "object_pk", "customer_id", "via")
    list_filter = ("action", "model")
    search_fields = ("actor_name", "object_pk", "via")
    date_hierarchy = "at"


@admin.register(DomainEvent)
class DomainEventAdmin(ReadOnlyAdmin):
    list_display = ("occurred_at", "name", "dispatched_at", "attempts")
    list_filter = ("name",)


@admin.register(ScheduleRun)
class ScheduleRunAdmin(ReadOnlyAdmin):
    list_display = ("schedule", "slot", "enqueued_at", "finished_at", "outcome")
    list_filter = ("schedule",)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    list_display = ("id", "kind", "status", "created_by", "created_at", "done", "total")
    list_filter = ("kind", "status")
    readonly_fields = [f.name for f in Job._meta.fields]

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False


class CalendarDayInline(admin.TabularInline):
    model = CalendarDay
    extra = 1
    fields = ("date", "kind", "name", "hours")


@admin.register(BusinessCalendar)
class BusinessCalendarAdmin(admin.ModelAdmin):
    """Administrators keep each year's holidays and adjusted working days (调休) here."""

    list_display = ("code", "name", "timezone", "is_default")
    search_fields = ("code", "name")
    inlines = [CalendarDayInline]


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "calendar", "kind", "name", "hours")
    list_filter = ("calendar", "kind")
    search_fields = ("name",)
    date_hierarchy = "date"
