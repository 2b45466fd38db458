"""The UI shell: login, language, CSP, escaping, navigation by permission."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from hudong.core.models import Role
from tests.factories import (
    PASSWORD,
    CustomerFactory,
    IdentifierFactory,
    InvoiceFactory,
    ShipmentFactory,
    make_user,
)


@pytest.mark.django_db
def test_login_page_is_served_with_a_strict_csp() -> None:
    resp = Client().get("/login/")
    assert resp.status_code == 200
    csp = resp["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self' 'nonce-" in csp
    assert "object-src 'none'" in csp and "frame-ancestors 'none'" in csp


@pytest.mark.django_db
def test_pages_need_a_login(customer_a: Any) -> None:
    for url in ["/", "/customers/", f"/customers/{customer_a.pk}/", "/system/", "/audit/"]:
        resp = Client().get(url)
        assert resp.status_code == 302 and resp["Location"].startswith("/login/"), url


@pytest.mark.django_db
def test_agent_logs_in_and_out(agent_a: Any) -> None:
    client = Client()
    resp = client.post("/login/", {"username": "agent-a", "password": PASSWORD})
    assert resp.status_code == 302 and resp["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post("/logout/")
    assert client.get("/").status_code == 302


@pytest.mark.django_db
@pytest.mark.parametrize(
    "accept,expected", [("en-US,en;q=0.9", "Customers"), ("zh-CN,zh;q=0.9", "客户")]
)
def test_language_defaults_from_the_browser(agent_a: Any, accept: str, expected: str) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE=accept)
    client.force_login(agent_a)
    body = client.get("/").content.decode()
    assert f'data-nav="customers">{expected}<' in body


@pytest.mark.django_db
def test_language_switch_sticks(agent_a: Any) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    client.force_login(agent_a)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert '<html lang="en">' in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in client.get("/").content.decode()


@pytest.mark.django_db
def test_navigation_follows_permissions(agent_a: Any, admin_user: Any) -> None:
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(agent_a)
    body = client.get("/").content.decode()
    assert 'data-nav="customers"' in body and 'data-nav="audit"' not in body
    client.force_login(admin_user)
    body = client.get("/").content.decode()
    assert 'data-nav="audit"' in body and 'data-nav="system"' in body


@pytest.mark.django_db
def test_what_a_customer_typed_is_escaped(agent_a: Any, region_a: Any) -> None:
    evil = CustomerFactory(
        region=region_a,
        name='<script>alert("x")</script>',
        job_title='"><img src=x onerror=alert(1)>',
    )
    client = Client()
    client.force_login(agent_a)
    for url in [f"/customers/{evil.pk}/", "/customers/?q=script"]:
        body = client.get(url).content.decode()
        assert "<script>alert" not in body and "&lt;script&gt;" in body


@pytest.mark.django_db
def test_customer_page_shows_commerce_panels_in_few_queries(
    agent_a: Any, customer_a: Any, django_assert_max_num_queries: Any
) -> None:
    # Given a customer with an identifier, a late shipment and an overdue invoice
    IdentifierFactory(customer=customer_a)
    ShipmentFactory(order__customer=customer_a, carrier__name="速达快运")
    InvoiceFactory(customer=customer_a, number="INV-OVERDUE-1")
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(agent_a)
    # When the agent opens the customer page, the query count stays pinned
    with django_assert_max_num_queries(25):
        body = client.get(f"/customers/{customer_a.pk}/").content.decode()
    # Then the panels show what is wrong
    assert "速达快运" in body and "late" in body and "INV-OVERDUE-1" in body
    assert 'data-panel="orders"' in body and 'data-panel="credit"' in body


@pytest.mark.django_db
def test_search_finds_by_any_spelling_of_a_phone(agent_a: Any, customer_a: Any) -> None:
    IdentifierFactory(customer=customer_a, value="138 0013 8000", normalized="+8613800138000")
    client = Client()
    client.force_login(agent_a)
    for spelling in ["+86-138-0013-8000", "0086 13800138000", "13800138000", "Zhang"]:
        body = client.get("/customers/", {"q": spelling}).content.decode()
        assert f"/customers/{customer_a.pk}/" in body, spelling


@pytest.mark.django_db
def test_supervisor_of_another_region_gets_404(region_b: Any, customer_a: Any) -> None:
    sup = make_user(Role.SUPERVISOR, region_b)
    client = Client()
    client.force_login(sup)
    resp = client.get(f"/customers/{customer_a.pk}/")
    assert resp.status_code == 404 and "customers.not_found" in resp.content.decode()


@pytest.mark.django_db
def test_favicon_is_found_without_a_login() -> None:
    # Given a browser that asks for /favicon.ico before anyone logs in
    resp = Client().get("/favicon.ico", follow=True)
    # Then it gets the icon, not a 404 in its console
    assert resp.status_code == 200
    assert resp.redirect_chain[0][0].endswith("web/favicon.svg")
