"""Receiving: only a correctly signed, fresh, well-formed event is stored, once; every refusal
is problem JSON with a stable code, and nothing is stored for it."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from django.utils import timezone

from hudong.interactions.channels.webhooks import signing
from hudong.interactions.channels.webhooks.models import SourceSecret, WebhookEvent
from tests.interactions.webhooks.conftest import SECRET, event

pytestmark = pytest.mark.django_db


def _problem(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == "application/problem+json"
    body: dict[str, Any] = response.json()
    assert body["code"] == code
    assert body["status"] == status
    return body


def test_a_signed_event_is_stored_and_acknowledged_with_202(source: Any, post: Any) -> None:
    # When the shop posts a signed event
    response = post(event(1))
    # Then it is accepted and stored, waiting for the worker
    assert response.status_code == 202
    assert response.json() == {"status": "accepted", "id": "evt-1"}
    stored = WebhookEvent.objects.get()
    assert (stored.event_id, stored.status, stored.source) == ("evt-1", "pending", source)
    assert json.loads(stored.body)["content"] == "第1号表单"


def test_a_signature_made_with_another_secret_is_refused(source: Any, post: Any) -> None:
    response = post(event(1), secret="whsec_guessed")
    _problem(response, 401, "webhooks.signature_invalid")
    assert not WebhookEvent.objects.exists()


def test_a_body_changed_after_signing_is_refused(source: Any, client: Any) -> None:
    # Given headers signed for one body
    signed = signing.headers(SECRET, json.dumps(event(1)).encode())
    # When another body is sent with them
    response = client.post(
        "/hooks/shop/", json.dumps(event(2)), content_type="application/json", headers=signed
    )
    _problem(response, 401, "webhooks.signature_invalid")
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize(
    "headers",
    [{}, {"X-Hudong-Timestamp": "1700000000"}, {"X-Hudong-Signature": "v1=00"}],
    ids=["none", "no-signature", "no-timestamp"],
)
def test_an_unsigned_request_is_refused(source: Any, post: Any, headers: dict[str, str]) -> None:
    _problem(post(event(1), headers=headers), 401, "webhooks.signature_missing")
    assert not WebhookEvent.objects.exists()


def test_during_a_rotation_the_old_and_the_new_secret_both_verify(source: Any, post: Any) -> None:
    # Given a second secret added while the first is still active
    SourceSecret.objects.create(source=source, secret="whsec_next", label="next")
    # Then events signed with either are accepted
    assert post(event(1), secret=SECRET).status_code == 202
    assert post(event(2), secret="whsec_next").status_code == 202
    assert WebhookEvent.objects.count() == 2


def test_a_revoked_secret_no_longer_verifies(source: Any, post: Any) -> None:
    # Given the first secret revoked after the rotation
    SourceSecret.objects.create(source=source, secret="whsec_next", label="next")
    SourceSecret.objects.filter(secret=SECRET).update(revoked_at=timezone.now())
    SourceSecret.objects.get(secret="whsec_next").save()  # as the admin saves it
    # Then the old secret is refused and the new one accepted
    _problem(post(event(1), secret=SECRET), 401, "webhooks.signature_invalid")
    assert post(event(1), secret="whsec_next").status_code == 202


@pytest.mark.parametrize("skew", [-301, 301, -3600 * 24])
def test_a_timestamp_outside_the_window_is_refused(source: Any, post: Any, skew: int) -> None:
    # Given a correctly signed event whose timestamp is over 5 minutes off (either way)
    response = post(event(1), timestamp=int(time.time()) + skew)
    _problem(response, 401, "webhooks.timestamp_outside_window")
    assert not WebhookEvent.objects.exists()


def test_a_timestamp_inside_the_window_is_accepted(source: Any, post: Any) -> None:
    assert post(event(1), timestamp=int(time.time()) - 250).status_code == 202


def test_a_replayed_event_is_acknowledged_and_stored_once(source: Any, post: Any) -> None:
    # Given an event delivered once
    assert post(event(1)).status_code == 202
    # When the same event id arrives again (a retry, or a replay inside the window)
    again = post({**event(1), "content": "changed"})
    # Then it is acknowledged as a duplicate and the first delivery stays the only one
    assert again.status_code == 200
    assert again.json() == {"status": "duplicate", "id": "evt-1"}
    assert WebhookEvent.objects.count() == 1
    assert "changed" not in WebhookEvent.objects.get().body


def test_an_announced_oversize_body_is_refused_with_413(
    source: Any, post: Any, settings: Any
) -> None:
    settings.HUDONG_WEBHOOK_MAX_BYTES = 1000
    big = {**event(1), "content": "x" * 2000}
    _problem(post(big), 413, "webhooks.body_too_large")
    assert not WebhookEvent.objects.exists()


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        (b"{not json", "webhooks.body_malformed", None),
        (b"[1, 2]", "webhooks.body_malformed", None),
        (b"\xff\xfe", "webhooks.body_malformed", None),
        ({"customer": {"phone": "13800138000"}}, "webhooks.field_missing", "id"),
        ({"id": ["x"], "customer": {"phone": "13800138000"}}, "webhooks.field_invalid", "id"),
        ({"id": "e", "customer": {}}, "webhooks.identifier_missing", "customer"),
        ({"id": "e"}, "webhooks.identifier_missing", "customer"),
        ({"id": "e", "customer": {"phone": "12"}}, "webhooks.identifier_invalid", "customer.phone"),
        (
            {"id": "e", "customer": {"email": "not-an-email"}},
            "webhooks.identifier_invalid",
            "customer.email",
        ),
        ({**event(1), "channel": "fax"}, "webhooks.field_invalid", "channel"),
        ({**event(1), "occurred_at": "yesterday"}, "webhooks.field_invalid", "occurred_at"),
        ({**event(1), "content": 42}, "webhooks.field_invalid", "content"),
        ({**event(1), "data": [1]}, "webhooks.field_invalid", "data"),
    ],
)
def test_a_malformed_event_is_refused_with_422_and_a_code(
    source: Any, post: Any, body: Any, code: str, field: str | None
) -> None:
    problem = _problem(post(body), 422, code)
    assert problem.get("field") == field
    assert not WebhookEvent.objects.exists()


def test_an_unknown_or_inactive_source_is_404(source: Any, post: Any) -> None:
    _problem(post(event(1), slug="nobody"), 404, "webhooks.source_unknown")
    source.is_active = False
    source.save()
    _problem(post(event(1)), 404, "webhooks.source_unknown")


def test_only_post_is_allowed(source: Any, client: Any) -> None:
    response = client.get("/hooks/shop/")
    _problem(response, 405, "request.method_not_allowed")
    assert response["Allow"] == "POST"


def test_a_batch_stores_the_good_events_and_reports_the_bad_ones(source: Any, post: Any) -> None:
    # Given a batch with good events, a bad one, a repeated id and one stored before
    assert post(event("old")).status_code == 202
    batch = {
        "events": [
            event(1),
            {"id": "bad-phone", "customer": {"phone": "12"}},
            event(2, email="li@example.cn"),
            event(1),
            event("old"),
            "not an object",
        ]
    }
    # When it is posted
    response = post(batch, batch=True)
    # Then the good ones are stored and the others reported, with their index and code
    assert response.status_code == 202
    report = response.json()
    assert report["accepted"] == 2
    assert report["duplicates"] == ["evt-1", "evt-old"]
    assert [(r["index"], r["id"], r["code"]) for r in report["rejected"]] == [
        (1, "bad-phone", "webhooks.identifier_invalid"),
        (5, None, "webhooks.body_malformed"),
    ]
    assert set(WebhookEvent.objects.values_list("event_id", flat=True)) == {
        "evt-old",
        "evt-1",
        "evt-2",
    }


def test_a_batch_with_no_good_event_is_refused(source: Any, post: Any) -> None:
    response = post({"events": [{"id": "x"}]}, batch=True)
    body = _problem(response, 422, "webhooks.batch_rejected")
    assert body["rejected"][0]["code"] == "webhooks.identifier_missing"


def test_a_batch_over_1000_events_is_refused(source: Any, post: Any) -> None:
    batch = {"events": [event(n) for n in range(1001)]}
    _problem(post(batch, batch=True), 413, "webhooks.batch_too_large")
    assert not WebhookEvent.objects.exists()
