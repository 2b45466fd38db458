"""An agent never sees or acts on a case outside their scope: every case page and route answers
404 for it, as if the case did not exist (the case side of the authorization matrix; the
routes that take a customer id are in tests/authz_matrix.py)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from hudong.core.models import Role
from hudong.service.models import Case, CaseNote
from tests.core.test_authorization_matrix import ROLES, expected_visible
from tests.factories import CustomerFactory, RegionFactory, make_user
from tests.service.conftest import open_case

pytestmark = pytest.mark.django_db

# name, method, url, body ("form": a page form; "json": an API body; "put": a JSON PUT)
ROUTES: list[tuple[str, str, str, dict[str, Any] | None]] = [
    ("case page", "get", "/service/cases/{id}/", None),
    ("transition form", "form", "/service/cases/{id}/transition/", {"status": "acknowledged"}),
    ("note form", "form", "/service/cases/{id}/notes/", {"body": "内部", "internal": "on"}),
    ("assign form", "form", "/service/cases/{id}/assign/", {}),
    ("case API", "get", "/api/v1/cases/{id}", None),
    ("notes API", "get", "/api/v1/cases/{id}/notes", None),
    ("transition API", "json", "/api/v1/cases/{id}/transition", {"status": "acknowledged"}),
    ("note API", "json", "/api/v1/cases/{id}/notes", {"body": "内部", "internal": True}),
    ("assign API", "json", "/api/v1/cases/{id}/assign", {"to": "{user}"}),
    # Service recovery and the satisfaction survey (issue 5)
    ("recovery form", "form", "/service/cases/{id}/recovery/", {"kind": "apology", "cost": "0"}),
    ("informed form", "form", "/service/cases/{id}/recovery/informed/", {"message": ""}),
    ("outcome form", "form", "/service/cases/{id}/recovery/outcome/", {"outcome": "partial"}),
    ("recovery API", "get", "/api/v1/cases/{id}/recovery", None),
    ("recovery API add", "json", "/api/v1/cases/{id}/recovery", {"kind": "apology"}),
    ("informed API", "json", "/api/v1/cases/{id}/recovery/informed", {"message": ""}),
    ("outcome API", "put", "/api/v1/cases/{id}/recovery/outcome", {"outcome": "partial"}),
    ("CSAT API", "get", "/api/v1/cases/{id}/csat", None),
    # The complaint process (issue 5): checklist, temperament and guidance, escalation
    ("checklist step form", "form", "/service/cases/{id}/checklist/analyse/", {"done": "1"}),
    ("temperament form", "form", "/service/cases/{id}/temperament/", {"temperament": "stubborn"}),
    ("escalate form", "form", "/service/cases/{id}/escalate/", {"reason": "升级"}),
    ("checklist API", "get", "/api/v1/cases/{id}/checklist", None),
    ("checklist step API", "json", "/api/v1/cases/{id}/checklist/analyse", {"done": True}),
    ("guidance API", "get", "/api/v1/cases/{id}/guidance", None),
    ("temperament API", "json", "/api/v1/cases/{id}/temperament", {"temperament": "stubborn"}),
    ("escalate API", "json", "/api/v1/cases/{id}/escalate", {"reason": "升级"}),
    # Root cause on resolution (issue 5)
    ("root-cause form", "form", "/service/cases/{id}/root-cause/", {"code": "carrier-late"}),
    ("root-cause API", "put", "/api/v1/cases/{id}/root-cause", {"code": "carrier-late"}),
]


def _call(client: Client, route: tuple[str, str, str, Any], case: Case, user: Any) -> int:
    _name, method, url, body = route
    url = url.format(id=case.pk)
    if method == "get":
        return client.get(url).status_code
    if method == "form":
        return client.post(url, data=body).status_code
    data = {k: (getattr(user, "pk", 1) if v == "{user}" else v) for k, v in body.items()}
    if method == "put":
        return client.put(url, data=json.dumps(data), content_type="application/json").status_code
    return client.post(url, data=json.dumps(data), content_type="application/json").status_code


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r[0])
def test_an_east_agent_cannot_reach_a_north_case(route: Any) -> None:
    # Given an agent of the east and a case of a customer in the north
    east, north = RegionFactory(code="east"), RegionFactory(code="north")
    agent = make_user(Role.AGENT, east, username="east-agent")
    case = open_case(CustomerFactory(region=north))
    client = Client()
    client.force_login(agent)
    # When they reach it through this door, it does not exist for them
    assert _call(client, route, case, agent) == 404
    # And nothing changed
    case.refresh_from_db()
    assert (case.status, case.assignee_id) == ("new", None)
    assert not CaseNote.objects.filter(case=case).exists()


@pytest.mark.parametrize("route", ROUTES, ids=lambda r: r[0])
@pytest.mark.parametrize("role", ROLES)
def test_each_role_reaches_cases_as_the_policy_says(route: Any, role: str) -> None:
    region_a, region_b = RegionFactory(code="a"), RegionFactory(code="b")
    user = make_user(role, region_a, superuser=(role == Role.ADMIN))
    client = Client()
    client.force_login(user)
    for region, same in ((region_a, True), (region_b, False)):
        case = open_case(CustomerFactory(region=region))
        status = _call(client, route, case, user)
        if expected_visible(role, same, owns=False):
            # reached: done, or refused for a reason of the case (no team to assign within)
            assert status in {200, 201, 302, 409, 422}, (role, same, status)
        else:
            assert status == 404, (role, same, status)


@pytest.mark.parametrize("url", ["/service/cases/", "/api/v1/cases"])
def test_the_queue_lists_only_cases_in_scope(url: str) -> None:
    east, north = RegionFactory(code="east"), RegionFactory(code="north")
    agent = make_user(Role.AGENT, east, username="east-agent")
    mine = open_case(CustomerFactory(region=east), subject="东区投诉")
    theirs = open_case(CustomerFactory(region=north), subject="北区投诉")
    client = Client()
    client.force_login(agent)
    body = client.get(url).content.decode()
    assert mine.number in body
    assert theirs.number not in body


def test_anonymous_gets_nothing(customer_a: Any) -> None:
    case = open_case(customer_a)
    client = Client()
    for route in ROUTES:
        assert _call(client, route, case, None) in {302, 401, 403}, route[0]


STEP = "analyse"  # the checklist step the routes above name


def _case_routes() -> set[str]:
    """Every page route and API path that takes a case id, as ROUTES writes them."""
    from django.urls import URLResolver, get_resolver

    from hudong.api.urls import api

    found: set[str] = set()

    def walk(patterns: Any, prefix: str) -> None:
        for p in patterns:
            text = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, text)
            elif "<int:case_id>" in text:
                found.add("/" + text.replace("<int:case_id>", "{id}").replace("<slug:code>", STEP))

    walk(get_resolver().url_patterns, "")
    for path in api.get_openapi_schema()["paths"]:
        if "{case_id}" in path:
            found.add(path.replace("{case_id}", "{id}").replace("{code}", STEP).rstrip("/"))
    return found


def test_every_route_that_takes_a_case_is_in_the_matrix() -> None:
    # A new case route must be added to ROUTES, so its scope is tested like the others
    listed = {url.rstrip("/") if url.startswith("/api/") else url for _n, _m, url, _b in ROUTES}
    assert _case_routes() - listed == set()
