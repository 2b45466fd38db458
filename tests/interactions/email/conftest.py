"""Real SMTP servers on loopback: a relay that captures what Hudong sends, and Hudong's own
receiver (the ``smtp-receive`` command's server) that customers' mail is sent to."""

from __future__ import annotations

import importlib
import socket
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from django.db import OperationalError

from hudong.customers.normalize import normalize
from tests.factories import CustomerFactory
from tests.web.conftest import browser, tab  # noqa: F401  (the browser tests' fixtures)

# A self-signed certificate for 127.0.0.1 made for these tests only (valid until 2126).
TLS = Path(__file__).parent / "tls"
serve = importlib.import_module(
    "hudong.interactions.channels.email.management.commands.smtp-receive"
).serve


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Attachments the tests store go to the test's own folder."""
    settings.MEDIA_ROOT = tmp_path / "media"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_for(check: Callable[[], Any], timeout: float = 20.0) -> Any:
    """Poll until ``check()`` is truthy (the receiver processes off the SMTP conversation)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            value = check()
        except OperationalError:  # the test database's shared cache locks a table mid-write
            value = None
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError("timed out waiting")


@dataclass
class Captured:
    mail_from: str
    rcpt_tos: list[str]
    message: EmailMessage


@dataclass
class Relay:
    port: int
    received: list[Captured] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        message = BytesParser(policy=policy.default).parsebytes(envelope.original_content)
        self.received.append(Captured(envelope.mail_from, list(envelope.rcpt_tos), message))
        return "250 OK"


@pytest.fixture
def smtp_relay(settings: Any) -> Iterator[Relay]:
    """The company's outgoing mail server: Hudong's SMTP connection goes here."""
    relay = Relay(port=free_port())
    controller = Controller(relay, hostname="127.0.0.1", port=relay.port)
    controller.start()
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": relay.port, "timeout": 10},
        }
    }
    settings.HUDONG_EMAIL_FROM = "Service <service@shop.example>"
    settings.HUDONG_PUBLIC_URL = "https://crm.shop.example"
    settings.HUDONG_QUIET_HOURS = ""  # the tests run at any hour
    try:
        yield relay
    finally:
        controller.stop()


@pytest.fixture
def receiver() -> Iterator[tuple[str, int]]:
    """Hudong's inbound SMTP server, as ``hudong smtp-receive --domain shop.example`` runs it."""
    port = free_port()
    stop = threading.Event()
    thread = threading.Thread(
        target=serve, args=("127.0.0.1", port, frozenset({"shop.example"}), stop), daemon=True
    )
    thread.start()
    wait_for(lambda: _listening(port))
    try:
        yield "127.0.0.1", port
    finally:
        stop.set()
        thread.join(timeout=10)


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
    except OSError:
        return False
    return True


def customer_with_email(region: Any, address: str, **kwargs: Any) -> Any:
    customer = CustomerFactory(region=region, **kwargs)
    customer.identifiers.create(
        kind="email", value=address, normalized=normalize("email", address), is_primary=True
    )
    return customer
