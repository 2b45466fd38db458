from django.contrib import admin

from hudong.service.models import Case, CaseCategory, SlaPolicy


@admin.register(CaseCategory)
class CaseCategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent", "skill", "active")
    list_filter = ("active",)
    search_fields = ("code", "name")


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
