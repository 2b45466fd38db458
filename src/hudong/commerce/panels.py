"""Commerce panels on the customer page: orders and shipments, credit and payments."""

from __future__ import annotations

from decimal import Decimal
from functools import partial
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.commerce.models import Invoice, Order, Return, Shipment
from hudong.core.prepared import Prepared
from hudong.customers.models import Customer
from hudong.customers.panels import Panel, register

# The panels' reads, each a queryset of one customer id: run the ordinary way on the page and
# prepared on the screen pop (the customer page checked the customer; these rows are theirs).
_ORDERS = Prepared(lambda cid: Order.objects.filter(customer_id=cid).order_by("-ordered_at")[:5])
_LAST_SHIPMENT = Prepared(
    lambda cid: (
        Shipment.objects.filter(order__customer_id=cid)
        .select_related("carrier", "order")
        .order_by("-shipped_at")[:1]
    )
)
_RETURNS = Prepared(
    lambda cid: Return.objects.filter(customer_id=cid).order_by("-requested_at")[:3]
)
_OPEN_INVOICES = Prepared(
    lambda cid: Invoice.objects.filter(customer_id=cid, status="open").order_by("due_at")
)


def _orders(user: Any, customer: Customer, prepared: bool = False) -> dict[str, Any]:
    def read(query: Prepared[Any]) -> list[Any]:
        return query(customer.pk) if prepared else query.orm(customer.pk)

    shipment = read(_LAST_SHIPMENT)
    return {
        "orders": read(_ORDERS),
        "last_shipment": shipment[0] if shipment else None,
        "returns": read(_RETURNS),
    }


def _credit(user: Any, customer: Customer, prepared: bool = False) -> dict[str, Any]:
    # One read of the open invoices (a customer has few) gives both the credit in use and
    # the overdue ones.
    now = timezone.now()
    cid = customer.pk
    invoices = _OPEN_INVOICES(cid) if prepared else _OPEN_INVOICES.orm(cid)
    used = sum((i.amount for i in invoices), Decimal(0))
    overdue = [i for i in invoices if i.due_at < now][:5]
    return {"credit_used": used, "credit_limit": customer.credit_limit, "overdue": overdue}


def _day(value: Any) -> str | None:
    return value.isoformat() if value else None


def _orders_data(ctx: dict[str, Any]) -> dict[str, Any]:
    s = ctx["last_shipment"]
    return {
        "orders": [
            {
                "number": o.number,
                "ordered_at": _day(o.ordered_at),
                "total": str(o.total),
                "currency": o.currency,
                "status": o.status,
            }
            for o in ctx["orders"]
        ],
        "last_shipment": s
        and {
            "order": s.order.number,
            "carrier": s.carrier.name,
            "tracking_number": s.tracking_number,
            "status": s.status,
            "shipped_at": _day(s.shipped_at),
            "promised_at": _day(s.promised_at),
            "delivered_at": _day(s.delivered_at),
            "late": s.is_late,
        },
        "returns": [
            {"reason": r.reason, "amount": str(r.amount), "status": r.status}
            for r in ctx["returns"]
        ],
    }


def _credit_data(ctx: dict[str, Any]) -> dict[str, Any]:
    return {
        "credit_limit": str(ctx["credit_limit"]),
        "credit_used": str(ctx["credit_used"]),
        "overdue": [
            {"number": i.number, "amount": str(i.amount), "due_at": _day(i.due_at)}
            for i in ctx["overdue"]
        ],
    }


register(
    Panel(
        "orders",
        _("Orders and shipments"),
        "commerce/panel_orders.html",
        _orders,
        20,
        data=_orders_data,
        prepared=partial(_orders, prepared=True),
    )
)
register(
    Panel(
        "credit",
        _("Credit and payments"),
        "commerce/panel_credit.html",
        _credit,
        30,
        data=_credit_data,
        prepared=partial(_credit, prepared=True),
    )
)
