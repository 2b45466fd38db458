"""Administrators set sources up and rotate their secrets over the API; nobody else can."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.test import Client

from hudong.core.models import ApiToken, AuditEntry
from hudong.interactions.channels.webhooks import signing
from hudong.interactions.channels.webhooks.models import SourceSecret

pytestmark = pytest.mark.django_db


def _api(user: Any) -> Client:
    _, key = ApiToken.issue(user, "test")
    return Client(HTTP_AUTHORIZATION=f"Bearer {key}")


def _deliver(client: Client, slug: str, secret: str, event_id: str) -> int:
    body = json.dumps({"id": event_id, "customer": {"phone": "13800138000"}}).encode()
    response = client.post(
        f"/hooks/{slug}/",
        body,
        content_type="application/json",
        headers=signing.headers(secret, body, int(time.time())),
    )
    return int(response.status_code)


def test_an_admin_creates_a_source_rotates_its_secret_and_sees_deliveries(
    admin_user: Any, region_a: Any
) -> None:
    api, sender = _api(admin_user), Client()
    # Given a source created over the API: its secret is shown this once
    created = api.post(
        "/api/v1/webhooks/sources",
        {"slug": "wechat-bridge", "name": "WeChat", "channel": "wechat", "region": "region-a"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    first = created.json()["secret"]
    assert _deliver(sender, "wechat-bridge", first, "e1") == 202
    # When a second secret is added, both verify
    added = api.post(
        "/api/v1/webhooks/sources/wechat-bridge/secrets",
        {"label": "2026"},
        content_type="application/json",
    )
    assert added.status_code == 201
    second = added.json()["secret"]
    assert _deliver(sender, "wechat-bridge", first, "e2") == 202
    assert _deliver(sender, "wechat-bridge", second, "e3") == 202
    # And once the first is revoked, only the second does
    old_id = SourceSecret.objects.get(secret=first).pk
    revoked = api.post(f"/api/v1/webhooks/sources/wechat-bridge/secrets/{old_id}/revoke")
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert _deliver(sender, "wechat-bridge", first, "e4") == 401
    assert _deliver(sender, "wechat-bridge", second, "e4") == 202
    # Then listing shows no secret in full, and the deliveries are there
    listed = api.get("/api/v1/webhooks/sources").json()
    assert first not in json.dumps(listed) and second not in json.dumps(listed)
    assert [s["label"] for s in listed[0]["secrets"]] == ["2026", "first"]
    events = api.get("/api/v1/webhooks/sources/wechat-bridge/events").json()
    assert [e["event_id"] for e in events] == ["e4", "e3", "e2", "e1"]
    # And the audit trail records the rotation without the secrets
    trail = json.dumps(list(AuditEntry.objects.values("after")), ensure_ascii=False)
    assert "2026" in trail and first not in trail and second not in trail


def test_a_duplicate_slug_or_a_bad_value_is_refused_with_a_code(admin_user: Any) -> None:
    api = _api(admin_user)
    body = {"slug": "shop", "name": "Shop"}
    assert (
        api.post("/api/v1/webhooks/sources", body, content_type="application/json").status_code
        == 201
    )
    again = api.post("/api/v1/webhooks/sources", body, content_type="application/json")
    assert (again.status_code, again.json()["code"]) == (409, "webhooks.slug_taken")
    bad = api.patch(
        "/api/v1/webhooks/sources/shop", {"channel": "fax"}, content_type="application/json"
    )
    assert (bad.status_code, bad.json()["code"]) == (422, "webhooks.channel_invalid")
    empty = api.patch(
        "/api/v1/webhooks/sources/shop", {"name": None}, content_type="application/json"
    )
    assert (empty.status_code, empty.json()["code"]) == (422, "webhooks.field_required")


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", "/api/v1/webhooks/sources"),
        ("post", "/api/v1/webhooks/sources"),
        ("post", "/api/v1/webhooks/sources/shop/secrets"),
        ("get", "/api/v1/webhooks/sources/shop/events"),
    ],
)
def test_an_agent_may_not_touch_sources(agent_a: Any, method: str, url: str) -> None:
    body = {"slug": "x", "name": "X"} if url.endswith("sources") else {}
    response = getattr(_api(agent_a), method)(url, body, content_type="application/json")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
