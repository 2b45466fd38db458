"""Admin of customer care: the rules (with "run now") and the tasks they created."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from hudong.service.models import CareRule, CareTask


@admin.action(description=_("Run the selected rules now"))
def run_now(modeladmin: Any, request: HttpRequest, queryset: QuerySet[CareRule]) -> None:
    from hudong.service import care

    counts = care.run_rules(rules=queryset)
    modeladmin.message_user(
        request,
        gettext(
            "Rules run: %(rules)d; tasks created: %(created)d; left out (consent or tier): "
            "%(skipped)d; assigned: %(assigned)d."
        )
        % counts,
        messages.SUCCESS,
    )


@admin.register(CareRule)
class CareRuleAdmin(admin.ModelAdmin):
    list_display = ("name", "trigger", "days", "tier", "team", "active")
    list_filter = ("active", "trigger", "tier")
    search_fields = ("name",)
    actions = [run_now]


@admin.register(CareTask)
class CareTaskAdmin(admin.ModelAdmin):
    list_display = ("rule", "customer", "due_at", "assignee", "team", "status")
    list_filter = ("status", "rule")
    list_select_related = ("rule", "customer", "assignee", "team")
    raw_id_fields = ("customer", "shipment", "order_line", "assignee", "done_by")
    date_hierarchy = "due_at"
