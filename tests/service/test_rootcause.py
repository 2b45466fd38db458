"""Root cause on resolution (D5): the code, the links to the customer's order, shipment and
product, the checklist steps it ticks, the case-page form and the API."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from hudong.commerce.models import OrderLine
from hudong.core.errors import DomainError
from hudong.core.events import DomainEvent
from hudong.service.models import Case
from hudong.service.rootcause import set_root_cause
from tests.factories import OrderFactory, ProductFactory, ShipmentFactory
from tests.service.conftest import open_case

pytestmark = pytest.mark.django_db


def _order_of(customer: Any) -> tuple[Any, Any, Any]:
    order = OrderFactory(customer=customer)
    product = ProductFactory()
    OrderLine.objects.create(
        order=order, product=product, unit_price=Decimal("9"), unit_cost=Decimal("5")
    )
    return order, ShipmentFactory(order=order), product


def _client(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def _done(case: Case) -> set[str]:
    return set(case.checklist.filter(done_at__isnull=False).values_list("code", flat=True))


def test_setting_the_root_cause_links_the_order_and_ticks_the_steps(
    customer_a: Any, agent_a: Any
) -> None:
    # Given a delivery complaint and the customer's order
    case = open_case(customer_a, agent_a)
    order, shipment, product = _order_of(customer_a)
    # When the agent records a late carrier on that shipment
    set_root_cause(case, "carrier-late", agent_a, shipment=shipment.pk, product=product.pk)
    # Then the case knows the cause, the shipment, its order and the product
    case.refresh_from_db()
    assert case.root_cause.code == "carrier-late"
    assert (case.order_id, case.shipment_id, case.product_id) == (order.pk, shipment.pk, product.pk)
    # And the checklist's analyse and record steps are done, by the agent
    assert {"analyse", "record"} <= _done(case)
    assert case.checklist.get(code="record").done_by == agent_a
    assert DomainEvent.objects.filter(name="service.root_cause_set").exists()


@pytest.mark.parametrize(
    ("links", "code"),
    [
        ("other_order", "cases.order_not_customers"),
        ("other_shipment", "cases.shipment_not_order"),
        ("shipment_of_another_order", "cases.shipment_not_order"),
        ("product_not_on_order", "cases.product_not_ordered"),
    ],
)
def test_links_that_are_not_the_customers_are_refused(
    customer_a: Any, customer_b: Any, agent_a: Any, links: str, code: str
) -> None:
    # Given a case of customer A, an order of A and one of B
    case = open_case(customer_a, agent_a)
    order, _shipment, _product = _order_of(customer_a)
    other_order, other_shipment, other_product = _order_of(customer_b)
    second_order, second_shipment, _ = _order_of(customer_a)
    kwargs = {
        "other_order": {"order": other_order.pk},
        "other_shipment": {"shipment": other_shipment.pk},
        "shipment_of_another_order": {"order": order.pk, "shipment": second_shipment.pk},
        "product_not_on_order": {"order": order.pk, "product": other_product.pk},
    }[links]
    # When the agent links what does not belong together, then it is refused with its code
    with pytest.raises(DomainError) as err:
        set_root_cause(case, "carrier-late", agent_a, **kwargs)
    assert err.value.code == code
    # And nothing was saved
    case.refresh_from_db()
    assert case.root_cause_id is None and case.order_id is None


def test_an_unknown_code_is_refused(customer_a: Any, agent_a: Any) -> None:
    case = open_case(customer_a, agent_a)
    with pytest.raises(DomainError) as err:
        set_root_cause(case, "aliens", agent_a)
    assert err.value.code == "cases.root_cause_unknown"


def test_the_case_page_offers_the_customers_orders_and_records_the_choice(
    customer_a: Any, agent_a: Any
) -> None:
    # Given a case and the customer's order with a shipment and a product
    case = open_case(customer_a, agent_a)
    order, shipment, product = _order_of(customer_a)
    client = _client(agent_a)
    # When the agent opens the case page, the section offers the codes and the order
    page = client.get(f"/service/cases/{case.pk}/").content.decode()
    assert 'data-testid="root-cause-form"' in page
    assert order.number in page and shipment.tracking_number in page and product.name in page
    # And when the form is posted
    resp = client.post(
        f"/service/cases/{case.pk}/root-cause/",
        {
            "root_cause": "packaging-weak",
            "order": order.pk,
            "shipment": "",
            "product": product.pk,
        },
    )
    assert resp.status_code == 302
    # Then the page shows the recorded cause
    page = client.get(f"/service/cases/{case.pk}/").content.decode()
    assert 'data-testid="root-cause-current"' in page and 'data-code="packaging-weak"' in page


def test_the_form_reports_a_bad_link_without_an_error_page(
    customer_a: Any, customer_b: Any, agent_a: Any
) -> None:
    case = open_case(customer_a, agent_a)
    other, _s, _p = _order_of(customer_b)
    client = _client(agent_a)
    for order in (str(other.pk), "abc"):
        resp = client.post(
            f"/service/cases/{case.pk}/root-cause/",
            {"root_cause": "carrier-late", "order": order},
            follow=True,
        )
        assert resp.status_code == 200
    case.refresh_from_db()
    assert case.root_cause_id is None


def test_the_api_sets_the_root_cause_and_answers_problems(
    customer_a: Any, customer_b: Any, agent_a: Any, admin_user: Any
) -> None:
    case = open_case(customer_a, agent_a)
    order, shipment, _product = _order_of(customer_a)
    client = _client(agent_a)
    url = f"/api/v1/cases/{case.pk}/root-cause"
    body = {"code": "carrier-lost", "shipment_id": shipment.pk}
    resp = client.put(url, data=json.dumps(body), content_type="application/json")
    assert resp.status_code == 200, resp.content
    assert resp.json()["code"] == "carrier-lost" and resp.json()["order_id"] == order.pk
    bad = client.put(url, data=json.dumps({"code": "nope"}), content_type="application/json").json()
    assert bad["code"] == "cases.root_cause_unknown"


def test_a_case_out_of_scope_is_not_found(customer_b: Any, agent_a: Any, admin_user: Any) -> None:
    # Given a case of region B, and an agent of region A
    case = open_case(customer_b, admin_user)
    client = _client(agent_a)
    body = json.dumps({"code": "carrier-late"})
    # Then neither the API nor the form can touch it
    resp = client.put(
        f"/api/v1/cases/{case.pk}/root-cause", data=body, content_type="application/json"
    )
    assert resp.status_code == 404
    assert (
        client.post(f"/service/cases/{case.pk}/root-cause/", {"root_cause": "other"}).status_code
        == 404
    )
    case.refresh_from_db()
    assert case.root_cause_id is None
