"""Commerce imports: records land by their ERP keys; unknown references are bad rows."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from hudong.commerce.models import Invoice, Order, OrderLine, Payment, Return, Shipment
from tests.customers.imports.conftest import report_rows, run_import
from tests.factories import CarrierFactory, CustomerFactory, IdentifierFactory, ProductFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def known(region_a: Any) -> Any:
    customer = CustomerFactory(region=region_a)
    IdentifierFactory(customer=customer, kind="erp", value="C1", normalized="C1")
    ProductFactory(sku="SKU1", price="10.00")
    ProductFactory(sku="SKU2", price="5.00")
    CarrierFactory(code="sf")
    return customer


ORDERS = (
    "number,customer,ordered_at,sku,quantity,unit_price\n"
    "SO1,C1,2024/1/31,SKU1,2,10\n"
    "SO1,C1,2024/1/31,SKU2,1,5\n"
    "SO2,C404,2024-02-01,SKU1,1,10\n"
    "SO3,C1,2024-02-01,NOPE,1,10\n"
    "SO1,C1,2024/1/31,SKU2,1,5\n"
)


def test_orders_with_lines(known: Any, write: Callable[..., Path]) -> None:
    # Given an order with two lines, an order of an unknown customer, one of an unknown product
    path = write("orders.csv", ORDERS, "gbk")
    # When imported
    job = run_import("orders", path)
    # Then the good order lands with its lines and total, and each bad row is reported
    assert job.result["created"] == 1 and job.result["updated"] == 1, job.result
    order = Order.objects.get(number="SO1")
    assert order.customer == known and str(order.total) == "25.00"
    assert OrderLine.objects.filter(order=order).count() == 2
    codes = {(r[0], r[1], r[2]) for r in report_rows(job)}
    assert codes == {
        ("4", "customer", "imports.customer_unknown"),
        ("5", "sku", "imports.product_unknown"),
        ("6", "number", "imports.external_id_duplicate"),
    }
    # And a second run changes nothing
    again = run_import("orders", path)
    assert (again.result["created"], again.result["updated"]) == (0, 0)
    assert again.result["unchanged"] == 2
    assert OrderLine.objects.count() == 2


def test_shipments_returns_payments(known: Any, write: Callable[..., Path]) -> None:
    run_import("orders", write("o.csv", ORDERS))
    shipments = write(
        "s.csv",
        "tracking_number,order,carrier,status,shipped_at\n"
        "SF1,SO1,sf,in_transit,2024-02-01 10:00\nSF2,SO9,sf,,\nSF3,SO1,ups,,\n",
    )
    job = run_import("shipments", shipments)
    assert job.result["created"] == 1
    assert {r[2] for r in report_rows(job)} == {"imports.order_unknown", "imports.carrier_unknown"}
    assert Shipment.objects.get().tracking_number == "SF1"
    returns = write("r.csv", "order,requested_at,amount,sku\nSO1,2024年2月3日,10,SKU1\n")
    assert run_import("returns", returns).result["created"] == 1
    assert run_import("returns", returns).result["unchanged"] == 1
    assert Return.objects.get().customer == known
    payments = write(
        "p.csv",
        "invoice,customer,amount,due_at,paid_amount,paid_at\n"
        "INV1,C1,25,2024-03-01,25,2024-02-20\nINV2,C404,5,2024-03-01,,\n",
    )
    job = run_import("payments", payments)
    assert job.result["created"] == 1 and job.result["bad"] == 1
    assert Invoice.objects.get().number == "INV1" and Payment.objects.count() == 1
    assert run_import("payments", payments).result["unchanged"] == 1
    assert Payment.objects.count() == 1
