"""Commerce imports: products, orders with their lines, shipments, returns, invoices with
payments, mirrored from the ERP. Registered into the customers' import registry from
``CommerceConfig.ready()``, so customers never imports commerce.

Each record is found by the ERP's own key (SKU, order number, tracking number with carrier,
invoice number; a return by order, product and request time; a payment by invoice, time and
amount): the file's values are the ERP's truth and overwrite what differs, so the same file
twice changes nothing. Rows go through the ORM one at a time (these files are small next to
customer lists), so the audit trail records every change by its signals. A row naming a
customer, order, product, carrier or warehouse that does not exist is a bad row with its code.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.commerce.models import (
    Carrier,
    Category,
    Invoice,
    InvoiceStatus,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    Product,
    Return,
    Shipment,
    ShipmentStatus,
    Warehouse,
)
from hudong.customers.imports import fields as f
from hudong.customers.imports import registry
from hudong.customers.imports.base import Context, Importer, Item
from hudong.customers.imports.errors import RowProblem
from hudong.customers.imports.fields import Column
from hudong.customers.models import Identifier

Values = dict[str, str]


def _problem(field: str, code: str, message: Any) -> RowProblem:
    return RowProblem(field, code, message)


def _required(values: Values, *names: str) -> None:
    for name in names:
        if not values.get(name):
            raise _problem(name, "imports.required", _("This field is required."))


def _choice(values: Values, name: str, choices: type[models.TextChoices], default: str) -> str:
    raw = values.get(name, "").strip().lower()
    if not raw:
        return default
    if raw not in choices.values:
        raise _problem(name, "imports.choice_invalid", _("Not one of the choices."))
    return raw


def _money(values: Values, name: str) -> Decimal:
    return f.parse_decimal(values[name], name) if values.get(name) else Decimal("0.00")


def _upsert(model: type[models.Model], lookup: dict[str, Any], data: dict[str, Any]) -> str:
    """Create, or update what differs; returns "created", "updated" or "unchanged"."""
    row = model._default_manager.filter(**lookup).first()
    if row is None:
        model._default_manager.create(**lookup, **data)
        return "created"
    changed = [k for k, v in data.items() if getattr(row, k) != v]
    if not changed:
        return "unchanged"
    for key in changed:
        setattr(row, key, data[key])
    row.save(update_fields=changed)
    return "updated"


def _count(ctx: Context, outcome: str) -> None:
    setattr(ctx.chunk_counts, outcome, getattr(ctx.chunk_counts, outcome) + 1)


class _Lookups:
    """Per-chunk caches of the things rows refer to, found by their ERP keys."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def customer(self, values: Values, name: str = "customer") -> int:
        raw = values.get(name, "")
        key = f.identifier_key("erp", raw, name) if raw else ""
        found = (
            Identifier.objects.filter(kind="erp", normalized=key, is_shared=False)
            .filter(customer__merged_into__isnull=True)
            .values_list("customer_id", "customer__region_id", "customer__owner_id")
            .first()
        )
        if found is None:
            message = _("No customer has this external id; import the customers first.")
            raise _problem(name, "imports.customer_unknown", message)
        if not self.ctx.may_place(found[1], found[2]):
            message = _("You may not import data of customers of this region.")
            raise _problem(name, "imports.region_forbidden", message)
        return int(found[0])

    def order(self, values: Values, name: str = "order") -> Order:
        order = Order.objects.filter(number=values.get(name, "")).first()
        if order is None:
            raise _problem(name, "imports.order_unknown", _("No order has this number."))
        if not self.ctx.may_place(order.customer.region_id, order.customer.owner_id):
            message = _("You may not import data of customers of this region.")
            raise _problem(name, "imports.region_forbidden", message)
        return order

    @staticmethod
    def by_code(model: type[models.Model], values: Values, name: str, code: str) -> Any:
        raw = values.get(name, "")
        if not raw:
            return None
        field = "sku" if model is Product else "code"
        found = model._default_manager.filter(**{field: raw}).first()
        if found is None:
            raise _problem(name, code, _("Unknown code."))
        return found


class _RowImporter(Importer):
    """Row by row: ``handle`` returns the outcome or raises a RowProblem."""

    key_field = ""

    def handle(self, values: Values, lookups: _Lookups) -> str:
        raise NotImplementedError

    def key(self, values: Values) -> str:
        return values.get(self.key_field, "")

    def import_chunk(self, items: list[Item], ctx: Context) -> None:
        lookups = _Lookups(ctx)
        for row, values in items:
            key = self.key(values)
            if key and not ctx.first_time((self.kind, key)):
                message = _("This external id is already on an earlier row of the file.")
                ctx.bad(row, self.key_field, "imports.external_id_duplicate", message)
                continue
            try:
                with transaction.atomic():  # a bad row leaves nothing half-written
                    outcome = self.handle(values, lookups)
                _count(ctx, outcome)
            except RowProblem as problem:
                ctx.chunk_seen.discard((self.kind, key))
                ctx.bad(row, problem.field, problem.code, problem.message)


