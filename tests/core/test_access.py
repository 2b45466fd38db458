"""Sign-in and access: Argon2, lockout, API tokens, rules as data, deny by default."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.hashers import make_password
from django.test import Client, override_settings

from hudong.core import scoping
from hudong.core.models import AccessRule, ApiToken, Role
from tests.factories import PASSWORD, CustomerFactory, make_user


def test_production_hash_is_argon2() -> None:
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.Argon2PasswordHasher"]):
        assert make_password("s3cret-pass").startswith("argon2")
    from hudong import settings

    assert settings.PASSWORD_HASHERS[0].endswith("Argon2PasswordHasher")


@pytest.mark.django_db
def test_lockout_after_repeated_failures(agent_a: Any) -> None:
    client = Client()
    for _ in range(5):
        resp = client.post("/login/", {"username": "agent-a", "password": "wrong"})
        assert resp.status_code == 200
    # Even the right password is refused while locked, with a clear message
    resp = client.post("/login/", {"username": "agent-a", "password": PASSWORD})
    assert "_auth_user_id" not in client.session
    assert "locked" in resp.content.decode().lower() or "锁定" in resp.content.decode()


@pytest.mark.django_db
def test_successful_login_resets_the_counter(agent_a: Any) -> None:
    client = Client()
    for _ in range(4):
        client.post("/login/", {"username": "agent-a", "password": "wrong"})
    resp = client.post("/login/", {"username": "agent-a", "password": PASSWORD})
    assert resp.status_code == 302 and "_auth_user_id" in client.session


@pytest.mark.django_db
def test_api_token_authenticates_and_revocation_stops_it(agent_a: Any, customer_a: Any) -> None:
    token, key = ApiToken.issue(agent_a, "integration")
    client = Client()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    assert client.get("/api/v1/me", **auth).json()["username"] == "agent-a"
    assert ApiToken.objects.get(pk=token.pk).key_hash != key  # only a hash is stored
    token.revoked_at = token.created_at
    token.save()
    resp = client.get("/api/v1/me", **auth)
    assert resp.status_code == 401 and resp.json()["code"] == "auth.required"


@pytest.mark.django_db
def test_rules_are_data_a_company_can_change(agent_a: Any, region_b: Any) -> None:
    other = CustomerFactory(region=region_b)
    assert not scoping.visible(agent_a, "customers").filter(pk=other.pk).exists()
    # the admin edits the rule (a save, as the admin site does): it applies at once
    rule = AccessRule.objects.get(role=Role.AGENT, resource="customers")
    rule.scope = "all"
    rule.save()
    assert scoping.visible(agent_a, "customers").filter(pk=other.pk).exists()


@pytest.mark.django_db
def test_deny_by_default(region_a: Any) -> None:
    # A role with no rule, and a user with no profile, see nothing
    AccessRule.objects.filter(role=Role.ANALYST).delete()
    analyst = make_user(Role.ANALYST, region_a)
    CustomerFactory(region=region_a)
    assert scoping.visible(analyst, "customers").count() == 0
    from tests.factories import UserFactory

    assert scoping.visible(UserFactory(), "customers").count() == 0
