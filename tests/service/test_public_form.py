"""The public complaint form (D3): anyone files a complaint without an account, is found or
created as a customer by phone or email, gets a case number and a signed status link, follows
the case and writes to us through it. Robots and floods are refused and nothing is stored."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from django.test import Client

from hudong.customers.models import Customer
from hudong.interactions.models import Interaction
from hudong.service import public
from hudong.service.models import Case, CaseNote
from tests.factories import IdentifierFactory, OrderFactory, ShipmentFactory

pytestmark = pytest.mark.django_db

EN = {"HTTP_ACCEPT_LANGUAGE": "en"}


@pytest.fixture(autouse=True)
def _no_wait(settings: Any, region_a: Any) -> None:
    """People take seconds to fill in the form; tests do not (one test sets it back)."""
    settings.HUDONG_COMPLAINTS_MIN_FILL_SECONDS = 0


def _form(**overrides: str) -> dict[str, str]:
    data = {
        "name": "王芳",
        "phone": "13912345678",
        "email": "",
        "category": "delivery",
        "order_number": "",
        "subject": "快递一周没到",
        "description": "订单显示已发货，但一直没有物流更新。",
        "website": "",
        "started": public.form_token(),
    }
    data.update(overrides)
    return data


def _file(client: Client, ip: str = "10.0.0.1", **overrides: str) -> Any:
    return client.post("/complaints/", _form(**overrides), REMOTE_ADDR=ip, **EN)


def _link(body: str) -> str:
    found = re.search(r'href="https?://[^"/]+(/complaints/status/[^"]+)"', body)
    assert found, body
    return found.group(1)


def test_a_new_customer_files_a_complaint_and_gets_a_number_and_a_link() -> None:
    client = Client()
    # Given the public form (no login)
    form = client.get("/complaints/", **EN)
    assert form.status_code == 200 and 'data-testid="complaint-form"' in form.content.decode()
    # When a new customer files a complaint
    response = _file(client)
    assert response.status_code == 302
    answer = client.get(response["Location"], **EN).content.decode()
    # Then a case opens from a web-form contact, with a new customer found by that phone
    case = Case.objects.get()
    assert case.source == "web_form" and case.status == "new"
    assert case.customer.name == "王芳"
    assert case.interaction is not None and case.interaction.channel == "webform"
    assert case.customer.identifiers.filter(normalized="+8613912345678").exists()
    # And the answer shows the case number and a status link
    assert case.number in answer
    status = client.get(_link(answer), **EN).content.decode()
    assert case.number in status and "快递一周没到" in status


def test_an_existing_customer_is_found_whatever_the_phone_spelling(customer_a: Any) -> None:
    IdentifierFactory(customer=customer_a, value="13812345678", normalized="+8613812345678")
    client = Client()
    # When the same customer files twice, writing the number two ways
    _file(client, phone="+86 138-1234-5678")
    _file(client, ip="10.0.0.2", phone="138 1234 5678", subject="包装破损")
    # Then both cases belong to the customer we know, and no customer was created
    assert set(Case.objects.values_list("customer_id", flat=True)) == {customer_a.pk}
    assert Customer.objects.count() == 1


def test_an_email_alone_is_enough() -> None:
    _file(Client(), phone="", email="Wang.Fang@Example.com")
    case = Case.objects.get()
    assert case.customer.identifiers.filter(normalized="wang.fang@example.com").exists()


def test_an_order_number_of_that_customer_links_order_and_shipment(customer_a: Any) -> None:
    IdentifierFactory(customer=customer_a, value="13812345678", normalized="+8613812345678")
    order = OrderFactory(customer=customer_a, number="SO-778899")
    shipment = ShipmentFactory(order=order)
    stranger = OrderFactory(number="SO-000111")
    client = Client()
    _file(client, phone="13812345678", order_number="SO-778899")
    _file(client, ip="10.0.0.9", phone="13812345678", order_number=stranger.number)
    mine, other = Case.objects.order_by("id")
    assert (mine.order_id, mine.shipment_id) == (order.pk, shipment.pk)
    # Someone else's order number links nothing
    assert (other.order_id, other.shipment_id) == (None, None)


def test_the_status_link_shows_replies_not_notes_and_takes_a_message(agent_a: Any) -> None:
    client = Client()
    answer = client.get(_file(client)["Location"], **EN).content.decode()
    case = Case.objects.get()
    CaseNote.objects.create(case=case, author=agent_a, body="已联系承运商", internal=False)
    CaseNote.objects.create(case=case, author=agent_a, body="内部：承运商老问题", internal=True)
    link = _link(answer)
    # When the customer opens the link (no login)
    page = client.get(link, **EN)
    body = page.content.decode()
    # Then they see the number, status, category, opening time and our reply, never the note
    assert page.status_code == 200
    assert case.number in body and "已联系承运商" in body and "承运商老问题" not in body
    assert 'data-status="new"' in body and case.category.name in body
    # When they write to us (markup and all)
    sent = client.post(link, {"text": "<b>请尽快</b> 处理"}, **EN)
    assert sent.status_code == 302
    # Then it is an inbound contact on their conversation, shown back escaped
    contact = Interaction.objects.filter(meta__case=case.number).get()
    assert contact.direction == "in" and contact.customer_id == case.customer_id
    assert contact.thread_id == case.interaction.thread_id
    again = client.get(link, **EN).content.decode()
    assert "&lt;b&gt;请尽快&lt;/b&gt; 处理" in again and "<b>请尽快</b>" not in again


def test_a_customer_answer_puts_a_waiting_case_back_to_work(agent_a: Any) -> None:
    from hudong.service import actions

    client = Client()
    link = _link(client.get(_file(client)["Location"], **EN).content.decode())
    case = Case.objects.get()
    actions.acknowledge(case, agent_a)
    actions.transition(case, "waiting_customer", agent_a)
    client.post(link, {"text": "照片已附上"})
    case.refresh_from_db()
    assert case.status == "in_progress"


def test_a_tampered_or_expired_link_is_a_clear_404(settings: Any) -> None:
    client = Client()
    link = _link(client.get(_file(client)["Location"], **EN).content.decode())
    token = link.rstrip("/").rsplit("/", 1)[1]
    # A changed character breaks the signature
    tampered = client.get(f"/complaints/status/{token[:-2]}xx/", **EN)
    assert tampered.status_code == 404
    assert 'data-code="complaints.link_invalid"' in tampered.content.decode()
    # An expired link says so
    settings.HUDONG_COMPLAINTS_STATUS_DAYS = 0
    expired = client.get(link, **EN)
    assert expired.status_code == 404
    assert 'data-code="complaints.link_expired"' in expired.content.decode()
    # And the API answers the same codes
    api = client.get(f"/api/v1/complaints/status/{token[:-2]}xx")
    assert (api.status_code, api.json()["code"]) == (404, "complaints.link_invalid")


def test_the_rate_limit_per_phone_answers_429_and_stores_nothing() -> None:
    client = Client()
    for n in range(3):  # three a day for one phone, from three addresses
        assert _file(client, ip=f"10.0.1.{n}").status_code == 302
    before = (Case.objects.count(), Interaction.objects.count(), Customer.objects.count())
    # When the same phone, written another way, files a fourth time
    refused = _file(client, ip="10.0.1.99", phone="+86 139 1234 5678")
    # Then it is refused with the code and a translated message, and nothing is stored
    assert refused.status_code == 429
    body = refused.content.decode()
    assert 'data-code="complaints.rate_limited"' in body and "try again later" in body
    assert (Case.objects.count(), Interaction.objects.count(), Customer.objects.count()) == before


def test_the_rate_limit_per_address() -> None:
    client = Client()
    for n in range(5):  # five an hour from one address
        assert _file(client, phone=f"1391234{n:04d}").status_code == 302
    refused = _file(client, phone="13987654321")
    assert refused.status_code == 429
    assert Case.objects.count() == 5
    # Another address is not held back
    assert _file(client, ip="10.9.9.9", phone="13987654321").status_code == 302


def test_the_honeypot_and_a_too_fast_form_store_nothing(settings: Any) -> None:
    client = Client()
    robot = _file(client, website="http://spam.example")
    assert robot.status_code == 422
    assert 'data-code="complaints.rejected"' in robot.content.decode()
    settings.HUDONG_COMPLAINTS_MIN_FILL_SECONDS = 60
    hasty = _file(client)
    assert hasty.status_code == 422 and 'data-code="complaints.too_fast"' in hasty.content.decode()
    forged = _file(client, started="12345:forged")
    assert 'data-code="complaints.form_expired"' in forged.content.decode()
    assert not Case.objects.exists() and not Interaction.objects.exists()


def test_missing_contact_and_everything_escaped() -> None:
    client = Client()
    response = _file(client, phone="", email="", name="<script>alert(1)</script>")
    assert response.status_code == 422
    body = response.content.decode()
    assert "<script>alert(1)</script>" not in body and "&lt;script&gt;" in body
    bad_phone = _file(client, phone="abc")
    assert 'data-code="customers.identifier_invalid"' in bad_phone.content.decode()
    assert not Case.objects.exists()


def test_the_public_api_files_a_complaint_and_is_rate_limited() -> None:
    client = Client()
    form = client.get("/api/v1/complaints/form").json()
    assert {"code": "delivery", "name": "配送"} in form["categories"]
    body = {
        "name": "赵磊",
        "email": "zhao@example.com",
        "category": "billing",
        "subject": "重复扣款",
        "form_token": form["form_token"],
    }

    def post() -> Any:
        return client.post(
            "/api/v1/complaints",
            data=json.dumps(body),
            content_type="application/json",
            REMOTE_ADDR="10.2.0.1",
        )

    filed = post()
    assert filed.status_code == 201
    data = filed.json()
    case = Case.objects.get(number=data["number"])
    assert case.source == "web_form" and data["status"] == "new"
    token = data["status_url"].rstrip("/").rsplit("/", 1)[1]
    status = client.get(f"/api/v1/complaints/status/{token}").json()
    assert status["number"] == case.number and status["messages"] == []
    post(), post()
    limited = post()
    assert (limited.status_code, limited.json()["code"]) == (429, "complaints.rate_limited")
    assert Case.objects.count() == 3


def test_the_agent_sees_what_the_customer_wrote(agent_a: Any) -> None:
    client = Client()
    link = _link(client.get(_file(client)["Location"], **EN).content.decode())
    client.post(link, {"text": "我周五前都在家"})
    case = Case.objects.get()
    agent = Client()
    agent.force_login(agent_a)
    body = agent.get(f"/service/cases/{case.pk}/", **EN).content.decode()
    assert 'data-testid="from-customer"' in body and "我周五前都在家" in body


def test_the_email_given_with_a_phone_counts_towards_the_limit() -> None:
    client = Client()
    for n in range(3):
        _file(client, ip=f"10.3.0.{n}", email="same@example.com", phone=f"1370000000{n}")
    # The same email alone, from yet another address, is held back too
    refused = _file(client, ip="10.3.0.9", phone="", email="SAME@example.com")
    assert refused.status_code == 429
    assert Case.objects.count() == 3
