"""What Hudong sends by email: threaded replies, and marketing mail one can leave."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from hudong.customers.resolution.ingest import Incoming
from hudong.interactions import consent, outbound, policy
from hudong.interactions.actions import Contact, record_interaction
from hudong.interactions.models import ConsentEntry, Interaction
from tests.factories import make_user
from tests.interactions.email.conftest import customer_with_email, free_port

pytestmark = pytest.mark.django_db


def test_a_reply_threads_under_the_customers_last_mail_and_keeps_our_message_id(
    smtp_relay: Any, region_a: Any
) -> None:
    # Given a customer's mail that itself answered an earlier one
    customer = customer_with_email(region_a, "zhang@mail.example", language="en")
    theirs = record_interaction(
        Contact(
            channel="email",
            identifiers=[Incoming("email", "Zhang@Mail.Example")],
            subject="Re: 发票",
            external_id="q-2@mail.example",
            meta={"references": ["root-1@shop.example"]},
        )
    ).interaction
    # When an agent answers in that conversation without writing a subject
    sent = outbound.send_now(
        customer, purpose="service", body="开好了。", thread=theirs.thread, reply=True
    )
    # Then the customer's mail client gets a mail that threads under theirs
    assert sent.status == "sent"
    (mail,) = smtp_relay.received
    assert mail.rcpt_tos == ["zhang@mail.example"]
    assert mail.message["From"] == "Service <service@shop.example>"
    assert mail.message["Subject"] == "Re: 发票"
    assert mail.message["In-Reply-To"] == "<q-2@mail.example>"
    assert mail.message["References"] == "<root-1@shop.example> <q-2@mail.example>"
    assert mail.message.get_content().strip() == "开好了。"
    # and the Message-ID we generated is what a later reply will be matched by
    our_id = mail.message["Message-ID"].strip("<>")
    assert our_id.endswith("@shop.example")
    interaction = Interaction.objects.get(pk=sent.interaction_id)
    assert interaction.external_id == our_id
    assert interaction.thread_id == theirs.thread_id
    assert "List-Unsubscribe" not in mail.message  # service mail has no unsubscribe


def test_marketing_mail_carries_an_unsubscribe_link_that_stops_marketing_everywhere(
    smtp_relay: Any, region_a: Any
) -> None:
    # Given a customer who agreed to marketing and got a campaign mail
    customer = customer_with_email(region_a, "chen@mail.example", language="en")
    consent.record(customer, purpose="marketing", granted=True, source="signup")
    outbound.send_now(customer, purpose="marketing", channel="email", subject="新品", body="看看")
    (mail,) = smtp_relay.received
    header = mail.message["List-Unsubscribe"]
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = header.strip("<>")
    assert url.startswith("https://crm.shop.example/email/unsubscribe/")
    assert url in mail.message.get_content()
    path = url.removeprefix("https://crm.shop.example")
    browser = Client(enforce_csrf_checks=True)
    # When a link scanner or the customer opens the link: a confirm button, nothing withdrawn
    page = browser.get(path)
    assert page.status_code == 200
    assert b'data-action="unsubscribe"' in page.content
    assert policy.decide(customer, "email", "marketing").allowed
    # When the mail client's one-click unsubscribe POSTs (no cookie, no CSRF token)
    done = browser.post(
        path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )
    assert done.status_code == 200
    # Then no marketing goes out on any channel, and service mail still does
    for channel in ("email", "sms", "webchat"):
        assert policy.decide(customer, channel, "marketing").code == (
            "interactions.consent_withdrawn"
        )
    again = outbound.send_now(customer, purpose="marketing", channel="email", body="再看看")
    notice = outbound.send_now(customer, purpose="service", channel="email", body="已发货")
    assert again.status == "refused"
    assert notice.status == "sent"
    assert len(smtp_relay.received) == 2
    assert "List-Unsubscribe" not in smtp_relay.received[1].message


def test_a_forged_unsubscribe_link_changes_nothing(client: Any, region_a: Any) -> None:
    customer = customer_with_email(region_a, "forge@mail.example")
    token = consent.unsubscribe_token(customer)
    response = client.post(f"/email/unsubscribe/{token[:-3]}xyz/")
    assert response.status_code == 400
    assert b"interactions.unsubscribe_invalid" in response.content
    assert not ConsentEntry.objects.exists()


def test_a_mail_server_that_is_down_leaves_the_message_failed_and_off_the_timeline(
    settings: Any, region_a: Any
) -> None:
    settings.MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {"host": "127.0.0.1", "port": free_port(), "timeout": 5},
        }
    }
    settings.HUDONG_QUIET_HOURS = ""
    customer = customer_with_email(region_a, "down@mail.example")
    message = outbound.send_now(customer, purpose="service", channel="email", body="hello")
    assert message.status == "failed"
    assert message.reason
    assert not Interaction.objects.filter(customer=customer).exists()


def test_attachments_are_not_for_anonymous_visitors(client: Any) -> None:
    response = client.get("/email/attachments/1/")
    assert response.status_code == 302 and "/login/" in response["Location"]
    assert client.get("/api/v1/interactions/1/attachments").status_code in {401, 403}


def test_an_email_reads_in_full_for_its_region_only(
    client: Any, region_a: Any, region_b: Any
) -> None:
    # Given a long email from a customer of region A, and a call
    customer = customer_with_email(region_a, "long@mail.example")
    body = "第一段。\n\n" + "很长的信。" * 200 + "\n\n最后一段。"
    mail = record_interaction(
        Contact(
            channel="email",
            customer=customer,
            subject="长信",
            content=body,
            meta={"from": "long@mail.example", "to": ["service@shop.example"]},
        )
    ).interaction
    call = record_interaction(Contact(channel="phone", customer=customer)).interaction
    # When an agent of region A opens it, all of it is there (the timeline shows 300 characters)
    client.force_login(make_user("agent", region_a, username="reader-a"))
    page = client.get(f"/email/messages/{mail.pk}/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "最后一段。" in text and "long@mail.example" in text and "service@shop.example" in text
    # A call is not an email, and an agent of region B does not see the mail at all
    assert client.get(f"/email/messages/{call.pk}/").status_code == 404
    client.force_login(make_user("agent", region_b, username="reader-b"))
    assert client.get(f"/email/messages/{mail.pk}/").status_code == 404
