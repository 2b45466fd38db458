from django.contrib import admin

from hudong.customers.models import Address, Attribute, Customer, Identifier


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
