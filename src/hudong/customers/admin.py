from django.contrib import admin

from hudong.customers.models import (
    Address,
    Attribute,
    Customer,
    DripQuestion,
    Identifier,
    MatchCandidate,
    MergeRecord,
)


class IdentifierInline(admin.TabularInline):
    model = Identifier
    extra = 0
    readonly_fields = ("normalized",)


class AddressInline(admin.StackedInline):
    model = Address
    extra = 0


class AttributeInline(admin.TabularInline):
    model = Attribute
    extra = 0


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("id", "name", "kind", "region", "owner", "credit_limit")
    list_filter = ("kind", "region")
    search_fields = ("name", "name_latin", "identifiers__normalized")
    raw_id_fields = ("owner", "organization")
    inlines = [IdentifierInline, AddressInline, AttributeInline]

    def get_queryset(self, request):  # type: ignore[no-untyped-def]
        from hudong.core.scoping import visible

        return visible(request.user, "customers", super().get_queryset(request))


@admin.register(Identifier)
class IdentifierAdmin(admin.ModelAdmin):
    list_display = ("kind", "value", "normalized", "customer", "is_shared")
    list_filter = ("kind", "is_shared")
    search_fields = ("normalized", "value")
    raw_id_fields = ("customer",)


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ("customer", "kind", "province", "city", "street")
    raw_id_fields = ("customer",)


@admin.register(Attribute)
class AttributeAdmin(admin.ModelAdmin):
    list_display = ("customer", "category", "key", "value", "source", "verified_at")
    list_filter = ("category",)
    raw_id_fields = ("customer",)


@admin.register(DripQuestion)
class DripQuestionAdmin(admin.ModelAdmin):
    """The admin sets which facts the drip dialogue asks for, and in which order."""

    list_display = (
        "position",
        "key",
        "question_zh",
        "answer_kind",
        "stale_after_days",
        "is_active",
    )
    list_display_links = ("key",)
    list_editable = ("position", "is_active")
    list_filter = ("is_active", "answer_kind")


@admin.register(MatchCandidate)
class MatchCandidateAdmin(admin.ModelAdmin):
    list_display = ("left", "right", "probability", "source", "status", "decided_by")
    list_filter = ("status", "source")
    raw_id_fields = ("left", "right", "job")
    readonly_fields = ("evidence", "decided_by", "decided_at")


@admin.register(MergeRecord)
class MergeRecordAdmin(admin.ModelAdmin):
    """Read-only: merges are made and undone through the review pages, which keep the
    before-state consistent."""

    list_display = ("survivor", "merged", "reason", "created_at", "created_by", "undone_at")
    list_filter = ("reason",)

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False

    def has_change_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False

    def has_delete_permission(self, request, obj=None):  # type: ignore[no-untyped-def]
        return False
