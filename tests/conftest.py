"""Shared fixtures: two regions and a user of every role, for the permission tests."""

from __future__ import annotations

from typing import Any

import pytest

from hudong.core.models import Role
from tests.factories import CustomerFactory, RegionFactory, make_user


@pytest.fixture(autouse=True)
def _fresh_caches() -> None:
    """Policy and question caches live per process; each test starts from its database."""
    from hudong.core.scoping import forget_rules
    from hudong.customers.quality import forget_questions

    forget_rules()
    forget_questions()


@pytest.fixture
def region_a() -> Any:
    return RegionFactory(code="region-a", name="Region A")


@pytest.fixture
def region_b() -> Any:
    return RegionFactory(code="region-b", name="Region B")


@pytest.fixture
def agent_a(region_a: Any) -> Any:
    return make_user(Role.AGENT, region_a, username="agent-a")


@pytest.fixture
def admin_user() -> Any:
    return make_user(Role.ADMIN, None, superuser=True, username="root")


@pytest.fixture
def customer_a(region_a: Any) -> Any:
    return CustomerFactory(region=region_a, name="张伟", name_latin="Zhang Wei")


@pytest.fixture
def customer_b(region_b: Any) -> Any:
    return CustomerFactory(region=region_b, name="李娜", name_latin="Li Na")
