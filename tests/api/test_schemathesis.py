"""Property-based fuzzing of /api/v1 from its own OpenAPI schema (schemathesis).

Every operation gets valid and invalid requests, as an administrator and as a regional agent,
sent in-process to the WSGI application. Whatever comes in: no 5xx, the response matches the
documented schema, and every 4xx is problem JSON with a string ``code``.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from django.test import Client
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance

from hudong.core.models import ApiToken, Role
from hudong.wsgi import application
from tests.factories import CustomerFactory, RegionFactory, make_user

SCHEMA_PATH = "/api/v1/openapi.json"
PROBLEM = "application/problem+json"
# Modest by default (the suite stays fast); raise it for a deeper local hunt.
MAX_EXAMPLES = int(os.environ.get("HUDONG_FUZZ_EXAMPLES", "40"))

schema = schemathesis.openapi.from_wsgi(SCHEMA_PATH, application)

# Random strings almost never name an existing region or customer, so writes would only ever
# meet "not found". Let Hypothesis also pick the ones the fixture created.
KNOWN: dict[str, list[Any]] = {"regions": [], "customer_ids": []}


@schema.hook
def flatmap_body(ctx: Any, body: Any) -> Any:
    if isinstance(body, dict) and isinstance(body.get("region"), str) and KNOWN["regions"]:
        return st.sampled_from([body["region"], *KNOWN["regions"]]).map(
            lambda region: {**body, "region": region}
        )
    if isinstance(body, dict) and isinstance(body.get("region_code"), str) and KNOWN["regions"]:
        return st.sampled_from([body["region_code"], *KNOWN["regions"]]).map(
            lambda region: {**body, "region_code": region}
        )
    return st.just(body)


@schema.hook
def flatmap_path_parameters(ctx: Any, parameters: Any) -> Any:
    value = parameters.get("customer_id") if isinstance(parameters, dict) else None
    if isinstance(value, int) and KNOWN["customer_ids"]:
        return st.sampled_from([value, *KNOWN["customer_ids"]]).map(
            lambda cid: {**parameters, "customer_id": cid}
        )
    return st.just(parameters)


def problem_json_on_4xx(ctx: Any, response: Any, case: Any) -> None:
    """A client error is RFC 9457 problem JSON carrying a stable string ``code``."""
    if not 400 <= response.status_code < 500:
        return
    values = response.headers.get("content-type") or [""]  # lower-case keys, list values
    content_type = values[0]
    assert content_type.startswith(PROBLEM), (
        f"{case.operation.label}: {response.status_code} with Content-Type {content_type!r}, "
        f"expected {PROBLEM}; body {response.text[:300]!r}"
    )
    try:
        body = json.loads(response.text)
    except ValueError as exc:
        raise AssertionError(
            f"{response.status_code} body is not JSON: {response.text[:300]!r}"
        ) from exc
    assert isinstance(body, dict) and isinstance(body.get("code"), str) and body["code"], (
        f"{case.operation.label}: {response.status_code} problem without a string code: {body!r}"
    )


CHECKS = [not_a_server_error, response_schema_conformance, problem_json_on_4xx]


@pytest.fixture
def in_test_transaction() -> Iterator[None]:
    """Keep the test's connection (and transaction) across requests, as Django's test client does.

    schemathesis drives the bare WSGI handler, whose request signals would otherwise close the
    connection after each request: on PostgreSQL the next request then fails with "the
    connection is closed", and on SQLite later requests would escape the test transaction.
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@pytest.fixture
def bearer(request: pytest.FixtureRequest) -> dict[str, str]:
    """An Authorization header for the role under test, with some data for it to see."""
    region = RegionFactory(code="region-a", name="Region A")
    other = RegionFactory(code="region-b", name="Region B")
    customers = [c for r in (region, other) for c in CustomerFactory.create_batch(3, region=r)]
    KNOWN["regions"] = [region.code, other.code]
    KNOWN["customer_ids"] = [c.pk for c in customers]
    if request.param == "admin":
        user = make_user(Role.ADMIN, None, superuser=True, username="fuzz-admin")
    else:
        user = make_user(Role.AGENT, region, username="fuzz-agent")
    _, key = ApiToken.issue(user, "fuzz")
    return {"Authorization": f"Bearer {key}"}


@pytest.mark.django_db
@pytest.mark.parametrize("bearer", ["admin", "agent"], indirect=True)
@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
def test_api_survives_fuzzing(case: Any, bearer: dict[str, str], in_test_transaction: None) -> None:
    case.call_and_validate(headers=bearer, checks=CHECKS)


@pytest.mark.django_db
def test_openapi_document_is_valid_openapi() -> None:
    from openapi_spec_validator import validate

    response = Client().get(SCHEMA_PATH)
    assert response.status_code == 200
    document = response.json()
    validate(document)
    assert document["openapi"].startswith("3.")
    assert document["paths"], "no operation is documented"
    schemes = document.get("components", {}).get("securitySchemes", {})
    assert any(s.get("scheme") == "bearer" for s in schemes.values()), schemes
