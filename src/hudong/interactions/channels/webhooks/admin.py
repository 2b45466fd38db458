"""Sources and their secrets in the Django admin; delivered events are read-only."""

from __future__ import annotations

from django.contrib import admin

from hudong.interactions.channels.webhooks.models import Source, SourceSecret, WebhookEvent


class SecretInline(admin.TabularInline):
    model = SourceSecret
    extra = 0
    fields = ("label", "secret", "created_at", "revoked_at")
    readonly_fields = ("created_at",)


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    list_display = ("slug", "name", "channel", "region", "tolerance_seconds", "is_active")
    list_filter = ("channel", "is_active")
    search_fields = ("slug", "name")
    inlines = [SecretInline]


@admin.register(WebhookEvent)
class WebhookEventAdmin(admin.ModelAdmin):
    list_display = ("event_id", "source", "status", "error", "received_at", "processed_at")
    list_filter = ("status", "source")
    search_fields = ("event_id",)
    readonly_fields = [f.name for f in WebhookEvent._meta.fields]

    def has_add_permission(self, request: object) -> bool:
        return False
