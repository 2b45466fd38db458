"""Outbound email over SMTP, threaded so the customer's mail client shows one conversation.

Each message gets a Message-ID we generate; it becomes the outbound interaction's channel id
(``external_id``), which is how a customer's reply (In-Reply-To/References) finds its
conversation again. A reply inside a conversation carries In-Reply-To and References of the
conversation's last inbound mail. Marketing mail carries an unsubscribe link in the body and
the List-Unsubscribe / List-Unsubscribe-Post headers (RFC 2369, RFC 8058) so mail clients can
offer one-click unsubscribe.

Delivery uses Django's default mailer (``MAILERS["default"]``, or the older ``EMAIL_HOST``,
``EMAIL_PORT``, ``EMAIL_USE_TLS``... while a project has not moved to ``MAILERS``), outside
any database transaction.
"""

from __future__ import annotations

from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMessage, mailers
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from hudong.interactions import consent
from hudong.interactions.channels import Sender
from hudong.interactions.channels.email import conf
from hudong.interactions.channels.email.parser import bare_subject
from hudong.interactions.models import (
    Channel,
    Direction,
    Interaction,
    OutboundMessage,
    Purpose,
)


def unsubscribe_url(message: OutboundMessage) -> str:
    """Absolute: the customer's mail client opens it, far from any page of ours."""
    token = consent.unsubscribe_token(message.customer)
    return conf.public_url() + reverse("email_channel:unsubscribe", args=[token])


def _parent(message: OutboundMessage) -> Interaction | None:
    """The mail this one answers: the conversation's last inbound email, else its last email."""
    if message.thread_id is None:
        return None
    emails = Interaction.objects.filter(thread_id=message.thread_id, channel=Channel.EMAIL).exclude(
        external_id=""
    )
    latest = emails.order_by("-started_at", "-id")
    return latest.filter(direction=Direction.INBOUND).first() or latest.first()


def threading_headers(message: OutboundMessage) -> tuple[dict[str, str], Interaction | None]:
    parent = _parent(message)
    if parent is None:
        return {}, None
    chain = [r for r in (parent.meta or {}).get("references", []) if isinstance(r, str)]
    chain = [*chain[-19:], parent.external_id]
    return {
        "In-Reply-To": f"<{parent.external_id}>",
        "References": " ".join(f"<{r}>" for r in chain),
    }, parent


def _subject(message: OutboundMessage, parent: Interaction | None) -> str:
    if message.subject:
        return message.subject
    if parent is not None and parent.subject:
        return f"Re: {bare_subject(parent.subject)}"
    return ""


def build(message: OutboundMessage) -> EmailMessage:
    """The email for one outbound message, with our Message-ID and threading headers."""
    message_id = make_msgid(domain=conf.message_id_domain())
    headers, parent = threading_headers(message)
    headers["Message-ID"] = message_id
    body = message.body
    if message.purpose == Purpose.MARKETING:
        url = unsubscribe_url(message)
        headers["List-Unsubscribe"] = f"<{url}>"
        headers["List-Unsubscribe-Post"] = "List-Unsubscribe=One-Click"
        with translation.override(message.customer.language or settings.LANGUAGE_CODE):
            footer = gettext("To stop receiving these messages, unsubscribe here: %(url)s")
        body = f"{body}\n\n-- \n{footer % {'url': url}}\n"
    return EmailMessage(
        subject=_subject(message, parent),
        body=body,
        from_email=conf.from_address(),
        to=[message.to],
        headers=headers,
    )


def deliver(message: OutboundMessage) -> str:
    """Send over SMTP; the Message-ID (without brackets) is the provider reference."""
    email = build(message)
    sent = mailers.default.send_messages([email])
    if not sent:
        raise RuntimeError("the mail server accepted nothing")
    return str(email.extra_headers["Message-ID"]).strip("<>")


SENDER = Sender(channel=Channel.EMAIL, identifier_kind="email", deliver=deliver)
