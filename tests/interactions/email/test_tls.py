"""The receiver over STARTTLS. ``tls/`` holds a self-signed certificate for 127.0.0.1 made for
these tests only (valid until 2126); it protects nothing."""

from __future__ import annotations

import smtplib
import ssl
import threading
from collections.abc import Iterator
from email.message import EmailMessage
from typing import Any

import pytest

from hudong.interactions.channels.email import receiver
from hudong.interactions.models import Interaction
from tests.interactions.email.conftest import TLS, free_port, serve, wait_for

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def tls_receiver() -> Iterator[int]:
    """``hudong smtp-receive --tls-cert … --tls-key … --require-tls``"""
    port = free_port()
    stop = threading.Event()
    context = receiver.tls_context(str(TLS / "cert.pem"), str(TLS / "key.pem"))
    thread = threading.Thread(
        target=serve,
        args=("127.0.0.1", port, frozenset(), stop),
        kwargs={"tls": context, "require_tls": True},
        daemon=True,
    )
    thread.start()
    wait_for(lambda: _accepts(port))
    try:
        yield port
    finally:
        stop.set()
        thread.join(timeout=10)


def _accepts(port: int) -> bool:
    try:
        with smtplib.SMTP("127.0.0.1", port, timeout=2) as smtp:
            return smtp.noop()[0] == 250
    except OSError:
        return False


def _mail() -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = "secure@mail.example"
    mail["To"] = "service@shop.example"
    mail["Subject"] = "over TLS"
    mail["Message-ID"] = "<tls-1@mail.example>"
    mail.set_content("encrypted on the way")
    return mail


def test_a_sender_that_switches_to_tls_is_received(tls_receiver: int, region_a: Any) -> None:
    client_side = ssl.create_default_context(cafile=str(TLS / "cert.pem"))
    with smtplib.SMTP("127.0.0.1", tls_receiver, timeout=10) as smtp:
        smtp.starttls(context=client_side)
        smtp.send_message(_mail())
    got = wait_for(lambda: Interaction.objects.filter(external_id="tls-1@mail.example").first())
    assert got.content == "encrypted on the way"


def test_a_sender_that_stays_in_plain_text_is_refused(tls_receiver: int) -> None:
    with smtplib.SMTP("127.0.0.1", tls_receiver, timeout=10) as smtp:
        code, _ = smtp.ehlo()
        assert code == 250 and smtp.has_extn("starttls")
        with pytest.raises(smtplib.SMTPSenderRefused) as refused:
            smtp.send_message(_mail())
    assert refused.value.smtp_code == 530
    assert not Interaction.objects.exists()