class ProductImporter(_RowImporter):
    kind, label, key_field = "products", _("Products"), "sku"
    columns = (
        Column("sku", ("货号", "商品编码", "sku编码"), True),
        Column("name", ("名称", "商品名称"), True),
        Column("category", ("类别", "分类", "品类"), True),
        Column("price", ("价格", "售价")),
        Column("unit_cost", ("成本",)),
        Column("warranty_months", ("保修月数",)),
        Column("active", ("is_active", "在售")),
    )

    def handle(self, values: Values, lookups: _Lookups) -> str:
        _required(values, "sku", "name", "category")
        category, _created = Category.objects.get_or_create(
            code=values["category"][:50], defaults={"name": values["category"][:100]}
        )
        data = {
            "name": values["name"][:200],
            "category": category,
            "price": _money(values, "price"),
            "unit_cost": _money(values, "unit_cost"),
            "warranty_months": f.parse_int(
                values.get("warranty_months", ""), "warranty_months", default=12
            ),
            "is_active": f.parse_bool(values.get("active", "") or "1", "active"),
        }
        return _upsert(Product, {"sku": values["sku"][:50]}, data)


class OrderImporter(_RowImporter):
    """One row per order line; the order's own columns are taken from its first row."""

    kind, label, key_field = "orders", _("Orders"), "number"
    columns = (
        Column("number", ("order_number", "订单号", "订单编号"), True),
        Column("customer", ("customer_external_id", "客户编号"), True),
        Column("ordered_at", ("下单时间", "订单日期"), True),
        Column("sku", ("货号", "商品编码"), True),
        Column("quantity", ("数量",)),
        Column("unit_price", ("单价",)),
        Column("unit_cost", ("成本",)),
        Column("status", ("状态",)),
        Column("channel", ("渠道",)),
        Column("total", ("金额", "订单金额")),
        Column("currency", ("币种",)),
        Column("warehouse", ("仓库",)),
    )

    def key(self, values: Values) -> str:
        return f"{values.get('number', '')}/{values.get('sku', '')}"

    def handle(self, values: Values, lookups: _Lookups) -> str:
        _required(values, "number", "customer", "ordered_at", "sku")
        product = lookups.by_code(Product, values, "sku", "imports.product_unknown")
        order = Order.objects.filter(number=values["number"]).first()
        outcome = "unchanged"
        if order is None:
            order = Order.objects.create(
                number=values["number"][:40],
                customer_id=lookups.customer(values),
                ordered_at=f.parse_datetime(values["ordered_at"], "ordered_at") or timezone.now(),
                status=_choice(values, "status", OrderStatus, OrderStatus.PLACED),
                channel=values.get("channel", "")[:20] or "web",
                total=_money(values, "total"),
                currency=(values.get("currency") or "CNY")[:3].upper(),
                warehouse=lookups.by_code(
                    Warehouse, values, "warehouse", "imports.warehouse_unknown"
                ),
            )
            outcome = "created"
        elif order.customer_id != lookups.customer(values):
            message = _("This order belongs to another customer.")
            raise _problem("customer", "imports.order_mismatch", message)
        if not order.lines.filter(product=product).exists():
            OrderLine.objects.create(
                order=order,
                product=product,
                quantity=f.parse_int(values.get("quantity", ""), "quantity", default=1),
                unit_price=_money(values, "unit_price")
                if values.get("unit_price")
                else product.price,
                unit_cost=_money(values, "unit_cost")
                if values.get("unit_cost")
                else product.unit_cost,
            )
            if not values.get("total"):
                total = sum(
                    (line.quantity * line.unit_price for line in order.lines.all()), Decimal(0)
                )
                order.total = total
                order.save(update_fields=["total"])
            outcome = "updated" if outcome == "unchanged" else outcome
        return outcome


