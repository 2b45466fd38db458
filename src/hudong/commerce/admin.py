from django.contrib import admin

from hudong.commerce.models import (
    Carrier,
    Category,
    Invoice,
    Order,
    OrderLine,
    Payment,
    Product,
    Return,
    Shipment,
    Warehouse,
)


@admin.register(Category)
class CategoryAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "parent")
    search_fields = ("code", "name")


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ("sku", "name", "category", "price", "unit_cost", "is_active")
    list_filter = ("category", "is_active")
    search_fields = ("sku", "name")


@admin.register(Carrier)
class CarrierAdmin(admin.ModelAdmin):
    list_display = ("code", "name")


@admin.register(Warehouse)
class WarehouseAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "region")


class OrderLineInline(admin.TabularInline):
    model = OrderLine
    raw_id_fields = ("product",)
    extra = 0


class ShipmentInline(admin.TabularInline):
    model = Shipment
    extra = 0


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ("number", "customer", "status", "ordered_at", "total")
    list_filter = ("status", "channel")
    search_fields = ("number",)
    raw_id_fields = ("customer",)
    inlines = [OrderLineInline, ShipmentInline]


@admin.register(Shipment)
class ShipmentAdmin(admin.ModelAdmin):
    list_display = (
        "tracking_number",
        "carrier",
        "status",
        "shipped_at",
        "promised_at",
        "delivered_at",
    )
    list_filter = ("carrier", "status")
    search_fields = ("tracking_number",)
    raw_id_fields = ("order",)


@admin.register(Return)
class ReturnAdmin(admin.ModelAdmin):
    list_display = ("order", "customer", "reason", "amount", "status", "requested_at")
    list_filter = ("status", "reason")
    raw_id_fields = ("order", "customer", "product")


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0


@admin.register(Invoice)
class InvoiceAdmin(admin.ModelAdmin):
    list_display = ("number", "customer", "amount", "issued_at", "due_at", "status")
    list_filter = ("status",)
    search_fields = ("number",)
    raw_id_fields = ("customer", "order")
    inlines = [PaymentInline]


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = ("invoice", "amount", "paid_at", "method")
    raw_id_fields = ("invoice",)
