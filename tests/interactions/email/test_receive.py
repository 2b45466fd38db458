"""Customer mail sent to Hudong's SMTP receiver lands on the right timeline, threaded, safe."""

from __future__ import annotations

import smtplib
from email.message import EmailMessage
from typing import Any

import pytest

from hudong.customers.models import Customer
from hudong.interactions import consent, outbound, policy
from hudong.interactions.channels.email.models import Attachment, InboundMail, InboundStatus
from hudong.interactions.models import Interaction, ThreadState
from tests.factories import make_user
from tests.interactions.email.conftest import customer_with_email, wait_for

pytestmark = pytest.mark.django_db(transaction=True)

XSS_HTML = (
    '<p>Hello <b>team</b></p><script>alert("x")</script>'
    '<img src=x onerror="alert(1)"><a href="javascript:alert(2)">click</a>'
    '<iframe src="https://evil.example"></iframe><p onclick="alert(3)">bye</p>'
)


def send(port: int, message: EmailMessage, rcpt: str = "service@shop.example") -> None:
    with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
        smtp.send_message(message, to_addrs=[rcpt])


def reply_mail(
    in_reply_to: str = "", *, sender: str, subject: str = "Re: 订单 SO1"
) -> EmailMessage:
    mail = EmailMessage()
    mail["From"] = f"王伟 <{sender}>"
    mail["To"] = "service@shop.example"
    mail["Subject"] = subject
    mail["Message-ID"] = "<reply-1@mail.example>"
    if in_reply_to:
        mail["In-Reply-To"] = f"<{in_reply_to}>"
        mail["References"] = f"<{in_reply_to}>"
    mail.set_content("The parcel has not arrived yet.")
    mail.add_alternative(XSS_HTML, subtype="html")
    return mail


def test_a_reply_lands_on_the_customer_threaded_under_our_mail_with_its_attachment(
    smtp_relay: Any, receiver: tuple[str, int], region_a: Any, region_b: Any, client: Any
) -> None:
    # Given a customer we wrote to by email
    customer = customer_with_email(region_a, "wang.wei@mail.example")
    ours = outbound.send_now(
        customer, purpose="service", subject="订单 SO1", body="Your parcel left today."
    )
    our_id = smtp_relay.received[0].message["Message-ID"].strip("<>")
    # When they reply from a differently written address, with HTML and a file
    mail = reply_mail(our_id, sender="Wang.Wei@MAIL.example")
    mail.add_attachment(
        b"%PDF-1.4 receipt", maintype="application", subtype="pdf", filename="../../收据.pdf"
    )
    send(receiver[1], mail)
    # Then the mail is on the same customer, in the conversation we started, waiting on us
    got = wait_for(lambda: Interaction.objects.filter(external_id="reply-1@mail.example").first())
    assert got.customer_id == customer.pk
    assert got.thread_id == ours.interaction.thread_id
    assert got.thread.state == ThreadState.WAITING_US
    assert got.content == "The parcel has not arrived yet."
    assert got.subject == "Re: 订单 SO1"
    # and the HTML kept is inert: no script, no handlers, no javascript: link, no frame
    kept = got.meta["html"]
    assert "<b>team</b>" in kept and "bye" in kept
    for bad in ("<script", "alert(", "onerror", "onclick", "javascript:", "<iframe", "<img"):
        assert bad not in kept
    # and the file is stored under a safe name, downloadable only as an attachment
    attachment = Attachment.objects.get(interaction=got)
    assert attachment.filename == "收据.pdf"
    assert attachment.size == len(b"%PDF-1.4 receipt")
    assert "收据" not in attachment.file.name and ".." not in attachment.file.name
    client.force_login(make_user("agent", region_a, username="agent-east"))
    response = client.get(f"/email/attachments/{attachment.pk}/")
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF-1.4 receipt"
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/octet-stream"
    assert response["X-Content-Type-Options"] == "nosniff"
    listed = client.get(f"/api/v1/interactions/{got.pk}/attachments").json()
    assert [a["filename"] for a in listed] == ["收据.pdf"]
    # An agent of another region does not even learn the file exists
    client.force_login(make_user("agent", region_b, username="agent-west"))
    assert client.get(f"/email/attachments/{attachment.pk}/").status_code == 404
    assert client.get(f"/api/v1/interactions/{got.pk}/attachments").status_code == 404


def test_the_same_mail_delivered_twice_is_one_interaction(
    receiver: tuple[str, int], region_a: Any
) -> None:
    mail = reply_mail(sender="new.customer@mail.example", subject="Question")
    send(receiver[1], mail)
    send(receiver[1], mail)
    wait_for(lambda: InboundMail.objects.filter(status=InboundStatus.PROCESSED).count() == 2)
    assert Interaction.objects.filter(external_id="reply-1@mail.example").count() == 1
    customer = Interaction.objects.get(external_id="reply-1@mail.example").customer
    assert customer.name == "王伟"  # a new customer is named by the sender's display name


