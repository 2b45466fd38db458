"""Fixtures for the webhook tests: a source with a secret, and a signed POST."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from hudong.interactions.channels.webhooks import signing
from hudong.interactions.channels.webhooks.models import Source, SourceSecret
from hudong.interactions.channels.webhooks.receive import forget_sources
from tests.web.conftest import browser, tab  # noqa: F401  (the real-browser fixtures)

SECRET = "whsec_test_current"


@pytest.fixture(autouse=True)
def _fresh_sources() -> None:
    forget_sources()


@pytest.fixture
def source(region_a: Any) -> Source:
    hook = Source.objects.create(slug="shop", name="Online shop", channel="webform")
    SourceSecret.objects.create(source=hook, secret=SECRET, label="current")
    return hook


Post = Callable[..., Any]


@pytest.fixture
def post(client: Client) -> Post:
    """POST a body to a source's hook, signed with ``secret`` at ``timestamp``."""

    def send(
        body: Any,
        *,
        slug: str = "shop",
        secret: str = SECRET,
        timestamp: int | None = None,
        batch: bool = False,
        headers: dict[str, str] | None = None,
    ) -> Any:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        signed = signing.headers(secret, raw, timestamp or int(time.time()))
        url = f"/hooks/{slug}/batch" if batch else f"/hooks/{slug}/"
        return client.post(
            url,
            raw,
            content_type="application/json",
            headers=signed if headers is None else headers,
        )

    return send


def run_worker() -> None:
    """Run the real background worker until the queue is empty."""
    call_command("db_worker", "--batch", "--no-startup-delay", "--no-reload", verbosity=0)


def event(n: int | str, **customer: str) -> dict[str, Any]:
    return {
        "id": f"evt-{n}",
        "type": "form.submitted",
        "customer": customer or {"phone": "138 0013 8000"},
        "subject": "退货申请",
        "content": f"第{n}号表单",
    }
