"""Administrators set agents' skills, languages and capacity here (supervisors use the API);
the presence log and transfers are read-only history."""

from django.contrib import admin

from hudong.interactions.inbox.models import AgentPresence, PresenceChange, Transfer


@admin.register(AgentPresence)
class AgentPresenceAdmin(admin.ModelAdmin):
    list_display = ("user", "status", "skills", "languages", "capacity", "since")
    list_filter = ("status",)
    search_fields = ("user__username",)
    readonly_fields = ("since",)


@admin.register(PresenceChange)
class PresenceChangeAdmin(admin.ModelAdmin):
    list_display = ("user", "status", "at")
    list_filter = ("status",)
    search_fields = ("user__username",)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False


@admin.register(Transfer)
class TransferAdmin(admin.ModelAdmin):
    list_display = ("thread", "from_user", "to_user", "by", "reason", "at")
    search_fields = ("reason",)

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
