"""Writes of the email channel: store an arriving message, then turn it into an interaction.

Storing and processing are two steps on purpose. The SMTP receiver and the IMAP poller call
:func:`store` and only then acknowledge the message (SMTP 250, IMAP \\Seen), so an accepted
mail is never lost; :func:`process` can fail (a sender address that does not validate) and
be retried without asking the sending server again. Processing records the mail through
``record_interaction`` (identify the customer, thread by In-Reply-To/References, publish the
event), keeps the sanitised HTML and stores attachments, all in one transaction.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Iterable

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hudong.core.errors import DomainError
from hudong.customers.resolution.ingest import Incoming
from hudong.interactions import consent, outbound
from hudong.interactions.actions import Contact, record_interaction, set_breakpoint
from hudong.interactions.channels.email import conf
from hudong.interactions.channels.email.models import Attachment, InboundMail, InboundStatus
from hudong.interactions.channels.email.parser import (
    ParsedAttachment,
    ParsedMail,
    bare_subject,
    message_ids,
    parse,
)
from hudong.interactions.models import (
    Channel,
    ContactKind,
    Direction,
    Interaction,
    Purpose,
    ThreadState,
)

log = logging.getLogger(__name__)


def header_message_id(raw: bytes) -> str:
    """The Message-ID without a full parse (the receiver stores before it parses)."""
    head = raw.split(b"\r\n\r\n", 1)[0].split(b"\n\n", 1)[0]
    for line in head.splitlines():
        if line[:11].lower() == b"message-id:":
            ids = message_ids(line[11:].decode("ascii", "replace"))
            return ids[0] if ids else ""
    return ""


@transaction.atomic
def store(
    raw: bytes, *, source: str, mail_from: str = "", recipients: Iterable[str] = ()
) -> InboundMail:
    """Keep a message exactly as it arrived. Durable once this returns."""
    if len(raw) > conf.max_message_bytes():
        raise DomainError("email_channel.too_large", _("The message is too large."), status=413)
    return InboundMail.objects.create(
        source=source,
        mail_from=mail_from[:320],
        recipients=[r[:320] for r in recipients][:100],
        raw=raw,
        message_id=header_message_id(raw)[:250],
    )


def is_opt_out(mail: ParsedMail) -> bool:
    """ "退订" or "unsubscribe" as the subject, or as the first line the customer wrote."""
    if consent.is_unsubscribe_keyword(bare_subject(mail.subject)):
        return True
    first = next((line for line in mail.text.splitlines() if line.strip()), "")
    return consent.is_unsubscribe_keyword(first)


def _store_attachment(interaction: Interaction, part: ParsedAttachment) -> Attachment | None:
    if len(part.data) > conf.max_attachment_bytes():
        return None
    digest = hashlib.sha256(part.data).hexdigest()
    attachment = Attachment(
        interaction=interaction,
        filename=part.filename,
        content_type=part.content_type,
        size=len(part.data),
        sha256=digest,
    )
    name = f"email/attachments/{digest[:2]}/{digest}"
    if default_storage.exists(name):  # the same file sent again: one copy on disk
        attachment.file.name = name
    else:
        attachment.file.save(name, ContentFile(part.data), save=False)
    attachment.save()
    return attachment


def _contact(mail: ParsedMail, inbound: InboundMail) -> Contact:
    skipped = [
        {"filename": a.filename, "size": len(a.data)}
        for a in mail.attachments
        if len(a.data) > conf.max_attachment_bytes()
    ]
    return Contact(
        channel=Channel.EMAIL,
        direction=Direction.INBOUND,
        kind=ContactKind.NONPERSONAL if mail.auto_reply else ContactKind.PERSONAL,
        identifiers=[Incoming("email", mail.sender)],
        name=mail.sender_name,
        subject=mail.subject,
        content=mail.text,
        started_at=inbound.received_at,
        external_id=mail.message_id,
        replies_to=mail.references,
        thread_ref=mail.references[0] if mail.references else mail.message_id,
        source="email",
        meta={
            "from": mail.sender,
            "to": mail.to,
            "date": mail.date,
            "references": mail.references[-20:],
            "html": mail.html,
            "attachments_skipped": skipped,
            "inbound_id": inbound.pk,
            "auto_reply": mail.auto_reply,
        },
    )


@transaction.atomic
def _bounce(inbound: InboundMail, mail: ParsedMail) -> None:
    """A delivery report marks our mail failed (a permanent 5.x.x failure) and records no
    contact: the mail server that wrote it is not a customer."""
    matched = 0
    if mail.bounce_status.startswith("5"):
        matched = outbound.mark_delivered(
            mail.bounce_of, delivered=False, reason=f"email.bounce {mail.bounce_status}"
        )
    InboundMail.objects.filter(pk=inbound.pk).update(
        status=InboundStatus.BOUNCE,
        error="" if matched else "email_channel.bounce_unmatched",
        message_id=mail.message_id[:250],
        processed_at=timezone.now(),
    )


@transaction.atomic
def _record(inbound: InboundMail, mail: ParsedMail) -> Interaction:
    recorded = record_interaction(_contact(mail, inbound))
    thread = recorded.interaction.thread
    if recorded.created and mail.auto_reply and thread is not None:
        # "I am out of office" answers nothing: the conversation still waits on the customer,
        # and does not go back into the agents' queue.
        set_breakpoint(thread, user=None, state=ThreadState.WAITING_CUSTOMER)
    if recorded.created:
        for part in mail.attachments:
            _store_attachment(recorded.interaction, part)
        if is_opt_out(mail) and not mail.auto_reply:
            consent.withdraw_by_identifier(
                "email",
                mail.sender,
                purpose=Purpose.MARKETING,
                channel=Channel.EMAIL,
                source="email-keyword",
            )
    InboundMail.objects.filter(pk=inbound.pk).update(
        status=InboundStatus.PROCESSED,
        error="",
        interaction=recorded.interaction,
        message_id=mail.message_id[:250],
        processed_at=timezone.now(),
    )
    return recorded.interaction


def process(inbound_id: int) -> InboundMail:
    """Record a stored message on its customer's timeline; a failure is kept as a code."""
    inbound = InboundMail.objects.get(pk=inbound_id)
    if inbound.status in (InboundStatus.PROCESSED, InboundStatus.BOUNCE):
        return inbound
    try:
        mail = parse(bytes(inbound.raw))
        if mail.bounce_of:
            _bounce(inbound, mail)
        else:
            _record(inbound, mail)
    except DomainError as exc:
        log.warning("inbound email %s refused: %s", inbound.pk, exc.code)
        InboundMail.objects.filter(pk=inbound.pk).update(
            status=InboundStatus.FAILED, error=exc.code[:200], processed_at=timezone.now()
        )
    inbound.refresh_from_db()
    return inbound


def process_pending(limit: int = 1000) -> int:
    """Process what was stored but not processed (a receiver stopped mid-way)."""
    ids = list(
        InboundMail.objects.filter(status=InboundStatus.PENDING)
        .order_by("received_at")
        .values_list("pk", flat=True)[:limit]
    )
    for pk in ids:
        process(pk)
    return len(ids)


def forget_raw(*, days: int) -> int:
    """Delete stored messages recorded (or reported as bounces) more than ``days`` ago. The
    raw bytes are personal data the timeline no longer needs; a message that failed is kept
    until it is processed."""
    cutoff = timezone.now() - dt.timedelta(days=days)
    removed, _by_model = InboundMail.objects.filter(
        status__in=(InboundStatus.PROCESSED, InboundStatus.BOUNCE), processed_at__lt=cutoff
    ).delete()
    return removed
