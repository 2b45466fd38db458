"""Root cause on resolution (D5): what actually went wrong, and what the complaint was about.

The agent picks a root-cause code and, when known, the order, its shipment and one of its
products. The links must belong to the case's customer (and to each other), because the
root-cause analysis joins cases with carriers, warehouses and products through them: a wrong
link would blame the wrong carrier. Setting it ticks the checklist's "analyse" and "record"
steps, which is what the agent has just done.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from hudong.commerce.models import Order, OrderLine, Product, Shipment
from hudong.core import events
from hudong.core.errors import DomainError
from hudong.service import checklist
from hudong.service.models import Case, RootCause

STEPS = ("analyse", "record")
RECENT_ORDERS = 20


def _user(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def recent_orders(case: Case, limit: int = RECENT_ORDERS) -> list[Order]:
    """The customer's latest orders (the choice the case page offers), with their shipments
    and lines' products, in three queries."""
    return list(
        Order.objects.filter(customer_id=case.customer_id)
        .prefetch_related("shipments__carrier", "lines__product")
        .order_by("-ordered_at", "-id")[:limit]
    )


def active_codes() -> list[RootCause]:
    return list(RootCause.objects.filter(active=True).order_by("code"))


def _root_cause(code: str) -> RootCause:
    found = RootCause.objects.filter(code=code, active=True).first()
    if found is None:
        raise DomainError("cases.root_cause_unknown", _("Unknown root-cause code."), status=422)
    return found


def _order(case: Case, order_id: int | None) -> Order | None:
    if order_id is None:
        return None
    order = Order.objects.filter(pk=order_id, customer_id=case.customer_id).first()
    if order is None:
        raise DomainError(
            "cases.order_not_customers",
            _("This order is not one of the customer's."),
            status=422,
        )
    return order


def _shipment(case: Case, order: Order | None, shipment_id: int | None) -> Shipment | None:
    if shipment_id is None:
        return None
    shipment = (
        Shipment.objects.select_related("order")
        .filter(pk=shipment_id, order__customer_id=case.customer_id)
        .first()
    )
    if shipment is None or (order is not None and shipment.order_id != order.pk):
        raise DomainError(
            "cases.shipment_not_order",
            _("This shipment is not one of the order's or the customer's."),
            status=422,
        )
    return shipment


def _product(case: Case, order: Order | None, product_id: int | None) -> Product | None:
    if product_id is None:
        return None
    lines = OrderLine.objects.filter(product_id=product_id)
    lines = (
        lines.filter(order=order) if order else lines.filter(order__customer_id=case.customer_id)
    )
    if not lines.exists():
        raise DomainError(
            "cases.product_not_ordered",
            _("This product is not on the order or on any of the customer's orders."),
            status=422,
        )
    return Product.objects.get(pk=product_id)


@transaction.atomic
def set_root_cause(
    case: Case,
    code: str,
    user: Any,
    *,
    order: int | None = None,
    shipment: int | None = None,
    product: int | None = None,
) -> Case:
    """Record the case's root cause and what it was about (ids; ``None`` clears a link).

    A shipment given without its order brings its order with it, so the analysis can reach
    the warehouse; the product must be on that order (or, without one, on any of the
    customer's orders).
    """
    case = Case.objects.select_for_update().get(pk=case.pk)
    cause = _root_cause(code)
    the_order = _order(case, order)
    the_shipment = _shipment(case, the_order, shipment)
    if the_order is None and the_shipment is not None:
        the_order = the_shipment.order
    the_product = _product(case, the_order, product)
    case.root_cause = cause
    case.order = the_order
    case.shipment = the_shipment
    case.product = the_product
    case.save(update_fields=["root_cause", "order", "shipment", "product", "updated_at"])
    for step in STEPS:
        checklist.tick(case, step, _user(user))
    events.publish(
        "service.root_cause_set",
        {
            "case_id": case.pk,
            "customer_id": case.customer_id,
            "root_cause": cause.code,
            "order_id": case.order_id,
            "shipment_id": case.shipment_id,
            "product_id": case.product_id,
            "by": getattr(_user(user), "pk", None),
        },
    )
    return case