class ShipmentImporter(_RowImporter):
    kind, label, key_field = "shipments", _("Shipments"), "tracking_number"
    columns = (
        Column("tracking_number", ("运单号", "快递单号"), True),
        Column("order", ("order_number", "订单号"), True),
        Column("carrier", ("承运商", "快递公司"), True),
        Column("status", ("状态",)),
        Column("shipped_at", ("发货时间",)),
        Column("promised_at", ("承诺送达",)),
        Column("delivered_at", ("签收时间",)),
        Column("warehouse", ("仓库",)),
    )

    def handle(self, values: Values, lookups: _Lookups) -> str:
        _required(values, "tracking_number", "order", "carrier")
        carrier = lookups.by_code(Carrier, values, "carrier", "imports.carrier_unknown")
        data = {
            "order": lookups.order(values),
            "status": _choice(values, "status", ShipmentStatus, ShipmentStatus.PENDING),
            "shipped_at": f.parse_datetime(values.get("shipped_at", ""), "shipped_at"),
            "promised_at": f.parse_datetime(values.get("promised_at", ""), "promised_at"),
            "delivered_at": f.parse_datetime(values.get("delivered_at", ""), "delivered_at"),
            "warehouse": lookups.by_code(
                Warehouse, values, "warehouse", "imports.warehouse_unknown"
            ),
        }
        lookup = {"carrier": carrier, "tracking_number": values["tracking_number"][:50]}
        return _upsert(Shipment, lookup, data)


class ReturnImporter(_RowImporter):
    kind, label = "returns", _("Returns")
    columns = (
        Column("order", ("order_number", "订单号"), True),
        Column("requested_at", ("申请时间", "退货时间"), True),
        Column("amount", ("退款金额", "金额"), True),
        Column("sku", ("货号", "商品编码")),
        Column("quantity", ("数量",)),
        Column("reason", ("原因",)),
        Column("status", ("状态",)),
        Column("resolved_at", ("完成时间",)),
    )

    def key(self, values: Values) -> str:
        return "/".join(values.get(k, "") for k in ("order", "sku", "requested_at"))

    def handle(self, values: Values, lookups: _Lookups) -> str:
        _required(values, "order", "requested_at", "amount")
        order = lookups.order(values)
        lookup = {
            "order": order,
            "product": lookups.by_code(Product, values, "sku", "imports.product_unknown"),
            "requested_at": f.parse_datetime(values["requested_at"], "requested_at"),
        }
        data = {
            "customer_id": order.customer_id,
            "quantity": f.parse_int(values.get("quantity", ""), "quantity", default=1),
            "amount": _money(values, "amount"),
            "reason": values.get("reason", "")[:50],
            "status": (values.get("status") or "requested")[:12],
            "resolved_at": f.parse_datetime(values.get("resolved_at", ""), "resolved_at"),
        }
        return _upsert(Return, lookup, data)


class PaymentImporter(_RowImporter):
    """Invoices, each row optionally with one payment received against it."""

    kind, label, key_field = "payments", _("Invoices and payments"), "invoice"
    columns = (
        Column("invoice", ("invoice_number", "发票号", "账单号"), True),
        Column("customer", ("customer_external_id", "客户编号"), True),
        Column("amount", ("金额", "发票金额"), True),
        Column("due_at", ("到期日", "应付日期"), True),
        Column("issued_at", ("开票日期",)),
        Column("order", ("order_number", "订单号")),
        Column("status", ("状态",)),
        Column("currency", ("币种",)),
        Column("paid_amount", ("payment_amount", "付款金额")),
        Column("paid_at", ("付款时间",)),
        Column("method", ("付款方式",)),
    )

    def key(self, values: Values) -> str:
        return "/".join(values.get(k, "") for k in ("invoice", "paid_at", "paid_amount"))

    def handle(self, values: Values, lookups: _Lookups) -> str:
        _required(values, "invoice", "customer", "amount", "due_at")
        data: dict[str, Any] = {
            "customer_id": lookups.customer(values),
            "order": lookups.order(values) if values.get("order") else None,
            "amount": _money(values, "amount"),
            "due_at": f.parse_datetime(values["due_at"], "due_at"),
            "status": _choice(values, "status", InvoiceStatus, InvoiceStatus.OPEN),
            "currency": (values.get("currency") or "CNY")[:3].upper(),
        }
        if values.get("issued_at"):
            data["issued_at"] = f.parse_datetime(values["issued_at"], "issued_at")
        outcome = _upsert(Invoice, {"number": values["invoice"][:40]}, data)
        if values.get("paid_amount") or values.get("paid_at"):
            _required(values, "paid_amount", "paid_at")
            invoice = Invoice.objects.get(number=values["invoice"][:40])
            lookup = {
                "invoice": invoice,
                "amount": _money(values, "paid_amount"),
                "paid_at": f.parse_datetime(values["paid_at"], "paid_at"),
            }
            paid = _upsert(Payment, lookup, {"method": (values.get("method") or "transfer")[:20]})
            if paid != "unchanged" and outcome == "unchanged":
                outcome = "updated"
        return outcome


for _importer in (
    ProductImporter(),
    OrderImporter(),
    ShipmentImporter(),
    ReturnImporter(),
    PaymentImporter(),
):
    registry.register(_importer)
