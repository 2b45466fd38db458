"""Read-only admin pages for support staff: chats are written by the widget and the console."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from hudong.interactions.channels.webchat.models import ChatMessage, ChatSession


class ReadOnly(admin.ModelAdmin):
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(ChatSession)
class ChatSessionAdmin(ReadOnly):
    list_display = ("public_id", "visitor_name", "customer", "status", "agent", "started_at")
    list_filter = ("status",)
    search_fields = ("public_id", "visitor_name", "identifier_used")
    raw_id_fields = ("customer", "thread", "interaction", "agent")


@admin.register(ChatMessage)
class ChatMessageAdmin(ReadOnly):
    list_display = ("session", "sender", "at")
    raw_id_fields = ("session", "agent")