def test_a_mail_saying_tuiding_stops_marketing_email_but_not_service(
    smtp_relay: Any, receiver: tuple[str, int], region_a: Any
) -> None:
    # Given a customer who agreed to marketing
    customer = customer_with_email(region_a, "li.na@mail.example")
    consent.record(customer, purpose="marketing", granted=True, source="signup form")
    assert policy.decide(customer, "email", "marketing").allowed
    # When they write "退订"
    mail = reply_mail(sender="LI.NA@mail.example", subject="退订")
    send(receiver[1], mail)
    wait_for(lambda: InboundMail.objects.filter(status=InboundStatus.PROCESSED).exists())
    # Then a marketing mail is refused and a service mail still goes out
    campaign = outbound.send_now(
        customer, purpose="marketing", channel="email", subject="Sale", body="50% off"
    )
    notice = outbound.send_now(
        customer, purpose="service", channel="email", subject="Shipped", body="On its way."
    )
    assert (campaign.status, campaign.reason) == ("refused", "interactions.consent_withdrawn")
    assert notice.status == "sent"
    assert [c.message["Subject"] for c in smtp_relay.received] == ["Shipped"]


def test_mail_for_other_domains_is_refused_at_rcpt(receiver: tuple[str, int]) -> None:
    mail = reply_mail(sender="someone@mail.example")
    with pytest.raises(smtplib.SMTPRecipientsRefused) as refused:
        send(receiver[1], mail, rcpt="victim@elsewhere.example")
    assert refused.value.recipients["victim@elsewhere.example"][0] == 550
    assert not InboundMail.objects.exists()


def test_a_mail_without_a_sender_is_kept_and_marked_failed_with_a_code(
    receiver: tuple[str, int], region_a: Any
) -> None:
    with smtplib.SMTP("127.0.0.1", receiver[1], timeout=10) as smtp:
        smtp.sendmail("", ["service@shop.example"], b"Subject: hi\r\n\r\nno from header\r\n")
    stored = wait_for(
        lambda: InboundMail.objects.filter(status=InboundStatus.FAILED).first(), timeout=10
    )
    assert stored.error == "email_channel.no_sender"
    assert b"no from header" in bytes(stored.raw)
    assert not Interaction.objects.exists()


def test_a_message_over_the_size_limit_is_refused_with_552(
    receiver: tuple[str, int], settings: Any
) -> None:
    settings.HUDONG_EMAIL_MAX_BYTES = 2000
    mail = reply_mail(sender="big@mail.example")
    mail.add_attachment(b"x" * 5000, maintype="application", subtype="octet-stream")
    with pytest.raises(smtplib.SMTPDataError) as refused:
        send(receiver[1], mail)
    assert refused.value.smtp_code == 552
    assert not InboundMail.objects.exists()


def dsn(original_id: str, status: str) -> bytes:
    return (
        "From: Mail Delivery System <MAILER-DAEMON@mx.mail.example>\r\n"
        "To: service@shop.example\r\nSubject: Undelivered Mail Returned to Sender\r\n"
        f"Message-ID: <dsn-{status}@mx.mail.example>\r\nMIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="B"\r\n\r\n'
        "--B\r\nContent-Type: text/plain\r\n\r\nYour mail could not be delivered.\r\n"
        "--B\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.mail.example\r\n\r\n"
        f"Final-Recipient: rfc822; gone@mail.example\r\nAction: failed\r\nStatus: {status}\r\n\r\n"
        "--B\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"From: service@shop.example\r\nMessage-ID: <{original_id}>\r\nSubject: hi\r\n\r\n--B--\r\n"
    ).encode()


def test_a_bounce_marks_our_mail_failed_and_makes_no_customer_of_the_mail_server(
    smtp_relay: Any, receiver: tuple[str, int], region_a: Any
) -> None:
    # Given a mail we sent to an address that no longer exists
    customer = customer_with_email(region_a, "gone@mail.example")
    sent = outbound.send_now(customer, purpose="service", channel="email", body="Hello")
    assert sent.status == "sent"
    customers_before = Customer.objects.count()
    # When the recipient's mail server sends a delivery report back (null sender)
    with smtplib.SMTP("127.0.0.1", receiver[1], timeout=10) as smtp:
        smtp.sendmail("", ["service@shop.example"], dsn(sent.provider_ref, "5.1.1"))
    # Then our mail is marked failed with the reported status
    wait_for(lambda: InboundMail.objects.filter(status=InboundStatus.BOUNCE).exists())
    sent.refresh_from_db()
    assert (sent.status, sent.reason) == ("failed", "email.bounce 5.1.1")
    # and the report is no contact: no new customer, nothing on any timeline
    assert Customer.objects.count() == customers_before
    assert Interaction.objects.filter(direction="in").count() == 0
