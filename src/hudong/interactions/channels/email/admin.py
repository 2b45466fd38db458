"""Operators' view of received mail: what failed and why, and a way to process it again
(after fixing what made it fail) without asking the sender to send it again."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from hudong.interactions.channels.email import actions
from hudong.interactions.channels.email.models import ImapCursor, InboundMail, InboundStatus


@admin.register(InboundMail)
class InboundMailAdmin(admin.ModelAdmin):
    list_display = ("id", "received_at", "source", "mail_from", "message_id", "status", "error")
    list_filter = ("status", "source")
    search_fields = ("message_id", "mail_from")
    exclude = ("raw",)  # the customer's message, personal data: not shown here
    readonly_fields = [
        "source",
        "mail_from",
        "recipients",
        "message_id",
        "status",
        "error",
        "interaction",
        "received_at",
        "processed_at",
    ]
    actions = ["process_again"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Process the selected messages again"))
    def process_again(self, request: HttpRequest, queryset: QuerySet[InboundMail]) -> None:
        ids = list(queryset.exclude(status=InboundStatus.PROCESSED).values_list("pk", flat=True))
        InboundMail.objects.filter(pk__in=ids, status=InboundStatus.FAILED).update(
            status=InboundStatus.PENDING, error=""
        )
        done = sum(1 for pk in ids if actions.process(pk).status == InboundStatus.PROCESSED)
        self.message_user(
            request,
            _("%(done)d of %(total)d messages recorded.") % {"done": done, "total": len(ids)},
            messages.INFO,
        )


@admin.register(ImapCursor)
class ImapCursorAdmin(admin.ModelAdmin):
    list_display = ("mailbox", "uidvalidity", "last_uid", "updated_at")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> list[str]:
        return ["mailbox", "uidvalidity", "updated_at"]
