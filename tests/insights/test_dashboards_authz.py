"""Role × dashboard endpoint: every role opens the dashboards (with the numbers of its scope,
see test_dashboards_pages); only analysts and administrators watch and start insights runs;
a region outside a user's scope does not exist for them. The customer lists behind a point
are in tests/authz_matrix.py with every other customer-bearing door."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from hudong.core.models import Role
from tests.factories import RegionFactory, make_user

pytestmark = pytest.mark.django_db

ROLES = [Role.AGENT, Role.SUPERVISOR, Role.SALES, Role.MARKETER, Role.ANALYST, Role.ADMIN]
RUNNERS = {Role.ANALYST, Role.ADMIN}
REGIONAL = {Role.AGENT, Role.SUPERVISOR}

# (name, method, url, status for a runner or not: None means "every role: 200")
ENDPOINTS = [
    ("dashboard page", "get", "/insights/dashboards/retention/", None),
    ("dashboard index", "get", "/insights/dashboards/", 302),
    ("dashboards API", "get", "/api/v1/dashboards", None),
    ("dashboard API", "get", "/api/v1/dashboards/value", None),
    ("chart CSV", "get", "/insights/charts/churn/data.csv", None),
    ("chart XLSX", "get", "/insights/charts/churn/data.xlsx", None),
    ("runs page", "get", "/insights/dashboards/runs/", "runs"),
    ("run now", "post", "/insights/dashboards/runs/start/", "run-now"),
]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("ep", ENDPOINTS, ids=lambda e: e[0])
def test_dashboard_endpoints_by_role(role: str, ep: tuple[str, str, str, Any]) -> None:
    name, method, url, rule = ep
    user = make_user(role, RegionFactory(code="a"), superuser=(role == Role.ADMIN))
    client = Client()
    client.force_login(user)
    status = getattr(client, method)(url).status_code
    if rule is None:
        assert status == 200, name
    elif rule == "runs":
        assert status == (200 if role in RUNNERS else 403), name
    elif rule == "run-now":
        assert status == (302 if role in RUNNERS else 403), name
    else:
        assert status == rule, name


@pytest.mark.parametrize("role", ROLES)
def test_another_region_is_refused_to_regional_roles(role: str) -> None:
    RegionFactory(code="b")
    user = make_user(role, RegionFactory(code="a"), superuser=(role == Role.ADMIN))
    client = Client()
    client.force_login(user)
    for url in ("/insights/dashboards/value/", "/api/v1/dashboards/value",
                "/insights/charts/churn/data.csv"):  # fmt: skip
        status = client.get(url, {"region": "b"}).status_code
        assert status == (404 if role in REGIONAL else 200), (role, url)


def test_anonymous_gets_nothing() -> None:
    client = Client()
    for _name, method, url, _rule in ENDPOINTS:
        assert getattr(client, method)(url).status_code in {302, 401, 403}, url
