"""Polling a mailbox over IMAP: each message recorded once, flagged seen after it is stored.

The mailbox is served by the tests' small IMAP4rev1 server over TCP (no dovecot here); the
client is Python's real imaplib, as in production.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import CommandError, call_command

from hudong.core import schedules
from hudong.interactions.channels.email import conf, imap, receiver, tasks
from hudong.interactions.channels.email.models import ImapCursor
from hudong.interactions.models import Interaction
from tests.interactions.email.conftest import TLS, customer_with_email
from tests.interactions.email.imap_server import ImapServer, Mailbox

pytestmark = pytest.mark.django_db


def mail(n: int, sender: str = "Zhao.Min@Mail.Example", subject: str = "物流") -> bytes:
    return (
        f"From: 赵敏 <{sender}>\r\nTo: service@shop.example\r\nSubject: {subject} {n}\r\n"
        f"Message-ID: <imap-{n}@mail.example>\r\nContent-Type: text/plain; charset=utf-8\r\n"
        f"\r\n第{n}封\r\n"
    ).encode()


@pytest.fixture
def mailbox(settings: Any) -> Iterator[Mailbox]:
    box = Mailbox()
    server = ImapServer(box).start()
    settings.HUDONG_IMAP_HOST = "127.0.0.1"
    settings.HUDONG_IMAP_PORT = server.port
    settings.HUDONG_IMAP_SSL = "false"  # as an operator writes it in the environment
    settings.HUDONG_IMAP_USER = box.user
    settings.HUDONG_IMAP_PASSWORD = box.password
    try:
        yield box
    finally:
        server.stop()


def test_new_mail_is_recorded_once_and_flagged_seen_only_after_it_is_stored(
    mailbox: Mailbox, region_a: Any
) -> None:
    # Given a customer and two mails from them waiting in the mailbox
    customer = customer_with_email(region_a, "zhao.min@mail.example")
    mailbox.add(mail(1))
    mailbox.add(mail(2))
    # When the mailbox is polled
    first = imap.poll()
    # Then both are on the customer's timeline and flagged \Seen
    assert (first.fetched, first.recorded, first.duplicates) == (2, 2, 0)
    assert set(
        Interaction.objects.filter(customer=customer).values_list("external_id", flat=True)
    ) == {"imap-1@mail.example", "imap-2@mail.example"}
    assert all("\\Seen" in m.flags for m in mailbox.messages)
    fetches = [c for c in mailbox.commands if "UID FETCH" in c]
    assert all("BODY.PEEK[]" in c for c in fetches)  # fetching alone never marks seen
    # When it is polled again with one more mail, only that one is fetched
    mailbox.add(mail(3))
    again = imap.poll()
    assert (again.fetched, again.recorded) == (1, 1)
    assert ImapCursor.objects.get().last_uid == 3
    assert Interaction.objects.filter(customer=customer).count() == 3


def test_a_new_uidvalidity_rereads_the_mailbox_without_recording_twice(
    mailbox: Mailbox, region_a: Any
) -> None:
    mailbox.add(mail(1))
    imap.poll()
    # The server renumbered its mailbox: the same mail now has other UIDs
    mailbox.uidvalidity = 99
    result = imap.poll()
    assert (result.fetched, result.recorded, result.duplicates) == (1, 0, 1)
    assert Interaction.objects.count() == 1
    assert ImapCursor.objects.get().uidvalidity == 99


def test_the_command_polls_once_and_says_what_it_did(mailbox: Mailbox, region_a: Any) -> None:
    mailbox.add(mail(7))
    out = io.StringIO()
    call_command("imap-poll", stdout=out)
    assert "fetched 1, recorded 1, duplicates 0" in out.getvalue()


def test_wrong_credentials_fail_the_command_with_a_message(mailbox: Mailbox, settings: Any) -> None:
    settings.HUDONG_IMAP_PASSWORD = "wrong"
    with pytest.raises(CommandError, match="IMAP poll failed"):
        call_command("imap-poll")


def test_polling_is_scheduled_only_when_a_mailbox_is_configured(settings: Any) -> None:
    settings.HUDONG_IMAP_HOST = ""
    assert conf.imap() is None
    tasks.register_schedules()
    assert "email.imap_poll" not in {s.name for s in schedules.registered()}
    settings.HUDONG_IMAP_HOST = "imap.shop.example"
    try:
        tasks.register_schedules()
        assert "email.imap_poll" in {s.name for s in schedules.registered()}
        assert conf.imap() is not None and conf.imap().port == 993  # type: ignore[union-attr]
    finally:
        schedules._SCHEDULES.pop("email.imap_poll", None)


@pytest.fixture
def tls_mailbox(settings: Any) -> Iterator[Mailbox]:
    box = Mailbox()
    context = receiver.tls_context(str(TLS / "cert.pem"), str(TLS / "key.pem"))
    server = ImapServer(box, tls=context).start()
    settings.HUDONG_IMAP_HOST = "127.0.0.1"
    settings.HUDONG_IMAP_PORT = server.port
    settings.HUDONG_IMAP_SSL = True
    settings.HUDONG_IMAP_USER = box.user
    settings.HUDONG_IMAP_PASSWORD = box.password
    try:
        yield box
    finally:
        server.stop()


def test_over_tls_the_servers_certificate_is_verified(
    tls_mailbox: Mailbox, settings: Any, region_a: Any
) -> None:
    tls_mailbox.add(mail(9))
    # A certificate no trusted authority signed: the poll refuses to log in
    with pytest.raises(CommandError, match="CERTIFICATE_VERIFY_FAILED"):
        call_command("imap-poll")
    assert not Interaction.objects.exists()
    # Trusting the company's own authority (here the test certificate itself), it reads mail
    settings.HUDONG_IMAP_CA_FILE = str(TLS / "cert.pem")
    out = io.StringIO()
    call_command("imap-poll", stdout=out)
    assert "fetched 1, recorded 1" in out.getvalue()
