"""Over a real HTTP connection to the real ASGI server (uvicorn, as ``hudong serve`` runs it): a
body larger than the limit is refused even when the sender announces no length (chunked), and
a stored event is processed by the worker."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import httpx
import pytest

from hudong.interactions.channels.webhooks import signing
from hudong.interactions.channels.webhooks.models import WebhookEvent
from hudong.interactions.models import Interaction
from tests.interactions.webhooks.conftest import SECRET, event, run_worker

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def server(asgi_server: str) -> str:
    return asgi_server


def _chunks(body: bytes) -> Iterator[bytes]:
    for start in range(0, len(body), 4096):
        yield body[start : start + 4096]


def test_a_chunked_body_over_the_limit_is_refused_with_413(
    server: str, source: Any, settings: Any
) -> None:
    settings.HUDONG_WEBHOOK_MAX_BYTES = 10_000
    body = json.dumps({**event(1), "content": "x" * 50_000}).encode()
    headers = {"Content-Type": "application/json", **signing.headers(SECRET, body)}
    # When it is streamed without a Content-Length
    response = httpx.post(
        f"{server}/hooks/shop/", content=_chunks(body), headers=headers, timeout=10
    )
    # Then it is refused by its real length, and nothing is stored
    assert response.status_code == 413
    assert response.json()["code"] == "webhooks.body_too_large"
    assert not WebhookEvent.objects.exists()


def test_an_event_sent_over_http_is_acknowledged_then_recorded(server: str, source: Any) -> None:
    body = json.dumps(event(1, email="Chen.Jing@Example.cn", name="陈静")).encode()
    headers = {"Content-Type": "application/json", **signing.headers(SECRET, body)}
    started = time.perf_counter()
    response = httpx.post(f"{server}/hooks/shop/", content=body, headers=headers)
    assert response.status_code == 202
    assert time.perf_counter() - started < 2
    assert WebhookEvent.objects.get().status == "pending"
    run_worker()
    interaction = Interaction.objects.get()
    assert interaction.customer.name == "陈静"
    assert interaction.identifier_used == "Chen.Jing@Example.cn"


def test_an_announced_oversize_body_is_refused_before_it_is_sent(server: str, source: Any) -> None:
    # Given a request announcing 50 MB, whose body is never sent
    host, port = server.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as conn:
        conn.sendall(
            b"POST /hooks/shop/ HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
            b"Content-Length: 50000000\r\n\r\n"
        )
        # Then the server answers 413 at once, without waiting for the body
        answer = conn.recv(65536).decode()
    assert answer.startswith("HTTP/1.1 413")
    assert '"code": "webhooks.body_too_large"' in answer


def test_concurrent_deliveries_are_all_stored_and_a_repeated_id_once(
    server: str, source: Any
) -> None:
    # Given 30 senders at once, five of them delivering the same event
    bodies = [json.dumps(event(n)).encode() for n in range(25)]
    bodies += [json.dumps(event("same")).encode()] * 5

    def send(body: bytes) -> int:
        headers = {"Content-Type": "application/json", **signing.headers(SECRET, body)}
        return httpx.post(f"{server}/hooks/shop/", content=body, headers=headers).status_code

    with ThreadPoolExecutor(max_workers=30) as pool:
        statuses = list(pool.map(send, bodies))
    # Then every distinct event is acknowledged as stored, the repeated one once
    assert statuses[:25] == [202] * 25
    assert sorted(statuses[25:]) == [200, 200, 200, 200, 202]
    assert WebhookEvent.objects.count() == 26
    # And the events committed together are processed like any other
    run_worker()
    assert Interaction.objects.count() == 26


def test_the_fast_path_refuses_what_the_view_refuses(server: str, source: Any) -> None:
    body = json.dumps(event(1)).encode()
    forged = {"Content-Type": "application/json", **signing.headers("whsec_x", body)}
    answer = httpx.post(f"{server}/hooks/shop/", content=body, headers=forged)
    assert (answer.status_code, answer.json()["code"]) == (401, "webhooks.signature_invalid")
    bad = b'{"id": "x", "customer": {"phone": "12"}}'
    signed = {"Content-Type": "application/json", **signing.headers(SECRET, bad)}
    answer = httpx.post(f"{server}/hooks/shop/", content=bad, headers=signed)
    assert answer.status_code == 422
    assert answer.headers["content-type"] == "application/problem+json"
    assert (answer.json()["code"], answer.json()["field"]) == (
        "webhooks.identifier_invalid",
        "customer.phone",
    )
    unknown = httpx.post(f"{server}/hooks/nobody/", content=body, headers=signed)
    assert (unknown.status_code, unknown.json()["code"]) == (404, "webhooks.source_unknown")
    assert not WebhookEvent.objects.exists()
