"""Reading customers' mail: encodings, HTML-only mail, hostile names, opt-out words."""

from __future__ import annotations

from typing import Any

import pytest

from hudong.interactions.actions import Contact, record_interaction
from hudong.interactions.channels.email import actions
from hudong.interactions.channels.email.models import Attachment, InboundStatus
from hudong.interactions.channels.email.parser import parse, safe_filename
from hudong.interactions.consent import record
from hudong.interactions.models import Interaction, Thread
from hudong.interactions.policy import consent
from tests.interactions.email.conftest import customer_with_email

ENCODED = (
    b"From: =?utf-8?b?546L5Lyf?= <wang@mail.example>\r\n"
    b"To: service@shop.example\r\n"
    b"Subject: =?utf-8?b?5Y+R56Wo6Zeu6aKY?=\r\n"
    b"Message-ID: <enc-1@mail.example>\r\n"
    b"MIME-Version: 1.0\r\n"
    b"Content-Type: text/html; charset=utf-8\r\n"
    b"\r\n"
    b"<div>\xe4\xbd\xa0\xe5\xa5\xbd</div><script>steal()</script><style>p{}</style>"
    b"<p>line&nbsp;two &amp; more</p>\r\n"
)


def test_an_encoded_html_only_mail_reads_as_text_without_its_script() -> None:
    mail = parse(ENCODED)
    assert (mail.sender, mail.sender_name) == ("wang@mail.example", "王伟")
    assert mail.subject == "发票问题"
    assert mail.message_id == "enc-1@mail.example"
    assert mail.text == "你好\n\nline two & more"
    assert "steal" not in mail.text and "steal" not in mail.html
    assert "<script" not in mail.html and "<style" not in mail.html


def test_a_garbled_from_header_still_yields_its_angle_address() -> None:
    raw = b'From: "><svg onload=x> <Who@Mail.Example>"\r\nSubject: x\r\n\r\nhi\r\n'
    assert parse(raw).sender == "Who@Mail.Example"


def test_an_unknown_charset_is_read_with_replacement_characters() -> None:
    raw = (
        b"From: a@mail.example\r\nSubject: x\r\n"
        b"Content-Type: text/plain; charset=x-no-such-charset\r\n\r\nhello \xff world\r\n"
    )
    mail = parse(raw)
    assert mail.text.startswith("hello") and mail.text.endswith("world")


def test_a_mail_without_message_id_gets_the_same_id_each_time_it_arrives() -> None:
    raw = b"From: a@mail.example\r\nSubject: x\r\n\r\nbody\r\n"
    assert parse(raw).message_id == parse(raw).message_id
    assert parse(raw).message_id != parse(raw + b"more").message_id


@pytest.mark.parametrize(
    ("given", "kept"),
    [
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\me\\报告.docx", "报告.docx"),
        ('evil"; filename=x.html', "evil_ filename_x.html"),
        ("<script>.svg", "script_.svg"),
        ("...", "attachment"),
        ("a\r\nContent-Type: text.txt", "a_Content-Type_ text.txt"),
    ],
)
def test_attachment_names_lose_paths_and_header_breaking_characters(given: str, kept: str) -> None:
    assert safe_filename(given) == kept


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("subject", "body", "opted_out"),
    [
        ("退订", "", True),
        ("Re: unsubscribe", "", True),
        ("Question", "STOP\n\n> earlier mail", True),
        ("Question", "Please do not unsubscribe me, I like the offers.", False),
    ],
)
def test_opt_out_words_in_the_subject_or_first_line_withdraw_email_marketing(
    region_a: Any, subject: str, body: str, opted_out: bool
) -> None:
    # Given a customer who agreed to marketing
    customer = customer_with_email(region_a, "x@mail.example")
    record(customer, purpose="marketing", granted=True, source="signup")
    raw = (
        f"From: X@mail.example\r\nSubject: {subject}\r\nMessage-ID: <o-1@mail.example>\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n{body}\r\n"
    ).encode()
    # When their mail is recorded
    inbound = actions.process(actions.store(raw, source="smtp").pk)
    assert Interaction.objects.get(pk=inbound.interaction_id).customer_id == customer.pk
    # Then marketing by email stops exactly when they said so; SMS marketing is untouched
    assert consent(customer, "email", "marketing") is not opted_out
    assert consent(customer, "sms", "marketing") is True


@pytest.mark.django_db
def test_an_attachment_over_the_limit_is_listed_but_not_stored(
    settings: Any, region_a: Any
) -> None:
    settings.HUDONG_EMAIL_ATTACHMENT_MAX_BYTES = 10
    raw = (
        b"From: big@mail.example\r\nSubject: files\r\nMessage-ID: <big-1@mail.example>\r\n"
        b'MIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n'
        b"--b\r\nContent-Type: text/plain\r\n\r\nsee files\r\n"
        b"--b\r\nContent-Type: application/octet-stream\r\n"
        b'Content-Disposition: attachment; filename="small.bin"\r\n\r\n12345\r\n'
        b"--b\r\nContent-Type: application/octet-stream\r\n"
        b'Content-Disposition: attachment; filename="huge.bin"\r\n\r\n'
        + b"x" * 100
        + b"\r\n--b--\r\n"
    )
    inbound = actions.process(actions.store(raw, source="imap").pk)
    assert inbound.status == InboundStatus.PROCESSED
    interaction = Interaction.objects.get(pk=inbound.interaction_id)
    assert interaction.content == "see files"
    assert [a.filename for a in Attachment.objects.filter(interaction=interaction)] == ["small.bin"]
    assert interaction.meta["attachments_skipped"] == [{"filename": "huge.bin", "size": 100}]


@pytest.mark.django_db
def test_an_out_of_office_reply_leaves_the_conversation_waiting_on_the_customer(
    region_a: Any,
) -> None:
    # Given a customer we are waiting on: our mail went out in their conversation
    customer = customer_with_email(region_a, "away@mail.example")
    ours = record_interaction(
        Contact(
            channel="email",
            direction="out",
            customer=customer,
            subject="Your refund",
            external_id="ours-1@shop.example",
        )
    ).interaction
    # When their mail server answers automatically, in reply to our mail
    raw = (
        b"From: away@mail.example\r\nSubject: Out of office: Your refund\r\n"
        b"Auto-Submitted: auto-replied\r\nMessage-ID: <ooo-1@mail.example>\r\n"
        b"In-Reply-To: <ours-1@shop.example>\r\n\r\nBack on Monday. STOP\r\n"
    )
    inbound = actions.process(actions.store(raw, source="smtp").pk)
    # Then it is on the timeline as a non-personal contact of that conversation, which still
    # waits on the customer; and words in an automatic answer withdraw nothing
    got = Interaction.objects.get(pk=inbound.interaction_id)
    assert (got.thread_id, got.kind) == (ours.thread_id, "nonpersonal")
    assert Thread.objects.get(pk=ours.thread_id).state == "waiting_customer"
    assert not customer.consent_entries.exists()
