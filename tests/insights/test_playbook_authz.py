"""Role × region for every playbook list, through the page, the CSV export and the API: a
user sees exactly the members their scope allows (the lists' part of the authorization
matrix; the per-customer task endpoints are in tests/authz_matrix.py)."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from hudong.core.models import Role
from hudong.customers.models import CustomerKind
from hudong.insights.models import FollowUpTask
from tests.core.test_authorization_matrix import ROLES, expected_visible
from tests.factories import CustomerFactory, RegionFactory, make_user
from tests.insights.factories_playbook import complaints, value

pytestmark = pytest.mark.django_db


def _member(key: str, region: Any) -> Any:
    """A customer that meets the definition of list ``key``."""
    if key == "few_contacts":
        return CustomerFactory(
            region=region, kind=CustomerKind.ORGANIZATION, is_target_account=True
        )
    customer = CustomerFactory(region=region)
    if key == "complained":
        value(customer, "A")
        complaints(customer, 2)
    elif key == "lagging":
        value(customer, "A", was_top_last_year=True, revenue_ytd=1, revenue_prev_ytd=9)
    elif key == "cross_sell":
        value(customer, "A", product_lines=1)
    return customer


KEYS = ["complained", "lagging", "cross_sell", "few_contacts"]


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("key", KEYS)
def test_lists_show_only_customers_in_scope(role: str, key: str) -> None:
    region_a, region_b = RegionFactory(code="a"), RegionFactory(code="b")
    user = make_user(role, region_a, superuser=(role == Role.ADMIN))
    here, there = _member(key, region_a), _member(key, region_b)
    client = Client()
    client.force_login(user)
    page = client.get(f"/insights/playbook/{key}/").content.decode()
    csv = b"".join(client.get(f"/insights/playbook/{key}/export.csv").streaming_content).decode()
    api = client.get(f"/api/v1/playbook/{key}").json()
    api_ids = {item["id"] for item in api["items"]}
    for customer, same_region in ((here, True), (there, False)):
        visible = expected_visible(role, same_region, owns=False)
        assert (f'href="/customers/{customer.pk}/"' in page) == visible, (role, same_region)
        assert (customer.name in csv) == visible
        assert (customer.pk in api_ids) == visible


@pytest.mark.parametrize("role", ROLES)
def test_tasks_only_for_customers_in_scope(role: str) -> None:
    region_a, region_b = RegionFactory(code="a"), RegionFactory(code="b")
    user = make_user(role, region_a, superuser=(role == Role.ADMIN))
    there = _member("complained", region_b)
    client = Client()
    client.force_login(user)
    resp = client.post(
        "/insights/playbook/complained/act/",
        {"action": "task", "scope": "selected", "ids": [there.pk], "title": "t"},
    )
    visible = expected_visible(role, False, owns=False)
    assert resp.status_code == (302 if visible else 404)
    assert FollowUpTask.objects.filter(customer=there).exists() == visible


def test_anonymous_gets_nothing() -> None:
    client = Client()
    for url in ["/insights/playbook/", "/insights/playbook/complained/", "/insights/tasks/"]:
        assert client.get(url).status_code == 302
    assert client.get("/api/v1/playbook/complained").status_code in {401, 403}
    assert client.get("/api/v1/tasks").status_code in {401, 403}
