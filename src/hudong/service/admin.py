from django.contrib import admin

from hudong.service import admin_care  # noqa: F401  (care rules and tasks)
from hudong.service.models import Case, CaseCategory, ChecklistStep, SlaPolicy


class ChecklistStepInline(admin.TabularInline):
    """The category's own checklist (D3); a category without steps uses its parent's, else
    the default checklist (the steps without a category)."""

    model = ChecklistStep
    extra = 1
    fields = ("position", "code", "label")


@admin.register(CaseCategory)
class CaseCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "skill", "active")
    list_filter = ("active",)
    search_fields = ("code", "name")
    inlines = [ChecklistStepInline]


@admin.register(ChecklistStep)
class ChecklistStepAdmin(admin.ModelAdmin):
    """Every checklist step; those without a category are the default checklist."""

    list_display = ("category", "position", "code", "label")
    list_filter = ("category",)
    ordering = ("category", "position", "id")


@admin.register(Case)
class CaseAdmin(admin.ModelAdmin):
    list_display = ("number", "subject", "status", "priority", "category", "assignee")
    list_filter = ("status", "priority", "category")
    search_fields = ("number", "subject")
    raw_id_fields = ("customer", "interaction", "assignee", "created_by")


@admin.register(SlaPolicy)
class SlaPolicyAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "category",
        "priority",
        "tier",
        "first_response_minutes",
        "resolution_minutes",
        "warn_at_percent",
        "calendar",
        "active",
    )
    list_filter = ("active", "priority", "tier")
