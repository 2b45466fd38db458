"""Receipts are the gateway's word: shown to administrators, never edited by hand."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hudong.interactions.channels.sms.models import SmsReceipt


@admin.register(SmsReceipt)
class SmsReceiptAdmin(admin.ModelAdmin):
    list_display = ("sid", "status", "error_code", "applied", "updated_at")
    list_filter = ("status", "applied")
    search_fields = ("sid",)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
