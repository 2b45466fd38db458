"""Commercial facts mirrored from the ERP: what customers bought, how it travelled, what they
returned and what they owe. Analytics, service and marketing all read these."""

from __future__ import annotations

from typing import Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.core.models import Region
from hudong.customers.models import Customer


def money(label: Any) -> models.DecimalField:
    """An amount of money: 12 digits before the point is enough for any order or invoice."""
    return models.DecimalField(label, max_digits=14, decimal_places=2)


class Category(models.Model):
    code = models.SlugField(_("code"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("product category")
        verbose_name_plural = _("product categories")

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    sku = models.CharField(_("SKU"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=200)
    category = models.ForeignKey(
        Category, on_delete=models.PROTECT, related_name="products", verbose_name=_("category")
    )
    price = money(_("list price"))
    unit_cost = money(_("unit cost"))
    warranty_months = models.PositiveSmallIntegerField(_("warranty (months)"), default=12)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        ordering = ["sku"]
        verbose_name = _("product")
        verbose_name_plural = _("products")

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"


class Carrier(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    tracking_url = models.CharField(_("tracking URL template"), max_length=200, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("carrier")
        verbose_name_plural = _("carriers")

    def __str__(self) -> str:
        return self.name


class Warehouse(models.Model):
    code = models.SlugField(_("code"), max_length=30, unique=True)
    name = models.CharField(_("name"), max_length=100)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("region")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("warehouse")
        verbose_name_plural = _("warehouses")

    def __str__(self) -> str:
        return self.name


class OrderStatus(models.TextChoices):
    PLACED = "placed", _("Placed")
    SHIPPED = "shipped", _("Shipped")
    DELIVERED = "delivered", _("Delivered")
    CANCELLED = "cancelled", _("Cancelled")


class Order(models.Model):
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="orders", verbose_name=_("customer")
    )
    number = models.CharField(_("order number"), max_length=40, unique=True)
    channel = models.CharField(_("sales channel"), max_length=20, default="web")
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.PLACED
    )
    ordered_at = models.DateTimeField(_("ordered at"), default=timezone.now)
    total = money(_("total"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("warehouse")
    )

    class Meta:
        ordering = ["-ordered_at"]
        indexes = [models.Index(fields=["customer", "ordered_at"])]
        verbose_name = _("order")
        verbose_name_plural = _("orders")

    def __str__(self) -> str:
        return self.number


class OrderLine(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="lines", verbose_name=_("order")
    )
    product = models.ForeignKey(Product, on_delete=models.PROTECT, verbose_name=_("product"))
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    unit_price = money(_("unit price"))
    unit_cost = money(_("unit cost"))

    class Meta:
        verbose_name = _("order line")
        verbose_name_plural = _("order lines")

    def __str__(self) -> str:
        return f"{self.order} × {self.product}"


class ShipmentStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    IN_TRANSIT = "in_transit", _("In transit")
    DELIVERED = "delivered", _("Delivered")
    LOST = "lost", _("Lost")


class Shipment(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="shipments", verbose_name=_("order")
    )
    carrier = models.ForeignKey(Carrier, on_delete=models.PROTECT, verbose_name=_("carrier"))
    warehouse = models.ForeignKey(
        Warehouse, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("warehouse")
    )
    tracking_number = models.CharField(_("tracking number"), max_length=50, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ShipmentStatus.choices, default="pending"
    )
    shipped_at = models.DateTimeField(_("shipped at"), null=True, blank=True)
    promised_at = models.DateTimeField(_("promised delivery"), null=True, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["carrier", "shipped_at"])]
        verbose_name = _("shipment")
        verbose_name_plural = _("shipments")

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_number}"

    @property
    def is_late(self) -> bool:
        if self.promised_at is None:
            return False
        return (self.delivered_at or timezone.now()) > self.promised_at


class Return(models.Model):
    order = models.ForeignKey(
        Order, on_delete=models.CASCADE, related_name="returns", verbose_name=_("order")
    )
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="returns", verbose_name=_("customer")
    )
    product = models.ForeignKey(
        Product, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("product")
    )
    quantity = models.PositiveIntegerField(_("quantity"), default=1)
    amount = money(_("refund amount"))
    reason = models.CharField(_("reason"), max_length=50, blank=True)
    status = models.CharField(_("status"), max_length=12, default="requested")
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        verbose_name = _("return")
        verbose_name_plural = _("returns")

    def __str__(self) -> str:
        return f"{self.order} {self.reason}"


class InvoiceStatus(models.TextChoices):
    OPEN = "open", _("Open")
    PAID = "paid", _("Paid")
    VOID = "void", _("Void")


class Invoice(models.Model):
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="invoices", verbose_name=_("customer")
    )
    order = models.ForeignKey(
        Order,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invoices",
        verbose_name=_("order"),
    )
    number = models.CharField(_("invoice number"), max_length=40, unique=True)
    amount = money(_("amount"))
    currency = models.CharField(_("currency"), max_length=3, default="CNY")
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    due_at = models.DateTimeField(_("due at"))
    status = models.CharField(
        _("status"), max_length=6, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN
    )

    class Meta:
        indexes = [models.Index(fields=["customer", "status", "due_at"])]
        verbose_name = _("invoice")
        verbose_name_plural = _("invoices")

    def __str__(self) -> str:
        return self.number


class Payment(models.Model):
    invoice = models.ForeignKey(
        Invoice, on_delete=models.CASCADE, related_name="payments", verbose_name=_("invoice")
    )
    amount = money(_("amount"))
    paid_at = models.DateTimeField(_("paid at"), default=timezone.now)
    method = models.CharField(_("method"), max_length=20, default="transfer")

    class Meta:
        verbose_name = _("payment")
        verbose_name_plural = _("payments")

    def __str__(self) -> str:
        return f"{self.invoice} {self.amount}"
