from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client


@pytest.mark.django_db
def test_token_created_on_the_command_line_works_until_revoked(agent_a: Any) -> None:
    out = io.StringIO()
    call_command("token", "create", "agent-a", "crm-sync", stdout=out, stderr=io.StringIO())
    key = out.getvalue().strip()
    client = Client(HTTP_AUTHORIZATION=f"Bearer {key}")
    assert client.get("/api/v1/me").json()["username"] == "agent-a"
    call_command("token", "revoke", key[:10], stdout=io.StringIO())
    assert client.get("/api/v1/me").status_code == 401
