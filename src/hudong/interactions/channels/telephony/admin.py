"""Administrators assign extensions to agents; calls are read-only (the switch writes them)."""

from __future__ import annotations

from django.contrib import admin

from hudong.interactions.channels.telephony.models import Call, Extension


@admin.register(Extension)
class ExtensionAdmin(admin.ModelAdmin):
    list_display = ("number", "user", "active", "created_at")
    list_filter = ("active",)
    search_fields = ("number", "user__username")
    raw_id_fields = ("user",)


@admin.register(Call)
class CallAdmin(admin.ModelAdmin):
    list_display = ("call_id", "number", "extension", "agent", "state", "rang_at", "ended_at")
    list_filter = ("state", "direction")
    search_fields = ("call_id", "number", "extension")
    readonly_fields = [f.name for f in Call._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
