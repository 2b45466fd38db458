"""Role × region × endpoint: who may see a customer, through every door."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
from django.test import Client
from django.urls import get_resolver

from hudong.core.models import Role
from hudong.core.scoping import DEFAULT_POLICY
from tests.authz_matrix import ENDPOINTS, Endpoint
from tests.factories import CustomerFactory, RegionFactory, make_user

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.SALES, Role.MARKETER, Role.ANALYST, Role.ADMIN]


def expected_visible(role: str, same_region: bool, owns: bool) -> bool:
    scope = DEFAULT_POLICY[role]
    return {"all": True, "region": same_region, "own": owns}.get(scope, False)


def _call(client: Client, ep: Endpoint, customer: Any) -> tuple[int, str]:
    url = ep.url.format(id=customer.pk, q=quote(customer.name))
    if ep.kind == "api-create":
        resp = client.post(
            url,
            data=json.dumps({"name": "新客户", "region": customer.region.code}),
            content_type="application/json",
        )
    elif ep.kind == "form-post":
        resp = client.post(url, data=ep.body or {})
    elif ep.kind == "api-post":
        resp = client.post(url, data=json.dumps(ep.body or {}), content_type="application/json")
    elif ep.kind == "api-patch":
        body = ep.body or {"job_title": "经理"}
        resp = client.patch(url, data=json.dumps(body), content_type="application/json")
    else:
        resp = client.get(url)
    if getattr(resp, "streaming", False):
        return resp.status_code, _export_text(b"".join(resp.streaming_content), url)
    return resp.status_code, resp.content.decode()


def _export_text(content: bytes, url: str) -> str:
    """An export as text: CSV as it is, XLSX cell by cell."""
    if not url.endswith(".xlsx"):
        return content.decode("utf-8-sig")
    import io

    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(content), read_only=True)
    return "\n".join(
        ",".join("" if v is None else str(v) for v in row)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
    )


@pytest.mark.django_db
@pytest.mark.parametrize("ep", ENDPOINTS, ids=lambda e: e.name)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("where", ["own-region", "other-region"])
def test_matrix(ep: Endpoint, role: str, where: str) -> None:
    # Given a user of region A with this role, and a customer in region A or B
    region_a, region_b = RegionFactory(code="a"), RegionFactory(code="b")
    user = make_user(role, region_a, superuser=(role == Role.ADMIN))
    customer = CustomerFactory(
        region=region_a if where == "own-region" else region_b, name="王芳Matrix"
    )
    client = Client()
    client.force_login(user)
    # When they reach the customer through this endpoint
    status, body = _call(client, ep, customer)
    # Then they see it exactly when the policy says so; otherwise it does not exist for them
    # (a sales user creating a customer becomes its owner, so may always create)
    visible = expected_visible(role, where == "own-region", owns=ep.kind == "api-create")
    if ep.kind == "export":
        # every user may export; the file holds exactly the customers they may see
        assert status == 200, body[:300]
        assert (customer.name in body) == visible, body[:300]
    elif ep.kind in {"search", "api-search"}:
        assert status == 200
        assert (
            f"/customers/{customer.pk}/" in body
            or f'"id": {customer.pk}' in body
            or f'"id":{customer.pk}' in body
        ) == visible
    elif ep.kind == "api-create":
        assert status == (201 if visible else 403), body[:300]
    elif ep.kind == "form-post":
        assert status == (302 if visible else 404), body[:300]
    elif ep.kind == "api-post":
        # a write answers 200, 201 (created) or 202 (accepted, e.g. a message the policy holds)
        assert (status in {200, 201, 202}) if visible else status == 404, (status, body[:300])
    else:
        assert status == (200 if visible else 404), body[:300]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "ep", [e for e in ENDPOINTS if e.kind in {"page", "api"}], ids=lambda e: e.name
)
def test_sales_sees_owned_customers_only(ep: Endpoint) -> None:
    # Given a sales user who owns one customer of their region but not another
    region = RegionFactory(code="a")
    sales = make_user(Role.SALES, region)
    mine = CustomerFactory(region=region, owner=sales)
    theirs = CustomerFactory(region=region)
    client = Client()
    client.force_login(sales)
    # Then only the owned one is reachable
    assert _call(client, ep, mine)[0] == 200
    assert _call(client, ep, theirs)[0] == 404


@pytest.mark.django_db
def test_anonymous_gets_nothing(customer_a: Any) -> None:
    client = Client()
    for ep in ENDPOINTS:
        status, _ = _call(client, ep, customer_a)
        assert status in {302, 401, 403}, ep.name


def test_every_customer_url_is_in_the_matrix() -> None:
    """A new page or route that takes a customer id must be registered in the matrix."""
    registered = {e.url_name for e in ENDPOINTS}
    missing = []

    def walk(patterns: Any, namespace: str = "") -> None:
        for p in patterns:
            if hasattr(p, "url_patterns"):
                ns = f"{namespace}{p.namespace}:" if p.namespace else namespace
                walk(p.url_patterns, ns)
            elif "customer" in str(p.pattern) and p.name and not namespace.startswith("admin"):
                name = f"{namespace}{p.name}"
                if name not in registered:
                    missing.append(name)

    walk(get_resolver().url_patterns)
    assert not missing, f"register these in tests/authz_matrix.py: {missing}"
